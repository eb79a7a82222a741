-- name: items/item_verdicts
-- One item's verdicts: every stored verdict of comparison $comparison_id in the batch, humans
-- first, with the delivered file and line (provenance) and duplicate_copy (an exact copy of an earlier
-- row, schema v12: shown, not counted). No texts (items/item_texts reads them).
-- params: $batch_id, $comparison_id
SELECT v.annotator_id, v.annotator_kind, v.preference, v.strength, v.shown_first, v.shown_first_recorded,
       v.seconds, v.gold, v.created_at, v.rating_a, v.rating_b, v.duplicate_copy, f.file_name, v.file_id, v.source_line
FROM verdicts v JOIN files f ON f.file_id = v.file_id
WHERE v.batch_id = $batch_id AND v.comparison_id = $comparison_id
ORDER BY v.annotator_kind DESC, v.annotator_id, v.file_id, v.source_line
