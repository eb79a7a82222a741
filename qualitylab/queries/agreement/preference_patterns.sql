-- name: agreement/preference_patterns
-- The batch's human pairwise verdicts reduced to per-comparison value counts, and those to their
-- distinct patterns. One row per (pattern, value): pattern = one distinct vector of per-comparison
-- counts; n_items = how many comparisons share it; value = 0 B / 1 tie / 2 A; n = verdicts with
-- that value in each such comparison. Comparisons with a single verdict are kept (n_items counts
-- them; they are not pairable). Every human verdict is a value, repeats by the same annotator too.
-- params: $batch_id
WITH per_item AS (
    SELECT comparison_id,
           CASE preference WHEN 'B' THEN 0 WHEN 'tie' THEN 1 ELSE 2 END AS value,
           count(*) AS n
    FROM verdicts
    WHERE batch_id = $batch_id AND annotator_kind = 'human'
    GROUP BY ALL
),
items AS (
    SELECT list(value ORDER BY value) AS vals, list(n ORDER BY value) AS ns
    FROM per_item GROUP BY comparison_id
),
patterns AS (
    SELECT vals, ns, count(*) AS n_items FROM items GROUP BY vals, ns
),
numbered AS (
    SELECT row_number() OVER (ORDER BY n_items DESC, vals, ns) - 1 AS pattern, n_items, vals, ns
    FROM patterns
)
SELECT pattern, n_items, unnest(vals)::DOUBLE AS value, unnest(ns)::BIGINT AS n
FROM numbered
ORDER BY pattern, value
