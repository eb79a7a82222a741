-- name: ingest/validate_pairwise
-- One row = one problem in one delivered pairwise-verdict row of the staged view _src
-- (canonical columns, all VARCHAR, plus source_line). Zero rows = the file is valid.
-- Columns: source_line, column_name, reason.
WITH s AS (
    SELECT source_line,
           nullif(trim(comparison_id), '') AS comparison_id,
           nullif(trim(annotator_id), '') AS annotator_id,
           nullif(trim(preference), '') AS preference,
           nullif(trim(annotator_kind), '') AS annotator_kind,
           nullif(trim(shown_first), '') AS shown_first,
           nullif(trim(strength), '') AS strength,
           nullif(trim(rating_a), '') AS rating_a,
           nullif(trim(rating_b), '') AS rating_b,
           nullif(trim(seconds), '') AS seconds,
           nullif(trim(gold), '') AS gold,
           nullif(trim(created_at), '') AS created_at,
           nullif(trim(preference_soft), '') AS preference_soft,
           TRY_CAST(nullif(trim(preference_soft), '') AS DOUBLE) AS soft,
           CASE WHEN trim(reference_answer) <> '' THEN reference_answer END AS reference_answer
    FROM _src
), refs AS (  -- one reference answer per comparison: a later row of the file may repeat it or leave it out
    SELECT source_line, comparison_id, reference_answer,
           first_value(source_line) OVER w AS first_line,
           first_value(reference_answer) OVER w AS first_reference
    FROM s WHERE reference_answer IS NOT NULL AND comparison_id IS NOT NULL
    WINDOW w AS (PARTITION BY comparison_id ORDER BY source_line)
)
SELECT source_line, 'comparison_id' AS column_name, 'missing required value' AS reason FROM s WHERE comparison_id IS NULL
UNION ALL
SELECT source_line, 'annotator_id', 'missing required value' FROM s WHERE annotator_id IS NULL
UNION ALL
SELECT source_line, 'preference', 'missing required value' FROM s WHERE preference IS NULL
UNION ALL
SELECT source_line, 'preference', printf('%s is not one of A, B, tie', to_json(preference))
FROM s WHERE lower(preference) NOT IN ('a', 'b', 'tie')
UNION ALL
SELECT source_line, 'annotator_kind', printf('%s is not one of human, judge', to_json(annotator_kind))
FROM s WHERE lower(annotator_kind) NOT IN ('human', 'judge')
UNION ALL
SELECT source_line, 'shown_first', printf('%s is not one of A, B', to_json(shown_first))
FROM s WHERE upper(shown_first) NOT IN ('A', 'B')
UNION ALL
SELECT source_line, 'strength', printf('%s is not an integer 0-3', to_json(strength))
FROM s WHERE strength IS NOT NULL
  AND coalesce(TRY_CAST(strength AS DOUBLE) NOT IN (0, 1, 2, 3), true)
UNION ALL
SELECT source_line, 'rating_a', printf('%s is not a number', to_json(rating_a))
FROM s WHERE rating_a IS NOT NULL AND coalesce(NOT isfinite(TRY_CAST(rating_a AS DOUBLE)), true)
UNION ALL
SELECT source_line, 'rating_b', printf('%s is not a number', to_json(rating_b))
FROM s WHERE rating_b IS NOT NULL AND coalesce(NOT isfinite(TRY_CAST(rating_b AS DOUBLE)), true)
UNION ALL
SELECT source_line, 'seconds', printf('%s is not a non-negative number', to_json(seconds))
FROM s WHERE seconds IS NOT NULL AND coalesce(NOT isfinite(TRY_CAST(seconds AS DOUBLE)) OR TRY_CAST(seconds AS DOUBLE) < 0, true)
UNION ALL
SELECT source_line, 'gold', printf('%s is not one of A, B, tie', to_json(gold))
FROM s WHERE lower(gold) NOT IN ('a', 'b', 'tie')
UNION ALL
SELECT source_line, 'created_at', printf('%s is not a date/time', to_json(created_at))
FROM s WHERE created_at IS NOT NULL AND TRY_CAST(created_at AS TIMESTAMP) IS NULL
UNION ALL
SELECT source_line, 'preference_soft', printf('%s is not a number', to_json(preference_soft))
FROM s WHERE preference_soft IS NOT NULL AND coalesce(NOT isfinite(soft), true)
UNION ALL
SELECT source_line, 'preference_soft',
       printf('%s is outside 0-1 (P(B preferred): 0 = A certainly better, 1 = B; AlpacaEval''s preference - 1)',
              to_json(preference_soft))
FROM s WHERE isfinite(soft) AND (soft < 0 OR soft > 1)
UNION ALL
SELECT source_line, 'preference_soft',
       printf('%s contradicts preference %s: P(B preferred) %s, so preference must be %s',
              to_json(preference_soft), to_json(preference),
              CASE WHEN soft < 0.5 THEN '< 0.5' WHEN soft > 0.5 THEN '> 0.5' ELSE '= 0.5' END,
              CASE WHEN soft < 0.5 THEN 'A' WHEN soft > 0.5 THEN 'B' ELSE 'tie' END)
FROM s WHERE soft BETWEEN 0 AND 1 AND lower(preference) IN ('a', 'b', 'tie')
  AND lower(preference) <> CASE WHEN soft < 0.5 THEN 'a' WHEN soft > 0.5 THEN 'b' ELSE 'tie' END
UNION ALL
SELECT source_line, 'reference_answer',
       printf('differs from the reference_answer of line %d for comparison_id %s (one reference answer per comparison)',
              first_line, to_json(comparison_id))
FROM refs WHERE reference_answer <> first_reference
ORDER BY source_line, column_name
