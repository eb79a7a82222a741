-- name: ingest/count_file_rating
-- number of ratings rows stored from one file.  params: $file_id
SELECT count(*) AS n FROM ratings WHERE file_id = $file_id
