-- name: export/majority_labels
-- The `majority` label source: one row per comparison with a retained human verdict
-- (_ql_verdict_rows with drop_reason NULL) and its label: the strict majority of those verdicts
-- (A, B or tie: more than half of them); else 'tie' when as many verdicts say A as B (no side is
-- preferred); else NULL (no majority). label_source = 'majority'.
-- params: none
WITH c AS (
    SELECT batch_id, comparison_id,
           count(*) AS n,
           count(*) FILTER (WHERE preference = 'A') AS n_a,
           count(*) FILTER (WHERE preference = 'B') AS n_b,
           count(*) FILTER (WHERE preference = 'tie') AS n_tie
    FROM _ql_verdict_rows
    WHERE drop_reason IS NULL
    GROUP BY batch_id, comparison_id
)
SELECT batch_id, comparison_id,
       CASE WHEN 2 * n_a > n THEN 'A'
            WHEN 2 * n_b > n THEN 'B'
            WHEN 2 * n_tie > n THEN 'tie'
            WHEN n_a = n_b THEN 'tie'
            END AS label,
       'majority' AS label_source
FROM c
