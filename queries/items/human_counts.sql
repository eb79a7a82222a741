-- name: items/human_counts
-- The human label counts of each comparison of the batch and its strict human majority: the one
-- definition the items filters share (contested, split, judge_disagrees, queue, item_consensus
-- include it: `-- include: items/human_counts`, expanded by qualitylab/store.py). One row per
-- comparison with a human verdict: n_human, n_a, n_b, n_tie, majority (the label of more than half
-- of its human verdicts, tie a label -- the judges' accuracy_vs_majority; NULL = contested) and
-- n_majority (the largest count). Duplicate copies (verdicts.duplicate_copy, schema v12) are not
-- verdicts of their own and are left out, as every report count leaves them out.
-- params: $batch_id
SELECT comparison_id, n_human, n_a, n_b, n_tie,
       CASE WHEN 2 * n_a > n_human THEN 'A' WHEN 2 * n_b > n_human THEN 'B'
            WHEN 2 * n_tie > n_human THEN 'tie' END AS majority,
       greatest(n_a, n_b, n_tie) AS n_majority
FROM (
    SELECT comparison_id,
           count(*) AS n_human,
           count(*) FILTER (WHERE preference = 'A') AS n_a,
           count(*) FILTER (WHERE preference = 'B') AS n_b,
           count(*) FILTER (WHERE preference = 'tie') AS n_tie
    FROM verdicts
    WHERE batch_id = $batch_id AND annotator_kind = 'human' AND NOT duplicate_copy
    GROUP BY comparison_id
)
