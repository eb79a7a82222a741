-- name: export/verdict_reasons
-- Stored verdicts of the batches in scope by why they are not exported: one row per batch and
-- drop_reason (NULL = retained), with n_rows. Quarantined rows are counted by retained/quarantined.
-- params: none
SELECT s.batch_id, v.drop_reason, count(v.batch_id) AS n_rows
FROM _ql_scope s LEFT JOIN _ql_verdict_rows v ON v.batch_id = s.batch_id
GROUP BY s.batch_id, v.drop_reason
ORDER BY s.batch_id, v.drop_reason NULLS FIRST
