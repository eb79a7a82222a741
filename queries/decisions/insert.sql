-- name: decisions/insert
-- Append one decision (the table is append-only: no query updates or deletes a row). The id is
-- the next integer; decided_at the current time.
-- params: every column but decision_id and decided_at
INSERT INTO decisions
SELECT coalesce(max(decision_id), 0) + 1, $batch_id, $decision, $gate_verdict, $override_reason, $decided_by,
       $note, current_localtimestamp(), $report_sha256, $gates_sha256, $gates_source, $contract_name,
       $contract_version, $contract_sha256, $contract_week, $excluded, $exclusion_reasons, $exclude_flagged,
       $supersedes, $qualitylab_version
FROM decisions
