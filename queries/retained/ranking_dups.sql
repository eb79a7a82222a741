-- name: retained/ranking_dups
-- One row per stored ranking row of the batches in scope, keyed by (file_id, source_line), with
-- duplicate_copy (an exact duplicate row of its batch beyond the first).
-- params: none
SELECT file_id, source_line,
       row_number() OVER (
           PARTITION BY batch_id, prompt_id, annotator_id, annotator_kind, response_id, "rank", model, response,
                        seconds, CAST(extra AS VARCHAR)
           ORDER BY file_id, source_line) > 1 AS duplicate_copy
FROM rankings
WHERE batch_id IN (SELECT batch_id FROM _ql_scope)
