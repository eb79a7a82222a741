-- name: overview/quarantine_summary
-- One row per (file, column, reason) among the batch's quarantined rows.  params: $batch_id
SELECT f.file_name, q.column_name, q.reason, count(*) AS n, min(q.source_line) AS first_line
FROM quarantine q JOIN files f USING (file_id)
WHERE q.batch_id = $batch_id
GROUP BY ALL ORDER BY n DESC, first_line, f.file_name, q.column_name, q.reason
