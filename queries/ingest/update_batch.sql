-- name: ingest/update_batch
-- fill in the vendor (when unknown) and the delivered date (when given).  params: $batch_id, $vendor, $delivered
UPDATE batches SET vendor = coalesce(vendor, $vendor), delivered = coalesce($delivered, delivered)
WHERE batch_id = $batch_id
