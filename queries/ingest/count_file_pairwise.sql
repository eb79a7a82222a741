-- name: ingest/count_file_pairwise
-- number of verdicts rows stored from one file.  params: $file_id
SELECT count(*) AS n FROM verdicts WHERE file_id = $file_id
