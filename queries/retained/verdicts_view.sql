-- name: retained/verdicts_view
-- The stored verdicts of the batches in scope (temp table _ql_scope) with `duplicate_copy` from the
-- temp table _ql_verdict_dups (retained/verdict_dups). One row per stored verdict. Created as the
-- temp view _ql_verdicts that the contract and export queries read.
-- params: none
CREATE OR REPLACE TEMP VIEW _ql_verdicts AS
SELECT v.*, d.duplicate_copy
FROM verdicts v
JOIN _ql_verdict_dups d ON d.file_id = v.file_id AND d.source_line = v.source_line
WHERE v.batch_id IN (SELECT batch_id FROM _ql_scope)
