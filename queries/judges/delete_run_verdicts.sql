-- name: judges/delete_run_verdicts
-- Remove the verdicts a judge run stored (they are rebuilt from the cache).  params: $file_id
DELETE FROM verdicts WHERE file_id = $file_id
