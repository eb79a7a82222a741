-- name: decisions/protected
-- Is the batch protected? One row when its current decision is in force (accept, reject or
-- accept_partial): its data must not change until a later decision reopens it. None otherwise.
-- params: $batch_id
SELECT decision_id, decision, decided_by, decided_at
FROM decisions
WHERE batch_id = $batch_id
QUALIFY row_number() OVER (ORDER BY decision_id DESC) = 1 AND decision <> 'reopen'
