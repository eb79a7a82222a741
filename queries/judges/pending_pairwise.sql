-- name: judges/pending_pairwise
-- The calls a pairwise judge run still has to make: one row per (comparison, order) with both
-- response texts and no successful cached call for this model and template (a call that failed
-- is a gap; an unparsed output is not — it is the model's answer).
-- params: $batch_id, $model, $template_sha256, $orders (list of 'A' / 'B': the response shown first)
WITH comparisons AS (
    SELECT DISTINCT comparison_id FROM verdicts
    WHERE batch_id = $batch_id AND response_a IS NOT NULL AND response_b IS NOT NULL
)
SELECT c.comparison_id AS item_id, o.shown_first
FROM comparisons c CROSS JOIN (SELECT unnest($orders) AS shown_first) o
WHERE NOT EXISTS (
    SELECT 1 FROM judge_calls j
    WHERE j.batch_id = $batch_id AND j.mode = 'pairwise' AND j.item_id = c.comparison_id
      AND j.shown_first = o.shown_first AND j.aspect = '' AND j.model = $model
      AND j.template_sha256 = $template_sha256 AND j.error IS NULL)
ORDER BY c.comparison_id, o.shown_first
