-- name: agreement/preference_pairs
-- Confusion tables of every pair of human annotators on the comparisons both judged.
-- One row per (annotator_1 < annotator_2, value_1, value_2): n comparisons where annotator_1 said
-- value_1 and annotator_2 said value_2; preference coded 0 B / 1 tie / 2 A, and, for the signed
-- 7-point scale, strength_1 / strength_2 (NULL when either verdict has no strength; see
-- agreement/strength_patterns). Each annotator's FIRST verdict on a comparison (lowest file_id,
-- source_line) stands for it.
-- params: $batch_id, $annotators (VARCHAR[]: only pairs of these annotators; NULL: every pair)
-- Caveat: the pair table grows with the square of the annotators sharing an item (5,000 annotators
-- on one comparison: 12.5M pairs), so compute.py passes at most MAX_PAIR_ANNOTATORS when there are more.
WITH firsts AS (
    SELECT comparison_id, annotator_id,
           CASE preference WHEN 'B' THEN 0 WHEN 'tie' THEN 1 ELSE 2 END AS value,
           CASE WHEN preference = 'tie' THEN 0
                WHEN preference = 'A' THEN strength ELSE -strength END AS scale
    FROM verdicts
    WHERE batch_id = $batch_id AND NOT duplicate_copy AND annotator_kind = 'human'
      AND ($annotators IS NULL OR list_contains($annotators, annotator_id))
    QUALIFY row_number() OVER (PARTITION BY comparison_id, annotator_id
                               ORDER BY file_id, source_line) = 1
)
SELECT a.annotator_id AS annotator_1, b.annotator_id AS annotator_2,
       a.value AS value_1, b.value AS value_2,
       a.scale::DOUBLE AS scale_1, b.scale::DOUBLE AS scale_2,
       count(*) AS n
FROM firsts a JOIN firsts b
  ON a.comparison_id = b.comparison_id AND a.annotator_id < b.annotator_id
GROUP BY ALL
ORDER BY annotator_1, annotator_2, value_1, value_2, scale_1, scale_2
