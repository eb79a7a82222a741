-- name: items/gold_failed
-- Items filter `gold_failed[=ANNOTATOR]`: human verdicts on honeypot items (gold given) whose
-- preference differs from the gold label -- the misses behind gold_accuracy. $annotator_id NULL =
-- every human annotator. One row per verdict (repeats included, as gold_accuracy counts them;
-- duplicate copies, schema v12, left out as gold_accuracy leaves them out).
-- Ordered by comparison_id, annotator, line; paged by $limit and $offset.
-- params: $batch_id, $annotator_id (text or NULL), $limit, $offset
SELECT comparison_id, annotator_id, preference, gold, seconds, file_id, source_line
FROM verdicts
WHERE batch_id = $batch_id AND annotator_kind = 'human' AND NOT duplicate_copy
  AND gold IS NOT NULL AND preference <> gold
  AND ($annotator_id IS NULL OR annotator_id = $annotator_id)
ORDER BY comparison_id, annotator_id, file_id, source_line
LIMIT $limit OFFSET $offset
