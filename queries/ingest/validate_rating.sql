-- name: ingest/validate_rating
-- One row = one problem in one delivered rating row of the staged view _src. Zero rows = valid.
-- Columns: source_line, column_name, reason.
WITH s AS (
    SELECT source_line,
           nullif(trim(item_id), '') AS item_id,
           nullif(trim(annotator_id), '') AS annotator_id,
           nullif(trim(score), '') AS score,
           nullif(trim(annotator_kind), '') AS annotator_kind,
           nullif(trim(seconds), '') AS seconds,
           nullif(trim(created_at), '') AS created_at,
           CASE WHEN trim(reference_answer) <> '' THEN reference_answer END AS reference_answer
    FROM _src
), refs AS (  -- one reference answer per item: a later row of the file may repeat it or leave it out
    SELECT source_line, item_id, reference_answer,
           first_value(source_line) OVER w AS first_line,
           first_value(reference_answer) OVER w AS first_reference
    FROM s WHERE reference_answer IS NOT NULL AND item_id IS NOT NULL
    WINDOW w AS (PARTITION BY item_id ORDER BY source_line)
)
SELECT source_line, 'item_id' AS column_name, 'missing required value' AS reason FROM s WHERE item_id IS NULL
UNION ALL
SELECT source_line, 'annotator_id', 'missing required value' FROM s WHERE annotator_id IS NULL
UNION ALL
SELECT source_line, 'score', 'missing required value' FROM s WHERE score IS NULL
UNION ALL
SELECT source_line, 'score', printf('%s is not a number', to_json(score))
FROM s WHERE score IS NOT NULL AND coalesce(NOT isfinite(TRY_CAST(score AS DOUBLE)), true)
UNION ALL
SELECT source_line, 'annotator_kind', printf('%s is not one of human, judge', to_json(annotator_kind))
FROM s WHERE lower(annotator_kind) NOT IN ('human', 'judge')
UNION ALL
SELECT source_line, 'seconds', printf('%s is not a non-negative number', to_json(seconds))
FROM s WHERE seconds IS NOT NULL AND coalesce(NOT isfinite(TRY_CAST(seconds AS DOUBLE)) OR TRY_CAST(seconds AS DOUBLE) < 0, true)
UNION ALL
SELECT source_line, 'created_at', printf('%s is not a date/time', to_json(created_at))
FROM s WHERE created_at IS NOT NULL AND TRY_CAST(created_at AS TIMESTAMP) IS NULL
UNION ALL
SELECT source_line, 'reference_answer',
       printf('differs from the reference_answer of line %d for item_id %s (one reference answer per item)',
              first_line, to_json(item_id))
FROM refs WHERE reference_answer <> first_reference
ORDER BY source_line, column_name
