-- name: items/annotators
-- The batch's pairwise annotators (humans and judges), for the Items page's value box: one row
-- per annotator with its kind and verdict count.
-- params: $batch_id
SELECT annotator_id, annotator_kind, count(*) AS n_verdicts
FROM verdicts
WHERE batch_id = $batch_id
GROUP BY annotator_id, annotator_kind
ORDER BY annotator_kind, annotator_id
