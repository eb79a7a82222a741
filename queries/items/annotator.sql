-- name: items/annotator
-- Items filter `annotator=ANNOTATOR`: every pairwise verdict of one annotator in delivery order
-- (file, line), the rows behind a straight-lining flag (label runs and entropy are read in this
-- order; duplicate copies, schema v12, left out as the label runs leave them out). One row per
-- verdict. Paged by $limit and $offset.
-- params: $batch_id, $annotator_id, $limit, $offset
SELECT comparison_id, annotator_id, annotator_kind, preference, strength, shown_first, seconds, file_id, source_line
FROM verdicts
WHERE batch_id = $batch_id AND annotator_id = $annotator_id AND NOT duplicate_copy
ORDER BY file_id, source_line
LIMIT $limit OFFSET $offset
