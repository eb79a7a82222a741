-- name: bias/label_counts_by_model_pair
-- One row per (annotator_kind, unordered model pair, outcome). The pair is written in sorted order
-- (model_1 < model_2) and the outcome from its point of view: 'model_1', 'model_2' or 'tie', so the
-- rows do not depend on which model sat in slot A. Verdicts without both model names are skipped.
-- params: $batch_id
SELECT annotator_kind,
       least(model_a, model_b) AS model_1,
       greatest(model_a, model_b) AS model_2,
       CASE WHEN preference = 'tie' THEN 'tie'
            WHEN (preference = 'A') = (model_a <= model_b) THEN 'model_1'
            ELSE 'model_2' END AS outcome,
       count(*) AS n
FROM verdicts
WHERE batch_id = $batch_id AND NOT duplicate_copy AND model_a IS NOT NULL AND model_b IS NOT NULL
GROUP BY ALL
ORDER BY annotator_kind, model_1, model_2, outcome
