-- name: retained/ratings_view
-- The stored ratings of the batches in scope with `duplicate_copy` (_ql_rating_dups). One row per
-- stored rating. Created as the temp view _ql_ratings.
-- params: none
CREATE OR REPLACE TEMP VIEW _ql_ratings AS
SELECT r.*, d.duplicate_copy
FROM ratings r
JOIN _ql_rating_dups d ON d.file_id = r.file_id AND d.source_line = r.source_line
WHERE r.batch_id IN (SELECT batch_id FROM _ql_scope)
