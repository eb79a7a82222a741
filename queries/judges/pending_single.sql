-- name: judges/pending_single
-- Single-answer grading calls still to make: the items of judges/single_items with no successful
-- cached call for this model, template and aspect.  One row per item.
-- params: $batch_id, $source, $model, $template_sha256, $aspect
WITH items AS (
    SELECT DISTINCT item_id FROM ratings
    WHERE $source = 'ratings' AND batch_id = $batch_id AND response IS NOT NULL
      AND file_id NOT IN (SELECT file_id FROM files WHERE batch_id = $batch_id AND format = 'judge-run')
    UNION ALL
    SELECT comparison_id || '/' || slot
    FROM (SELECT DISTINCT comparison_id FROM verdicts
          WHERE $source = 'comparisons' AND batch_id = $batch_id
            AND response_a IS NOT NULL AND response_b IS NOT NULL)
    CROSS JOIN (VALUES ('A'), ('B')) s(slot)
)
SELECT i.item_id, '-' AS shown_first FROM items i
WHERE NOT EXISTS (
    SELECT 1 FROM judge_calls j
    WHERE j.batch_id = $batch_id AND j.mode = 'single' AND j.item_id = i.item_id
      AND j.aspect = $aspect AND j.model = $model AND j.template_sha256 = $template_sha256
      AND j.error IS NULL)
ORDER BY i.item_id
