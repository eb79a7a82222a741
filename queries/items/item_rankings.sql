-- name: items/item_rankings
-- The ranking rows linked to one item: rankings of the batch of the item's prompt_id whose model is
-- one of the pair ($models) (signals area's link by prompt_id and model). One row per ranked response.
-- params: $batch_id, $prompt_id, $models (list of text)
SELECT r.annotator_id, r.annotator_kind, r.response_id, r.model, r.rank, f.file_name, r.source_line
FROM rankings r JOIN files f ON f.file_id = r.file_id
WHERE r.batch_id = $batch_id AND r.prompt_id = $prompt_id AND list_contains($models, r.model)
ORDER BY r.annotator_id, r.rank, r.model, r.file_id, r.source_line
