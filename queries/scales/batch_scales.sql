-- name: scales/batch_scales
-- One row per (kind, target) of the batch's stored scale (table scales, schema v5): the labels
-- offered ('pairwise', 'preference') or the range LOW-HIGH ('pairwise', 'strength'; 'rating', an
-- aspect), declared at ingest or inferred from the delivered rows.  params: $batch_id
SELECT kind, target, labels, low, high, declared, source, file_id
FROM scales
WHERE batch_id = $batch_id
ORDER BY kind, target
