-- name: store/batch_exists
-- one row if the batch exists.  params: $batch_id
SELECT batch_id FROM batches WHERE batch_id = $batch_id
