-- name: judges/pairwise_items
-- What a pairwise judge is shown: one row per comparison of the batch with both response texts,
-- and its reference answer (NULL: none), taken from its first delivered row (file_id,
-- source_line); judge-run rows are never a source.
-- params: $batch_id
SELECT comparison_id AS item_id, coalesce(prompt, '') AS prompt, response_a, response_b, reference_answer
FROM verdicts
WHERE batch_id = $batch_id AND response_a IS NOT NULL AND response_b IS NOT NULL
  AND file_id NOT IN (SELECT file_id FROM files WHERE batch_id = $batch_id AND format = 'judge-run')
QUALIFY row_number() OVER (PARTITION BY comparison_id ORDER BY file_id, source_line) = 1
ORDER BY item_id
