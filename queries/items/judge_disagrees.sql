-- name: items/judge_disagrees
-- Items filter `judge_disagrees=JUDGE`: the verdicts of the judge $annotator_id (both orders: each
-- verdict is a row) that differ from the comparison's strict human majority (items/human_counts:
-- the label of more than half of its human verdicts, tie a label -- the judges'
-- accuracy_vs_majority). Comparisons without a strict human majority are not scored and not
-- listed; duplicate copies (schema v12) are left out on both sides. One row per judge verdict,
-- with the majority's margin (n_majority of n_human) so a narrow majority can be told from a clear
-- one. Ordered by comparison_id, then order shown; paged by $limit and $offset.
-- params: $batch_id, $annotator_id, $limit, $offset
WITH m AS (
    -- include: items/human_counts
)
SELECT j.comparison_id, j.annotator_id, j.preference, j.shown_first, j.shown_first_recorded,
       m.majority, m.n_majority, m.n_human, j.file_id, j.source_line
FROM verdicts j JOIN m USING (comparison_id)
WHERE j.batch_id = $batch_id AND j.annotator_kind = 'judge' AND j.annotator_id = $annotator_id
  AND NOT j.duplicate_copy AND m.majority IS NOT NULL AND j.preference <> m.majority
ORDER BY j.comparison_id, j.shown_first, j.file_id, j.source_line
LIMIT $limit OFFSET $offset
