-- name: items/split
-- Items filter `split`: comparisons whose human verdicts are not unanimous (at least two different
-- labels among them, tie counted as a label). One row per comparison with its human label counts
-- (items/human_counts: duplicate copies left out) and its strict majority (NULL when there is
-- none: the comparison is also `contested`). Ordered by comparison_id; paged by $limit and $offset.
-- params: $batch_id, $limit, $offset
WITH h AS (
    -- include: items/human_counts
)
SELECT comparison_id, n_human, n_a, n_b, n_tie, majority
FROM h
WHERE (n_a > 0)::INT + (n_b > 0)::INT + (n_tie > 0)::INT > 1
ORDER BY comparison_id
LIMIT $limit OFFSET $offset
