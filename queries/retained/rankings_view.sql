-- name: retained/rankings_view
-- The stored rankings of the batches in scope (temp table _ql_scope), each with its stored
-- duplicate_copy (the report's one duplicate rule, schema v12). One row per stored row. Created as
-- the temp view _ql_rankings that the contract and export queries read.
-- params: none
CREATE OR REPLACE TEMP VIEW _ql_rankings AS
SELECT k.*
FROM rankings k
WHERE k.batch_id IN (SELECT batch_id FROM _ql_scope)
