-- name: retained/verdict_dups
-- One row per stored verdict of the batches in scope (_ql_scope), keyed by (file_id, source_line),
-- with duplicate_copy: true on every copy of an exact duplicate row beyond the first (lowest
-- file_id, source_line) of its batch, by the report's one duplicate rule (the delivered columns
-- of hygiene/duplicate_rows; texts through content_hash; NULLs equal). Narrow: no text is read.
-- params: none
SELECT file_id, source_line,
       row_number() OVER (
           PARTITION BY batch_id, comparison_id, annotator_id, annotator_kind, preference, shown_first,
                        shown_first_recorded, strength, rating_a, rating_b, seconds, gold, category, created_at,
                        prompt_id, model_a, model_b, content_hash, CAST(extra AS VARCHAR)
           ORDER BY file_id, source_line) > 1 AS duplicate_copy
FROM verdicts
WHERE batch_id IN (SELECT batch_id FROM _ql_scope)
