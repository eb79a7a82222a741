-- name: retained/rankings_view
-- The stored ranking rows of the batches in scope with `duplicate_copy` (_ql_ranking_dups). One
-- row per stored ranking row. Created as the temp view _ql_rankings.
-- params: none
CREATE OR REPLACE TEMP VIEW _ql_rankings AS
SELECT k.*, d.duplicate_copy
FROM rankings k
JOIN _ql_ranking_dups d ON d.file_id = k.file_id AND d.source_line = k.source_line
WHERE k.batch_id IN (SELECT batch_id FROM _ql_scope)
