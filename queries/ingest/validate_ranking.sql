-- name: ingest/validate_ranking
-- One row = one problem in one delivered ranking row of the staged view _src. Zero rows = valid.
-- Columns: source_line, column_name, reason.
-- Every number is checked against the range of the column that stores it (rank: INTEGER), so
-- NaN, Infinity or 1e10 are refused here, never by the INSERT.
WITH s0 AS (
    SELECT source_line,
           nullif(trim(prompt_id), '') AS prompt_id,
           nullif(trim(annotator_id), '') AS annotator_id,
           nullif(trim(response_id), '') AS response_id,
           nullif(trim("rank"), '') AS "rank",
           nullif(trim(annotator_kind), '') AS annotator_kind,
           nullif(trim(seconds), '') AS seconds
    FROM _src
), s AS (
    SELECT *, TRY_CAST("rank" AS DOUBLE) AS rank_number FROM s0
)
SELECT source_line, 'prompt_id' AS column_name, 'missing required value' AS reason FROM s WHERE prompt_id IS NULL
UNION ALL
SELECT source_line, 'annotator_id', 'missing required value' FROM s WHERE annotator_id IS NULL
UNION ALL
SELECT source_line, 'response_id', 'missing required value' FROM s WHERE response_id IS NULL
UNION ALL
SELECT source_line, 'rank', 'missing required value' FROM s WHERE "rank" IS NULL
UNION ALL
SELECT source_line, 'rank', printf('%s is not a positive integer (1 to 2147483647)', to_json("rank"))
FROM s WHERE "rank" IS NOT NULL
  AND coalesce(NOT isfinite(rank_number) OR rank_number < 1 OR rank_number > 2147483647
               OR rank_number <> floor(rank_number), true)
UNION ALL
SELECT source_line, 'annotator_kind', printf('%s is not one of human, judge', to_json(annotator_kind))
FROM s WHERE lower(annotator_kind) NOT IN ('human', 'judge')
UNION ALL
SELECT source_line, 'seconds', printf('%s is not a non-negative number', to_json(seconds))
FROM s WHERE seconds IS NOT NULL AND coalesce(NOT isfinite(TRY_CAST(seconds AS DOUBLE)) OR TRY_CAST(seconds AS DOUBLE) < 0, true)
ORDER BY source_line, column_name
