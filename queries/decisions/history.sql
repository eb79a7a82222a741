-- name: decisions/history
-- Every decision on a batch, oldest first (the append-only record; the last row is current).
-- params: $batch_id
SELECT decision_id, batch_id, decision, gate_verdict, override_reason, decided_by, note, decided_at,
       report_sha256, gates_sha256, gates_source, contract_name, contract_version, contract_sha256,
       contract_week, excluded, CAST(exclusion_reasons AS VARCHAR) AS exclusion_reasons, exclude_flagged,
       supersedes, qualitylab_version
FROM decisions
WHERE batch_id = $batch_id
ORDER BY decision_id
