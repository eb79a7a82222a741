-- name: agreement/rating_patterns
-- The batch's human ratings reduced, per aspect, to per-item value counts and those to their
-- distinct patterns. One row per (aspect, pattern, value): n_items = items of the aspect sharing
-- the pattern; n = ratings with that score in each such item. Single-rating items are kept (not
-- pairable). Every human rating is a value, repeats by the same annotator too, except exact
-- duplicate rows (equal in every delivered column; the texts are implied by item_id), which count once.
-- params: $batch_id
WITH human AS (
    SELECT aspect, item_id, score
    FROM ratings
    WHERE batch_id = $batch_id AND NOT duplicate_copy AND annotator_kind = 'human'
),
per_item AS (
    SELECT aspect, item_id, score AS value, count(*) AS n
    FROM human
    GROUP BY ALL
),
items AS (
    SELECT aspect, list(value ORDER BY value) AS vals, list(n ORDER BY value) AS ns
    FROM per_item GROUP BY aspect, item_id
),
patterns AS (
    SELECT aspect, vals, ns, count(*) AS n_items FROM items GROUP BY aspect, vals, ns
),
numbered AS (
    SELECT aspect,
           row_number() OVER (PARTITION BY aspect ORDER BY n_items DESC, vals, ns) - 1 AS pattern,
           n_items, vals, ns
    FROM patterns
)
SELECT aspect, pattern, n_items, unnest(vals)::DOUBLE AS value, unnest(ns)::BIGINT AS n
FROM numbered
ORDER BY aspect, pattern, value
