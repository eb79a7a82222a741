-- name: items/split
-- Items filter `split`: comparisons whose human verdicts are not unanimous (at least two different
-- labels among them, tie counted as a label). One row per comparison with its human label counts
-- and its strict majority (NULL when there is none: the comparison is also `contested`).
-- Ordered by comparison_id; paged by $limit and $offset.
-- params: $batch_id, $limit, $offset
WITH c AS (
    SELECT comparison_id,
           count(*) AS n_human,
           count(*) FILTER (WHERE preference = 'A') AS n_a,
           count(*) FILTER (WHERE preference = 'B') AS n_b,
           count(*) FILTER (WHERE preference = 'tie') AS n_tie
    FROM verdicts
    WHERE batch_id = $batch_id AND annotator_kind = 'human'
    GROUP BY comparison_id
)
SELECT comparison_id, n_human, n_a, n_b, n_tie,
       CASE WHEN 2 * n_a > n_human THEN 'A' WHEN 2 * n_b > n_human THEN 'B'
            WHEN 2 * n_tie > n_human THEN 'tie' END AS majority
FROM c
WHERE (n_a > 0)::INT + (n_b > 0)::INT + (n_tie > 0)::INT > 1
ORDER BY comparison_id
LIMIT $limit OFFSET $offset
