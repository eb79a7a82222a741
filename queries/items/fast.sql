-- name: items/fast
-- Items filter `fast[=ANNOTATOR]`: human verdicts given in less than $min_seconds seconds (the
-- report's fast_seconds; hygiene/fast_verdicts) -- of one annotator, or of all when $annotator_id
-- is NULL. One row per verdict (duplicate copies, schema v12, left out as the check leaves them
-- out). Ordered by comparison_id, annotator, line; paged by $limit and $offset.
-- params: $batch_id, $annotator_id (text or NULL), $min_seconds, $limit, $offset
SELECT comparison_id, annotator_id, preference, seconds, file_id, source_line
FROM verdicts
WHERE batch_id = $batch_id AND annotator_kind = 'human' AND NOT duplicate_copy AND seconds < $min_seconds
  AND ($annotator_id IS NULL OR annotator_id = $annotator_id)
ORDER BY comparison_id, annotator_id, file_id, source_line
LIMIT $limit OFFSET $offset
