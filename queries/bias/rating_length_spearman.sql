-- name: bias/rating_length_spearman
-- One row per (annotator_kind, aspect): Spearman's rho of score vs len_chars over the batch's
-- ratings, computed in SQL as the Pearson correlation of mid-ranks (ties get their average rank).
--   n    ratings with a known length
-- The mid-ranks are doubled (2 * rank + ties - 1, an integer) and the sums taken in HUGEINT, so every
-- sum is exact and rho does not depend on the order the engine's threads add rows in (corr() over
-- doubles did: the report's hash changed from one run to the next; the doubling cancels in rho).
-- params: $batch_id
WITH r AS (
    SELECT annotator_kind, aspect, score, len_chars
    FROM ratings
    WHERE batch_id = $batch_id AND NOT duplicate_copy AND len_chars IS NOT NULL
), ranked AS (
    SELECT annotator_kind, aspect,
           (2 * rank() OVER (PARTITION BY annotator_kind, aspect ORDER BY score)
             + count(*) OVER (PARTITION BY annotator_kind, aspect, score) - 1)::HUGEINT AS x,
           (2 * rank() OVER (PARTITION BY annotator_kind, aspect ORDER BY len_chars)
             + count(*) OVER (PARTITION BY annotator_kind, aspect, len_chars) - 1)::HUGEINT AS y
    FROM r
), sums AS (
    SELECT annotator_kind, aspect, count(*)::HUGEINT AS n,
           sum(x) AS sx, sum(y) AS sy, sum(x * x) AS sxx, sum(y * y) AS syy, sum(x * y) AS sxy
    FROM ranked
    GROUP BY annotator_kind, aspect
)
SELECT annotator_kind, aspect, n::BIGINT AS n,
       CASE WHEN n * sxx - sx * sx > 0 AND n * syy - sy * sy > 0
            THEN (n * sxy - sx * sy)::DOUBLE
                 / sqrt((n * sxx - sx * sx)::DOUBLE * (n * syy - sy * sy)::DOUBLE)
       END AS rho
FROM sums
ORDER BY annotator_kind, aspect
