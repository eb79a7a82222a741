-- name: ingest/delete_file_ranking
-- drop the rankings rows of a replaced file.  params: $file_id
DELETE FROM rankings WHERE file_id = $file_id
