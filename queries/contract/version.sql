-- name: contract/version
-- One version of a contract: one row (or none).
-- params: $name, $version
SELECT name, version, sha256, file_name, contract_text, CAST(plan AS VARCHAR) AS plan, vendor, added_at,
       qualitylab_version
FROM contracts
WHERE name = $name AND version = $version
