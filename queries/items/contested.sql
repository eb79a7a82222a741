-- name: items/contested
-- Items filter `contested`: comparisons of the batch with no strict majority among their human
-- verdicts (no label held by more than half of them; tie is a label), the judges' definition of
-- the human majority (queries/judges). One row per comparison with its human label counts.
-- Comparisons with a single human verdict always have a majority and are never contested.
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
SELECT comparison_id, n_human, n_a, n_b, n_tie
FROM c
WHERE NOT (2 * greatest(n_a, n_b, n_tie) > n_human)
ORDER BY comparison_id
LIMIT $limit OFFSET $offset
