-- name: bias/label_counts_by_annotator
-- One row per (annotator_kind, annotator_id, preference): how many of the annotator's verdicts in
-- the batch carry that label. Batch totals are sums of these rows.
-- params: $batch_id
SELECT annotator_kind, annotator_id, preference, count(*) AS n
FROM verdicts
WHERE batch_id = $batch_id AND NOT duplicate_copy
GROUP BY ALL
ORDER BY annotator_kind, annotator_id, preference
