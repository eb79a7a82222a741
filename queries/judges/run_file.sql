-- name: judges/run_file
-- The provenance row of one judge run (a `files` row with format 'judge-run'), if it exists.
-- One row per matching file.  params: $batch_id, $file_name
SELECT file_id FROM files
WHERE batch_id = $batch_id AND format = 'judge-run' AND file_name = $file_name
