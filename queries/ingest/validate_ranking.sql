-- name: ingest/validate_ranking
-- One row = one problem in one delivered ranking row of the staged view _src. Zero rows = valid.
-- Columns: source_line, column_name, reason.
WITH s AS (
    SELECT source_line,
           nullif(trim(prompt_id), '') AS prompt_id,
           nullif(trim(annotator_id), '') AS annotator_id,
           nullif(trim(response_id), '') AS response_id,
           nullif(trim("rank"), '') AS "rank",
           nullif(trim(annotator_kind), '') AS annotator_kind,
           nullif(trim(seconds), '') AS seconds
    FROM _src
)
SELECT source_line, 'prompt_id' AS column_name, 'missing required value' AS reason FROM s WHERE prompt_id IS NULL
UNION ALL
SELECT source_line, 'annotator_id', 'missing required value' FROM s WHERE annotator_id IS NULL
UNION ALL
SELECT source_line, 'response_id', 'missing required value' FROM s WHERE response_id IS NULL
UNION ALL
SELECT source_line, 'rank', 'missing required value' FROM s WHERE "rank" IS NULL
UNION ALL
SELECT source_line, 'rank', printf('%s is not a positive integer', to_json("rank"))
FROM s WHERE "rank" IS NOT NULL
  AND coalesce(TRY_CAST("rank" AS DOUBLE) < 1 OR TRY_CAST("rank" AS DOUBLE) <> floor(TRY_CAST("rank" AS DOUBLE)), true)
UNION ALL
SELECT source_line, 'annotator_kind', printf('%s is not one of human, judge', to_json(annotator_kind))
FROM s WHERE lower(annotator_kind) NOT IN ('human', 'judge')
UNION ALL
SELECT source_line, 'seconds', printf('%s is not a non-negative number', to_json(seconds))
FROM s WHERE seconds IS NOT NULL AND coalesce(NOT isfinite(TRY_CAST(seconds AS DOUBLE)) OR TRY_CAST(seconds AS DOUBLE) < 0, true)
ORDER BY source_line, column_name
