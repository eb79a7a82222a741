-- name: overview/label_distribution
-- One row per (annotator_kind, preference): how many verdicts of the batch carry that label.
-- params: $batch_id
SELECT annotator_kind, preference, count(*) AS n
FROM verdicts WHERE batch_id = $batch_id AND NOT duplicate_copy
GROUP BY ALL ORDER BY annotator_kind, preference
