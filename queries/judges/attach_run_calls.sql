-- name: judges/attach_run_calls
-- The calls that back a judge run: for each of the run's tasks (_judge_tasks), its cached call with
-- the same request (batch, mode, aspect, annotator_id, item, order, call_sha256), successful or
-- failed.  params: $file_id, $batch_id, $mode, $aspect, $annotator_id
UPDATE judge_calls j SET file_id = $file_id
FROM _judge_tasks t
WHERE j.batch_id = $batch_id AND j.mode = $mode AND j.aspect = $aspect AND j.annotator_id = $annotator_id
  AND j.item_id = t.item_id AND j.shown_first = t.shown_first AND j.call_sha256 = t.call_sha256
