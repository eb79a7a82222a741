-- name: export/rating_rows
-- The ratings export: every retained human rating (_ql_rating_rows, drop_reason NULL) as a canonical
-- rating row (re-ingestable), then batch_id. In (batch_id, item_id, aspect, file_id, source_line) order.
-- params: none
SELECT item_id, annotator_id, score, aspect, prompt_id, prompt, response, model, annotator_kind, seconds,
       created_at, batch_id
FROM _ql_rating_rows
WHERE drop_reason IS NULL
ORDER BY batch_id, item_id, aspect, file_id, source_line
