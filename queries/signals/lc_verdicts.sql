-- name: signals/lc_verdicts
-- One row per verdict on a comparison between the baseline and another model, for the
-- length-controlled win rate: who gave it (annotator_kind, annotator_id), the prompt (cluster =
-- prompt_id, or 'comparison:' || comparison_id without one), the other model, y = P(that model
-- preferred over the baseline) (1 won, 0 lost, 0.5 tie; from preference_soft = P(B preferred) where it
-- was recorded, schema v14, as AlpacaEval's soft preferences) and both responses' lengths in characters
-- (NULL when the texts were not delivered). Verdicts of the baseline against itself are skipped.
-- params: $batch_id, $baseline
SELECT annotator_kind,
       annotator_id,
       coalesce(prompt_id, 'comparison:' || comparison_id) AS cluster,
       CASE WHEN model_a = $baseline THEN model_b ELSE model_a END AS model,
       CASE WHEN preference_soft IS NOT NULL
                 THEN CASE WHEN model_a = $baseline THEN preference_soft ELSE 1 - preference_soft END
            WHEN preference = 'tie' THEN 0.5
            WHEN (preference = 'A') = (model_a = $baseline) THEN 0.0
            ELSE 1.0 END AS y,
       CASE WHEN model_a = $baseline THEN len_b_chars ELSE len_a_chars END AS len_model,
       CASE WHEN model_a = $baseline THEN len_a_chars ELSE len_b_chars END AS len_baseline
FROM verdicts
WHERE batch_id = $batch_id
  AND (model_a = $baseline OR model_b = $baseline)
  AND model_a IS NOT NULL AND model_b IS NOT NULL AND model_a <> model_b
ORDER BY annotator_kind, annotator_id, model, cluster, comparison_id, file_id, source_line
