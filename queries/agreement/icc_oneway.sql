-- name: agreement/icc_oneway
-- Per rating aspect, the one-way ANOVA sums of squares of the human ratings, for ICC(1) / ICC(1,k)
-- (qualitylab/agreement/icc.py: oneway). One row per aspect: n_items (items with >= 2 raters),
-- n_ratings (M), sum_m2 (sum of squared raters per item), ss_between, ss_within.
-- Each rater's FIRST rating of an item (lowest file_id, source_line) stands for it (a repeat is a
-- test-retest occasion, not another rater). Items with one rater carry no within-item information
-- and are left out. Floating-point aggregates are ordered (scores by value, items by item_id), so the
-- bits of the result do not depend on the order rows were delivered or scanned in.  params: $batch_id
WITH firsts AS (
    SELECT aspect, item_id, score
    FROM ratings
    WHERE batch_id = $batch_id AND NOT duplicate_copy AND annotator_kind = 'human'
    QUALIFY row_number() OVER (PARTITION BY aspect, item_id, annotator_id ORDER BY file_id, source_line) = 1
),
items AS (
    SELECT aspect, item_id, count(*) AS m, avg(score ORDER BY score) AS mean,
           var_pop(score ORDER BY score) * count(*) AS ss
    FROM firsts GROUP BY aspect, item_id HAVING count(*) >= 2
),
grand AS (
    SELECT aspect, sum(m * mean ORDER BY item_id) / sum(m) AS g FROM items GROUP BY aspect
)
SELECT aspect, count(*) AS n_items, sum(m)::BIGINT AS n_ratings, sum(m * m)::DOUBLE AS sum_m2,
       sum(m * (mean - g) * (mean - g) ORDER BY item_id) AS ss_between,
       sum(ss ORDER BY item_id) AS ss_within
FROM items JOIN grand USING (aspect)
GROUP BY aspect
ORDER BY aspect
