-- name: snapshots/part_batch
-- Fingerprint part "batch": the batch's own row (vendor, delivered date, first ingest time). One row.
-- params: $batch_id
SELECT batch_id, vendor, delivered, created_at FROM batches WHERE batch_id = $batch_id
