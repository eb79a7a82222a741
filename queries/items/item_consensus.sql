-- name: items/item_consensus
-- One item's consensus: its human verdict counts and the strict majority (the label held by more
-- than half of its human verdicts, tie a label; NULL = contested), as items/contested and the
-- judges' accuracy_vs_majority define it; plus the honeypot's gold label when given. One row.
-- params: $batch_id, $comparison_id
SELECT count(*) AS n_human,
       count(*) FILTER (WHERE preference = 'A') AS n_a,
       count(*) FILTER (WHERE preference = 'B') AS n_b,
       count(*) FILTER (WHERE preference = 'tie') AS n_tie,
       CASE WHEN 2 * count(*) FILTER (WHERE preference = 'A') > count(*) THEN 'A'
            WHEN 2 * count(*) FILTER (WHERE preference = 'B') > count(*) THEN 'B'
            WHEN 2 * count(*) FILTER (WHERE preference = 'tie') > count(*) THEN 'tie' END AS majority,
       count(DISTINCT gold) AS n_gold_labels,
       min(gold) AS gold
FROM verdicts
WHERE batch_id = $batch_id AND comparison_id = $comparison_id AND annotator_kind = 'human'
