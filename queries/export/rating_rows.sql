-- name: export/rating_rows
-- The ratings export, one range of a delivered file at a time: every retained human rating
-- (_ql_rating_rows, drop_reason NULL) of batch $batch_id, file $file_id, lines $lo..$hi, as a
-- canonical rating row (re-ingestable), then batch_id. In delivery order (source_line).
-- params: $batch_id, $file_id, $lo, $hi
SELECT item_id, annotator_id, score, aspect, prompt_id, prompt, response, model, annotator_kind, seconds,
       created_at, batch_id
FROM _ql_rating_rows
WHERE drop_reason IS NULL AND batch_id = $batch_id AND file_id = $file_id AND source_line BETWEEN $lo AND $hi
ORDER BY source_line
