-- name: items/files
-- The batch's files, for provenance in item listings: one row per file (id and name as delivered).
-- params: $batch_id
SELECT file_id, file_name FROM files WHERE batch_id = $batch_id ORDER BY file_id
