-- name: items/contested
-- Items filter `contested`: comparisons of the batch with no strict majority among their human
-- verdicts (no label held by more than half of them; tie is a label), the judges' definition of
-- the human majority (queries/judges). One row per comparison with its human label counts
-- (items/human_counts: duplicate copies left out). Comparisons with a single human verdict always
-- have a majority and are never contested. Ordered by comparison_id; paged by $limit and $offset.
-- params: $batch_id, $limit, $offset
WITH h AS (
    -- include: items/human_counts
)
SELECT comparison_id, n_human, n_a, n_b, n_tie
FROM h
WHERE majority IS NULL
ORDER BY comparison_id
LIMIT $limit OFFSET $offset
