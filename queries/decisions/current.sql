-- name: decisions/current
-- A batch's current decision: its decisions row with the highest decision_id (one row, or none
-- when the batch was never decided). decision 'reopen' means: no decision in force.
-- params: $batch_id
SELECT decision_id, batch_id, decision, gate_verdict, override_reason, decided_by, note, decided_at,
       report_sha256, gates_sha256, gates_source, contract_name, contract_version, contract_sha256,
       contract_week, excluded, CAST(exclusion_reasons AS VARCHAR) AS exclusion_reasons, exclude_flagged,
       supersedes, qualitylab_version
FROM decisions
WHERE batch_id = $batch_id
ORDER BY decision_id DESC
LIMIT 1
