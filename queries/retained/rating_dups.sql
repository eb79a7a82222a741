-- name: retained/rating_dups
-- One row per stored rating of the batches in scope, keyed by (file_id, source_line), with
-- duplicate_copy (an exact duplicate row of its batch beyond the first; every delivered column
-- equal, NULLs equal).
-- params: none
SELECT file_id, source_line,
       row_number() OVER (
           PARTITION BY batch_id, item_id, annotator_id, annotator_kind, aspect, score, prompt_id, model, prompt,
                        response, seconds, created_at, CAST(extra AS VARCHAR)
           ORDER BY file_id, source_line) > 1 AS duplicate_copy
FROM ratings
WHERE batch_id IN (SELECT batch_id FROM _ql_scope)
