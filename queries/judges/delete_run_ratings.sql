-- name: judges/delete_run_ratings
-- Remove the ratings a judge run stored (they are rebuilt from the cache).  params: $file_id
DELETE FROM ratings WHERE file_id = $file_id
