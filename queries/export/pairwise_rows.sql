-- name: export/pairwise_rows
-- The pairwise export: every retained human verdict (_ql_verdict_rows, drop_reason NULL) as a
-- canonical pairwise row (the ingest vocabulary, README "The canonical format"), so the file can be
-- ingested again; then batch_id (kept in `extra` on re-ingest). In (batch_id, comparison_id,
-- file_id, source_line) order. shown_first is NULL where it was not recorded.
-- params: none
SELECT comparison_id, annotator_id, preference, prompt, response_a, response_b, prompt_id, model_a, model_b,
       annotator_kind,
       CASE WHEN shown_first_recorded THEN shown_first END AS shown_first,
       CAST(strength AS INTEGER) AS strength, rating_a, rating_b, seconds, gold, category, created_at,
       batch_id
FROM _ql_verdict_rows
WHERE drop_reason IS NULL
ORDER BY batch_id, comparison_id, file_id, source_line
