-- name: contract/latest
-- The latest version of a contract: one row (or none when no contract has that name).
-- params: $name
SELECT name, version, sha256, file_name, contract_text, CAST(plan AS VARCHAR) AS plan, vendor, added_at,
       qualitylab_version
FROM contracts
WHERE name = $name
ORDER BY version DESC
LIMIT 1
