-- name: export/rating_reasons
-- Stored ratings of the batches in scope by why they are not exported: one row per batch and
-- drop_reason (NULL = retained), with n_rows.
-- params: none
SELECT s.batch_id, r.drop_reason, count(r.batch_id) AS n_rows
FROM _ql_scope s LEFT JOIN _ql_rating_rows r ON r.batch_id = s.batch_id
GROUP BY s.batch_id, r.drop_reason
ORDER BY s.batch_id, r.drop_reason NULLS FIRST
