-- name: items/item_consensus
-- One item's consensus: its human verdict counts and the strict majority (NULL = contested) from
-- items/human_counts (the definition contested, split and the judges' accuracy_vs_majority use;
-- duplicate copies left out), plus the honeypot's gold label when given. One row (zero counts when
-- the comparison has no human verdict). The shared counts are a subquery, not a CTE, so the filter
-- on comparison_id is pushed below their GROUP BY (a CTE may be materialized for the whole batch).
-- params: $batch_id, $comparison_id
SELECT coalesce(c.n_human, 0) AS n_human, coalesce(c.n_a, 0) AS n_a, coalesce(c.n_b, 0) AS n_b,
       coalesce(c.n_tie, 0) AS n_tie, c.majority, g.n_gold_labels, g.gold
FROM (
    SELECT count(DISTINCT gold) AS n_gold_labels, min(gold) AS gold
    FROM verdicts
    WHERE batch_id = $batch_id AND comparison_id = $comparison_id AND annotator_kind = 'human'
) g
LEFT JOIN (
    SELECT * FROM (
        -- include: items/human_counts
    ) WHERE comparison_id = $comparison_id
) c ON true
