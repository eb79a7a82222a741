-- name: ingest/delete_file_rating
-- drop the ratings rows of a replaced file.  params: $file_id
DELETE FROM ratings WHERE file_id = $file_id
