-- name: items/item_consensus
-- One item's consensus: its human verdict counts and the strict majority (NULL = contested) from
-- items/human_counts (the definition contested, split and the judges' accuracy_vs_majority use;
-- duplicate copies left out), plus the honeypot's gold label when given. One row (zero counts when
-- the comparison has no human verdict).
-- params: $batch_id, $comparison_id
WITH h AS (
    -- include: items/human_counts
), g AS (
    SELECT count(DISTINCT gold) AS n_gold_labels, min(gold) AS gold
    FROM verdicts
    WHERE batch_id = $batch_id AND comparison_id = $comparison_id AND annotator_kind = 'human'
)
SELECT coalesce(h.n_human, 0) AS n_human, coalesce(h.n_a, 0) AS n_a, coalesce(h.n_b, 0) AS n_b,
       coalesce(h.n_tie, 0) AS n_tie, h.majority, g.n_gold_labels, g.gold
FROM g LEFT JOIN h ON h.comparison_id = $comparison_id
