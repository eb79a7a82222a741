-- name: judges/single_texts
-- The texts of some items to grade: one row per item_id (prompt, response).
-- $source = 'ratings': the first delivered rating row of the item; 'comparisons': response A or B
-- of the comparison named before the '/'.  params: $batch_id, $source, $ids (list of item_id)
SELECT item_id, coalesce(prompt, '') AS prompt, response FROM ratings
WHERE $source = 'ratings' AND batch_id = $batch_id AND item_id IN (SELECT unnest($ids))
  AND response IS NOT NULL
  AND file_id NOT IN (SELECT file_id FROM files WHERE batch_id = $batch_id AND format = 'judge-run')
QUALIFY row_number() OVER (PARTITION BY item_id ORDER BY file_id, source_line) = 1
UNION ALL
SELECT item_id, prompt, response FROM (
    SELECT i.item_id, coalesce(v.prompt, '') AS prompt,
           CASE WHEN right(i.item_id, 1) = 'A' THEN v.response_a ELSE v.response_b END AS response,
           row_number() OVER (PARTITION BY i.item_id ORDER BY v.file_id, v.source_line) AS k
    FROM (SELECT unnest($ids) AS item_id) i
    JOIN verdicts v ON v.batch_id = $batch_id
         AND v.comparison_id = left(i.item_id, length(i.item_id) - 2)
         AND v.response_a IS NOT NULL AND v.response_b IS NOT NULL
    WHERE $source = 'comparisons')
WHERE k = 1
