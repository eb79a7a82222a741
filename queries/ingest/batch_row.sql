-- name: ingest/batch_row
-- the batch's own row, if it exists.  params: $batch_id
SELECT batch_id, vendor, delivered FROM batches WHERE batch_id = $batch_id
