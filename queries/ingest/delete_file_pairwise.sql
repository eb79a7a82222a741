-- name: ingest/delete_file_pairwise
-- drop the verdicts rows of a replaced file.  params: $file_id
DELETE FROM verdicts WHERE file_id = $file_id
