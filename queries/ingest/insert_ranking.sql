-- name: ingest/insert_ranking
-- Store the valid staged rows of _src (those not in _bad) as rankings.  params: $batch_id, $file_id
INSERT INTO rankings
SELECT $batch_id, $file_id, source_line,
       trim(prompt_id), trim(annotator_id),
       coalesce(lower(nullif(trim(annotator_kind), '')), 'human'),
       trim(response_id),
       CAST(CAST(trim("rank") AS DOUBLE) AS INTEGER),
       model, response,
       TRY_CAST(nullif(trim(seconds), '') AS DOUBLE),
       length(response),
       ql_whitespace_tokens(response),
       extra,
       false  -- duplicate_copy: set by ingest/mark_duplicates_* in the same transaction
FROM _src
WHERE source_line NOT IN (SELECT source_line FROM _bad)
