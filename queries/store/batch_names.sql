-- name: store/batch_names
-- one row per batch, in delivery order.
SELECT batch_id FROM batches ORDER BY delivered NULLS LAST, created_at, batch_id
