-- name: ingest/insert_rating
-- Store the valid staged rows of _src (those not in _bad) as ratings.  params: $batch_id, $file_id
INSERT INTO ratings
SELECT $batch_id, $file_id, source_line,
       trim(item_id), trim(annotator_id),
       coalesce(lower(nullif(trim(annotator_kind), '')), 'human'),
       coalesce(nullif(trim(aspect), ''), 'overall'),
       CAST(trim(score) AS DOUBLE),
       prompt_id, model, prompt, response,
       TRY_CAST(nullif(trim(seconds), '') AS DOUBLE),
       TRY_CAST(nullif(trim(created_at), '') AS TIMESTAMP),
       length(response),
       ql_whitespace_tokens(response),
       extra,
       false,  -- duplicate_copy: set by ingest/mark_duplicates_* in the same transaction
       CASE WHEN trim(reference_answer) <> '' THEN reference_answer END  -- whitespace only: not given
FROM _src
WHERE source_line NOT IN (SELECT source_line FROM _bad)
