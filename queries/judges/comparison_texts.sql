-- name: judges/comparison_texts
-- The texts of some comparisons (the first delivered row with both responses): one row per comparison.
-- params: $batch_id, $ids (list of comparison_id)
SELECT comparison_id AS item_id, coalesce(prompt, '') AS prompt, response_a, response_b
FROM verdicts
WHERE batch_id = $batch_id AND comparison_id IN (SELECT unnest($ids))
  AND response_a IS NOT NULL AND response_b IS NOT NULL
QUALIFY row_number() OVER (PARTITION BY comparison_id ORDER BY file_id, source_line) = 1
