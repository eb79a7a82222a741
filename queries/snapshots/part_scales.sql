-- name: snapshots/part_scales
-- Fingerprint part "scales": the batch's scale per kind and target (declared at ingest or inferred),
-- which sets the categories of every chance-corrected coefficient.  params: $batch_id
SELECT kind, target, labels, low, high, declared, source
FROM scales WHERE batch_id = $batch_id
ORDER BY kind, target
