-- name: ingest/insert_batch
-- params: $batch_id, $vendor, $delivered
INSERT INTO batches (batch_id, vendor, delivered, created_at)
VALUES ($batch_id, $vendor, $delivered, current_localtimestamp())
