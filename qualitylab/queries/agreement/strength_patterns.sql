-- name: agreement/strength_patterns
-- Like agreement/preference_patterns, on the signed 7-point scale: value = +strength for A,
-- -strength for B (3 = A significantly better ... -3 = B significantly better), 0 for tie and for
-- strength 0 (negligibly better / unsure). Only human verdicts with a strength, or a tie, enter.
-- One row per (pattern, value).  params: $batch_id
WITH per_item AS (
    SELECT comparison_id,
           CASE preference WHEN 'A' THEN strength WHEN 'B' THEN -strength ELSE 0 END AS value,
           count(*) AS n
    FROM verdicts
    WHERE batch_id = $batch_id AND annotator_kind = 'human'
      AND (strength IS NOT NULL OR preference = 'tie')
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
