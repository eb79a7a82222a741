-- name: decisions/current_all
-- The current decision of every decided batch: one row per batch (its latest decisions row).
-- params: none
SELECT decision_id, batch_id, decision, gate_verdict, override_reason, decided_by, note, decided_at,
       report_sha256, gates_sha256, gates_source, contract_name, contract_version, contract_sha256,
       contract_week, excluded, CAST(exclusion_reasons AS VARCHAR) AS exclusion_reasons, exclude_flagged,
       supersedes, qualitylab_version
FROM decisions
QUALIFY row_number() OVER (PARTITION BY batch_id ORDER BY decision_id DESC) = 1
ORDER BY batch_id
