-- name: agreement/rating_pairs
-- Per aspect, confusion tables of every pair of human raters on the items both rated.
-- One row per (aspect, annotator_1 < annotator_2, value_1, value_2): n items where annotator_1
-- gave score value_1 and annotator_2 gave value_2. Each rater's FIRST rating of an item
-- (lowest file_id, source_line) stands for it.
-- params: $batch_id, $aspect (one aspect), $annotators (VARCHAR[]: only pairs of these; NULL: every pair)
-- Caveat: quadratic in the annotators sharing an item; compute.py bounds $annotators (see preference_pairs).
WITH firsts AS (
    SELECT aspect, item_id, annotator_id, score AS value
    FROM ratings
    WHERE batch_id = $batch_id AND NOT duplicate_copy AND annotator_kind = 'human' AND aspect = $aspect
      AND ($annotators IS NULL OR list_contains($annotators, annotator_id))
    QUALIFY row_number() OVER (PARTITION BY aspect, item_id, annotator_id
                               ORDER BY file_id, source_line) = 1
)
SELECT a.aspect, a.annotator_id AS annotator_1, b.annotator_id AS annotator_2,
       a.value AS value_1, b.value AS value_2, count(*) AS n
FROM firsts a JOIN firsts b
  ON a.aspect = b.aspect AND a.item_id = b.item_id AND a.annotator_id < b.annotator_id
GROUP BY ALL
ORDER BY a.aspect, annotator_1, annotator_2, value_1, value_2
