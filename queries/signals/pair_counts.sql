-- name: signals/pair_counts
-- One row per (cluster, unordered model pair): how the batch's pairwise verdicts on that pair went.
-- The pair is written in sorted order (model_x < model_y); n_x = verdicts preferring model_x,
-- n_y = preferring model_y, n_tie = ties. cluster = prompt_id, or 'comparison:' || comparison_id when
-- the verdict has no prompt_id (the resampling unit of the bootstrap). Verdicts without both model
-- names, or with model_a = model_b, are skipped (counted by signals/coverage).
-- params: $batch_id, $annotator_kind ('human' | 'judge' | 'all')
SELECT coalesce(prompt_id, 'comparison:' || comparison_id) AS cluster,
       least(model_a, model_b) AS model_x,
       greatest(model_a, model_b) AS model_y,
       count(*) FILTER (WHERE preference <> 'tie' AND (preference = 'A') = (model_a < model_b)) AS n_x,
       count(*) FILTER (WHERE preference <> 'tie' AND (preference = 'A') <> (model_a < model_b)) AS n_y,
       count(*) FILTER (WHERE preference = 'tie') AS n_tie
FROM verdicts
WHERE batch_id = $batch_id AND NOT duplicate_copy
  AND ($annotator_kind = 'all' OR annotator_kind = $annotator_kind)
  AND model_a IS NOT NULL AND model_b IS NOT NULL AND model_a <> model_b
GROUP BY ALL
ORDER BY cluster, model_x, model_y
