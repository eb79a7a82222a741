-- name: items/quarantined
-- Items filter `quarantined`: the batch's quarantined rows (ingest --quarantine) with the file,
-- line, column and reason, and the raw row as delivered. One row per quarantined row.
-- Ordered by file and line; paged by $limit and $offset.
-- params: $batch_id, $limit, $offset
SELECT f.file_name, q.file_id, q.source_line, q.column_name, q.reason, q.raw
FROM quarantine q JOIN files f ON f.file_id = q.file_id
WHERE q.batch_id = $batch_id
ORDER BY q.file_id, q.source_line NULLS LAST
LIMIT $limit OFFSET $offset
