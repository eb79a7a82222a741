-- name: bias/previous_batch
-- The batch delivered just before $batch_id by the same vendor (by delivered date, then the time
-- it was first ingested); no row when the batch has no vendor or delivered date, or is the first.
-- params: $batch_id
SELECT p.batch_id, p.vendor, p.delivered
FROM batches b
JOIN batches p ON p.vendor = b.vendor AND p.batch_id <> b.batch_id
WHERE b.batch_id = $batch_id
  AND (p.delivered < b.delivered OR (p.delivered = b.delivered AND p.created_at < b.created_at))
ORDER BY p.delivered DESC, p.created_at DESC
LIMIT 1
