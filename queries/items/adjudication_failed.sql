-- name: items/adjudication_failed
-- Items filter `adjudication_failed[=ANNOTATOR]`: human verdicts on adjudicated comparisons whose
-- preference differs from the adjudicated label -- the misses behind accuracy against adjudication
-- (queries/adjudications/accuracy.sql). The current adjudications come as $comparison_ids / $labels
-- (paired by position; qualitylab/adjudicated.py). $annotator_id NULL = every human annotator.
-- One row per verdict (duplicate copies, schema v12, left out). Ordered by comparison_id, annotator, line; paged by $limit and $offset.
-- params: $batch_id, $annotator_id (text or NULL), $comparison_ids, $labels, $limit, $offset
WITH adj AS (
    SELECT unnest(CAST($comparison_ids AS VARCHAR[])) AS comparison_id,
           unnest(CAST($labels AS VARCHAR[])) AS adjudicated
)
SELECT v.comparison_id, v.annotator_id, v.preference, a.adjudicated, v.seconds, v.file_id, v.source_line
FROM verdicts v JOIN adj a USING (comparison_id)
WHERE v.batch_id = $batch_id AND v.annotator_kind = 'human' AND NOT v.duplicate_copy
  AND v.preference <> a.adjudicated
  AND ($annotator_id IS NULL OR v.annotator_id = $annotator_id)
ORDER BY v.comparison_id, v.annotator_id, v.file_id, v.source_line
LIMIT $limit OFFSET $offset
