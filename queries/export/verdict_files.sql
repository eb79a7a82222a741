-- name: export/verdict_files
-- The delivered pairwise files of the batches in scope: one row per (batch_id, file_id) with the
-- first and last source_line of its stored verdicts, in (batch_id, file_id) order. The export reads
-- each file's lines in ranges, in this order.
-- params: none
SELECT batch_id, file_id, min(source_line) AS min_line, max(source_line) AS max_line
FROM _ql_verdicts
GROUP BY batch_id, file_id
ORDER BY batch_id, file_id
