-- name: judges/count_rated_items
-- How many rated items (with a response text) the batch's delivered ratings hold.  One row.
-- params: $batch_id
SELECT count(DISTINCT item_id) AS n FROM ratings r
WHERE batch_id = $batch_id AND response IS NOT NULL
  AND file_id NOT IN (SELECT file_id FROM files WHERE batch_id = $batch_id AND format = 'judge-run')
