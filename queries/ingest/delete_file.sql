-- name: ingest/delete_file
-- forget a replaced file's provenance row.  params: $file_id
DELETE FROM files WHERE file_id = $file_id
