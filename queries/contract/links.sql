-- name: contract/links
-- The batches linked to a contract: one row per batch, with its delivery date, in week order.
-- params: $name
SELECT l.batch_id, l.week, l.linked_at, b.vendor, b.delivered
FROM contract_links l
JOIN batches b ON b.batch_id = l.batch_id
WHERE l.contract_name = $name
ORDER BY l.week, b.delivered NULLS LAST, l.batch_id
