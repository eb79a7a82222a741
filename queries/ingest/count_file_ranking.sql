-- name: ingest/count_file_ranking
-- number of rankings rows stored from one file.  params: $file_id
SELECT count(*) AS n FROM rankings WHERE file_id = $file_id
