-- name: bias/earlier_batches
-- The batches delivered before $batch_id by the same vendor, latest first (by delivered date, then
-- the time each was first ingested). No rows when the batch has no vendor or delivered date.
-- params: $batch_id
SELECT p.batch_id, p.vendor, p.delivered
FROM batches b
JOIN batches p ON p.vendor = b.vendor AND p.batch_id <> b.batch_id
WHERE b.batch_id = $batch_id
  AND (p.delivered < b.delivered OR (p.delivered = b.delivered AND p.created_at < b.created_at))
ORDER BY p.delivered DESC, p.created_at DESC
