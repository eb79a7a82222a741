-- name: signals/within_task_table
-- One row per (annotator_id, preference, rating_sign, rating_gap, strength): how many verdicts of the
-- batch that carry both rating_a and rating_b fall in that cell. rating_sign = sign(rating_a - rating_b)
-- (1: A rated higher, -1: B rated higher, 0: equal ratings); rating_gap = |rating_a - rating_b|;
-- strength is NULL when the verdict has none. Batch totals are sums of these rows.
-- params: $batch_id, $annotator_kind ('human' | 'judge' | 'all')
SELECT annotator_id,
       preference,
       CAST(sign(rating_a - rating_b) AS INTEGER) AS rating_sign,
       abs(rating_a - rating_b) AS rating_gap,
       CAST(strength AS INTEGER) AS strength,
       count(*) AS n
FROM verdicts
WHERE batch_id = $batch_id AND NOT duplicate_copy
  AND ($annotator_kind = 'all' OR annotator_kind = $annotator_kind)
  AND rating_a IS NOT NULL AND rating_b IS NOT NULL
GROUP BY ALL
ORDER BY annotator_id, preference, rating_sign, rating_gap, strength
