-- name: overview/quarantine_rows
-- The batch's quarantined rows with their reasons (the evidence).  params: $batch_id, $limit
SELECT f.file_name, q.source_line, q.column_name, q.reason, q.raw
FROM quarantine q JOIN files f USING (file_id)
WHERE q.batch_id = $batch_id
ORDER BY f.file_id, q.source_line
LIMIT $limit
