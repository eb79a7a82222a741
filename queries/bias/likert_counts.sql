-- name: bias/likert_counts
-- One row per (annotator_kind, aspect, annotator_id, score): how many ratings of the batch carry
-- that score.
-- params: $batch_id
SELECT annotator_kind, aspect, annotator_id, score, count(*) AS n
FROM ratings
WHERE batch_id = $batch_id AND NOT duplicate_copy
GROUP BY ALL
ORDER BY annotator_kind, aspect, annotator_id, score
