-- name: signals/model_ratings
-- One row per (cluster, model): the batch's rating rows of one aspect for that model's response(s)
-- to that prompt: n rows, the sum of score and the sum of score squared. cluster = prompt_id, or
-- 'item:' || item_id when the rating has no prompt_id. Rows without a model are skipped.
-- params: $batch_id, $annotator_kind ('human' | 'judge' | 'all'), $aspect
SELECT coalesce(prompt_id, 'item:' || item_id) AS cluster,
       model,
       count(*) AS n,
       sum(score) AS sum_score,
       sum(score * score) AS sum_score_sq
FROM ratings
WHERE batch_id = $batch_id AND NOT duplicate_copy
  AND ($annotator_kind = 'all' OR annotator_kind = $annotator_kind)
  AND aspect = $aspect
  AND model IS NOT NULL
GROUP BY ALL
ORDER BY cluster, model
