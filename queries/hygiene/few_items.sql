-- name: hygiene/few_items
-- Check: annotators with too few pairwise items to judge them by (per-annotator rates such as
-- p_first, and agreement, on fewer than $min_items comparisons are mostly noise). One row per
-- annotator of the batch's verdicts with fewer than $min_items distinct comparisons. Ratings and
-- rankings are not counted: their designs spread few items per annotator by intent.
-- Zero rows = pass.
-- params: $batch_id, $min_items
SELECT annotator_kind, annotator_id, count(DISTINCT comparison_id) AS n_items
FROM verdicts
WHERE batch_id = $batch_id AND NOT duplicate_copy
GROUP BY ALL
HAVING count(DISTINCT comparison_id) < $min_items
ORDER BY annotator_kind, annotator_id
