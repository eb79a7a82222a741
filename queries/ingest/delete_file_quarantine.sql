-- name: ingest/delete_file_quarantine
-- forget a replaced file's quarantined rows.  params: $file_id
DELETE FROM quarantine WHERE file_id = $file_id
