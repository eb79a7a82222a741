-- name: signals/strength_by_annotator
-- One row per annotator with verdicts carrying a strength (0-3, Llama 2 scale):
--   n_with_strength, n_unsure (strength = 0), sum_strength, sum_strength_sq,
--   n_excess, sum_excess, sum_excess_sq: over the annotator's verdicts on comparisons that other
--   verdicts with a strength also cover, excess = own strength - mean strength of the other
--   verdicts on the same comparison (the strength inflation of this annotator).
-- params: $batch_id, $annotator_kind ('human' | 'judge' | 'all')
WITH s AS (
    SELECT comparison_id, annotator_id, CAST(strength AS DOUBLE) AS strength
    FROM verdicts
    WHERE batch_id = $batch_id AND NOT duplicate_copy
      AND ($annotator_kind = 'all' OR annotator_kind = $annotator_kind)
      AND strength IS NOT NULL
), c AS (
    SELECT comparison_id, sum(strength) AS total, count(*) AS n FROM s GROUP BY ALL
), x AS (
    SELECT s.annotator_id, s.strength,
           CASE WHEN c.n > 1 THEN s.strength - (c.total - s.strength) / (c.n - 1) END AS excess
    FROM s JOIN c USING (comparison_id)
)
SELECT annotator_id,
       count(*) AS n_with_strength,
       count(*) FILTER (WHERE strength = 0) AS n_unsure,
       sum(strength) AS sum_strength,
       sum(strength * strength) AS sum_strength_sq,
       count(excess) AS n_excess,
       coalesce(sum(excess), 0) AS sum_excess,
       coalesce(sum(excess * excess), 0) AS sum_excess_sq
FROM x
GROUP BY ALL
ORDER BY annotator_id
