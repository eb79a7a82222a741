-- name: ingest/batch_files
-- one row per file already stored in the batch.  params: $batch_id
SELECT file_id, kind, format, file_name, sha256, n_rows, n_stored, n_quarantined
FROM files WHERE batch_id = $batch_id ORDER BY file_id
