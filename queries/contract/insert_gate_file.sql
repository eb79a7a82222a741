-- name: contract/insert_gate_file
-- Store the contents of one gate file named by a contract version.
-- params: $name, $version, $path, $sha256, $gates_text
INSERT INTO contract_gate_files VALUES ($name, $version, $path, $sha256, $gates_text)
