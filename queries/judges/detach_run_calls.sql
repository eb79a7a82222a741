-- name: judges/detach_run_calls
-- A judge run's calls stop backing it (before judges/attach_run_calls picks the current ones).
-- params: $file_id
UPDATE judge_calls SET file_id = NULL WHERE file_id = $file_id
