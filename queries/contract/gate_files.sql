-- name: contract/gate_files
-- The gate files stored with one contract version: one row per path as the contract names it.
-- params: $name, $version
SELECT path, sha256, gates_text
FROM contract_gate_files
WHERE name = $name AND version = $version
ORDER BY path
