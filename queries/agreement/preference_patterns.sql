-- name: agreement/preference_patterns
-- The batch's human pairwise verdicts reduced to per-comparison label counts, and those to their
-- distinct patterns. One row per distinct (n_b, n_tie, n_a): n_items = how many comparisons got
-- exactly that many B, tie and A verdicts. Comparisons with a single verdict are kept (counted in
-- n_items; not pairable). Every human verdict is a value, repeats by the same annotator too,
-- except exact duplicate copies (verdicts.duplicate_copy, the report's one duplicate rule).
-- params: $batch_id
WITH per_item AS (
    SELECT comparison_id,
           count(*) FILTER (WHERE preference = 'B') AS n_b,
           count(*) FILTER (WHERE preference = 'tie') AS n_tie,
           count(*) FILTER (WHERE preference = 'A') AS n_a
    FROM verdicts
    WHERE batch_id = $batch_id AND NOT duplicate_copy AND annotator_kind = 'human'
    GROUP BY comparison_id
)
SELECT count(*) AS n_items, n_b, n_tie, n_a
FROM per_item
GROUP BY ALL
ORDER BY n_items DESC, n_b, n_tie, n_a
