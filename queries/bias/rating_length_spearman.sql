-- name: bias/rating_length_spearman
-- One row per (annotator_kind, aspect): Spearman's rho of score vs len_chars over the batch's
-- ratings, computed in SQL as the Pearson correlation of mid-ranks (ties get their average rank).
--   n    ratings with a known length
-- params: $batch_id
WITH r AS (
    SELECT annotator_kind, aspect, score, len_chars
    FROM ratings
    WHERE batch_id = $batch_id AND NOT duplicate_copy AND len_chars IS NOT NULL
), ranked AS (
    SELECT annotator_kind, aspect,
           rank() OVER (PARTITION BY annotator_kind, aspect ORDER BY score)
             + (count(*) OVER (PARTITION BY annotator_kind, aspect, score) - 1) / 2.0 AS r_score,
           rank() OVER (PARTITION BY annotator_kind, aspect ORDER BY len_chars)
             + (count(*) OVER (PARTITION BY annotator_kind, aspect, len_chars) - 1) / 2.0 AS r_len
    FROM r
)
SELECT annotator_kind, aspect, count(*) AS n, corr(r_score, r_len) AS rho
FROM ranked
GROUP BY annotator_kind, aspect
ORDER BY annotator_kind, aspect
