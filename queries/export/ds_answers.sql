-- name: export/ds_answers
-- The answers the `dawid-skene` label source fits: one row per retained human verdict
-- (_ql_verdict_rows with drop_reason NULL): batch_id, comparison_id, annotator_id, preference.
-- Ordered, so the fit's codes (and so its result) do not depend on delivery order.
-- params: none
SELECT batch_id, comparison_id, annotator_id, preference
FROM _ql_verdict_rows
WHERE drop_reason IS NULL
ORDER BY batch_id, comparison_id, annotator_id, preference
