-- name: contract/batch_link
-- The contract week a batch is linked to (one row, or none): the link and the contract's latest
-- version, whose week plan and gate file judge the batch.
-- params: $batch_id
SELECT l.batch_id, l.contract_name, l.week, l.linked_at, c.version AS contract_version,
       c.sha256 AS contract_sha256
FROM contract_links l
JOIN contracts c ON c.name = l.contract_name
WHERE l.batch_id = $batch_id
  AND c.version = (SELECT max(version) FROM contracts x WHERE x.name = l.contract_name)
