-- name: contract/insert
-- Store one contract version (append-only: versions are never changed or deleted).
-- params: $name, $version, $sha256, $file_name, $contract_text, $plan, $vendor, $qualitylab_version
INSERT INTO contracts VALUES ($name, $version, $sha256, $file_name, $contract_text, $plan, $vendor,
                              current_localtimestamp(), $qualitylab_version)
