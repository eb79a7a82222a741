-- name: retained/ratings_view
-- The stored ratings of the batches in scope (temp table _ql_scope), each with its stored
-- duplicate_copy (the report's one duplicate rule, schema v12). One row per stored row. Created as
-- the temp view _ql_ratings that the contract and export queries read.
-- params: none
CREATE OR REPLACE TEMP VIEW _ql_ratings AS
SELECT r.*
FROM ratings r
WHERE r.batch_id IN (SELECT batch_id FROM _ql_scope)
