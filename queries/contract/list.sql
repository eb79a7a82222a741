-- name: contract/list
-- One row per contract: its latest version, when it was added and how many batches link to it.
-- params: none
SELECT c.name, c.version, c.vendor, c.sha256, c.file_name, c.added_at,
       (SELECT count(*) FROM contract_links l WHERE l.contract_name = c.name) AS n_batches
FROM contracts c
WHERE c.version = (SELECT max(version) FROM contracts x WHERE x.name = c.name)
ORDER BY c.name
