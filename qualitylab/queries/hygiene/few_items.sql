-- name: hygiene/few_items
-- Check: annotators with too few items to judge them by (per-annotator rates and agreement on
-- fewer than $min_items items are mostly noise). One row per (kind of rows, annotator) with
-- fewer than $min_items distinct items: comparisons for verdicts, rated items for ratings,
-- prompts for rankings. Zero rows = pass.
-- params: $batch_id, $min_items
WITH items AS (
    SELECT 'pairwise' AS kind, annotator_kind, annotator_id, count(DISTINCT comparison_id) AS n_items
    FROM verdicts WHERE batch_id = $batch_id GROUP BY ALL
    UNION ALL
    SELECT 'rating', annotator_kind, annotator_id, count(DISTINCT item_id)
    FROM ratings WHERE batch_id = $batch_id GROUP BY ALL
    UNION ALL
    SELECT 'ranking', annotator_kind, annotator_id, count(DISTINCT prompt_id)
    FROM rankings WHERE batch_id = $batch_id GROUP BY ALL
)
SELECT kind, annotator_kind, annotator_id, n_items
FROM items
WHERE n_items < $min_items
ORDER BY kind, annotator_kind, annotator_id
