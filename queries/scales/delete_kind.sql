-- name: scales/delete_kind
-- Remove the batch's stored scale rows of one kind (before writing them anew at ingest).
-- params: $batch_id, $kind
DELETE FROM scales WHERE batch_id = $batch_id AND kind = $kind
