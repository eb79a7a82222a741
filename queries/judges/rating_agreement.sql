-- name: judges/rating_agreement
-- Judge ratings against human ratings of the same item and aspect: one row per (judge, aspect) with
-- the items both rated (n_items), Spearman's rho between the judge's score and the humans' mean
-- score (Pearson correlation of average ranks, ties averaged), and the mean and sample SD of the
-- difference judge - humans' mean. Every floating-point aggregate is ordered (by its inputs' values),
-- so the bits of the result do not depend on the order rows were delivered or scanned in.
-- params: $batch_id
WITH h AS (
    SELECT item_id, aspect, avg(score ORDER BY score) AS human_score
    FROM ratings WHERE batch_id = $batch_id AND NOT duplicate_copy AND annotator_kind = 'human'
    GROUP BY item_id, aspect
), j AS (
    SELECT annotator_id, item_id, aspect, avg(score ORDER BY score) AS judge_score
    FROM ratings WHERE batch_id = $batch_id AND NOT duplicate_copy AND annotator_kind = 'judge'
    GROUP BY annotator_id, item_id, aspect
), pairs AS (
    SELECT j.annotator_id, j.aspect, j.judge_score, h.human_score,
           rank() OVER (PARTITION BY j.annotator_id, j.aspect ORDER BY j.judge_score)
             + (count(*) OVER (PARTITION BY j.annotator_id, j.aspect, j.judge_score) - 1) / 2.0 AS r_judge,
           rank() OVER (PARTITION BY j.annotator_id, j.aspect ORDER BY h.human_score)
             + (count(*) OVER (PARTITION BY j.annotator_id, j.aspect, h.human_score) - 1) / 2.0 AS r_human
    FROM j JOIN h USING (item_id, aspect)
)
SELECT annotator_id, aspect, count(*) AS n_items, corr(r_judge, r_human ORDER BY r_judge, r_human) AS spearman,
       avg(judge_score - human_score ORDER BY judge_score - human_score) AS mean_difference,
       stddev_samp(judge_score - human_score ORDER BY judge_score - human_score) AS sd_difference
FROM pairs
GROUP BY annotator_id, aspect
ORDER BY annotator_id, aspect
