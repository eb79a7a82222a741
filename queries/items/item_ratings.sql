-- name: items/item_ratings
-- The ratings linked to one item: ratings of the batch with the item's prompt_id and a model of
-- the pair ($models), as the signals area links them (by prompt_id and model). One row per rating.
-- params: $batch_id, $prompt_id, $models (list of text)
SELECT r.item_id, r.model, r.aspect, r.annotator_id, r.annotator_kind, r.score, r.seconds,
       f.file_name, r.source_line
FROM ratings r JOIN files f ON f.file_id = r.file_id
WHERE r.batch_id = $batch_id AND r.prompt_id = $prompt_id AND list_contains($models, r.model)
ORDER BY r.model, r.aspect, r.annotator_id, r.file_id, r.source_line
