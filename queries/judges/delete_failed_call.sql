-- name: judges/delete_failed_call
-- Before a call's new result is stored: drop the earlier failed attempts of the same request
-- (same batch, mode, aspect, annotator_id, item, order and call_sha256).  params: those seven
DELETE FROM judge_calls
WHERE batch_id = $batch_id AND mode = $mode AND aspect = $aspect AND annotator_id = $annotator_id
  AND item_id = $item_id AND shown_first = $shown_first AND call_sha256 = $call_sha256 AND error IS NOT NULL
