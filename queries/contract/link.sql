-- name: contract/link
-- Link a batch to a contract week (a batch delivers one week: a new link replaces the old one).
-- params: $batch_id, $contract_name, $week
INSERT OR REPLACE INTO contract_links VALUES ($batch_id, $contract_name, $week, current_localtimestamp())
