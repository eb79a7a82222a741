-- name: judges/pending_calls
-- The calls a judge run still has to make: the run's tasks (the temp table _judge_tasks, one row
-- per item and order with the SHA-256 of the request it needs) that have no successful cached
-- call with the same batch, mode, aspect, annotator_id, item, order and call_sha256. A failed call
-- is a gap; an unparsed output is not (it is the model's answer). Legacy rows (call_sha256 NULL)
-- never match.
-- params: $batch_id, $mode, $aspect, $annotator_id
SELECT t.item_id, t.shown_first, t.call_sha256
FROM _judge_tasks t
WHERE NOT EXISTS (
    SELECT 1 FROM judge_calls j
    WHERE j.batch_id = $batch_id AND j.mode = $mode AND j.aspect = $aspect AND j.annotator_id = $annotator_id
      AND j.item_id = t.item_id AND j.shown_first = t.shown_first
      AND j.call_sha256 = t.call_sha256 AND j.error IS NULL)
ORDER BY t.item_id, t.shown_first
