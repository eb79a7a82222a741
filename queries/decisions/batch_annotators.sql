-- name: decisions/batch_annotators
-- Every annotator id with a stored verdict, rating or ranking row in the batch: one row per id.
-- params: $batch_id
SELECT annotator_id FROM verdicts WHERE batch_id = $batch_id
UNION
SELECT annotator_id FROM ratings WHERE batch_id = $batch_id
UNION
SELECT annotator_id FROM rankings WHERE batch_id = $batch_id
ORDER BY annotator_id
