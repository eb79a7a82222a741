-- name: judges/update_run_file
-- Refresh a judge run's provenance: n_rows = cached calls of the run, n_stored = rows it stored.
-- params: $file_id, $n_rows, $n_stored
UPDATE files SET n_rows = $n_rows, n_stored = $n_stored, ingested_at = current_localtimestamp()
WHERE file_id = $file_id
