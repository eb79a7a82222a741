-- name: signals/ranking_pair_counts
-- One row per (prompt_id, unordered model pair): the pairwise preferences implied by the batch's
-- rankings. Every pair of responses in one annotator's ranking of a prompt is one implied verdict:
-- n_x = rankings placing model_x strictly better (lower rank) than model_y, n_y the reverse,
-- n_tie = equal ranks. model_x < model_y. Rows without a model, and pairs of two responses of the
-- same model, are skipped.
-- params: $batch_id, $annotator_kind ('human' | 'judge' | 'all')
WITH r AS (
    SELECT prompt_id, annotator_id, model, rank
    FROM rankings
    WHERE batch_id = $batch_id AND NOT duplicate_copy
      AND ($annotator_kind = 'all' OR annotator_kind = $annotator_kind)
      AND model IS NOT NULL
)
SELECT r1.prompt_id AS cluster,
       r1.model AS model_x,
       r2.model AS model_y,
       count(*) FILTER (WHERE r1.rank < r2.rank) AS n_x,
       count(*) FILTER (WHERE r1.rank > r2.rank) AS n_y,
       count(*) FILTER (WHERE r1.rank = r2.rank) AS n_tie
FROM r AS r1
JOIN r AS r2
  ON r1.prompt_id = r2.prompt_id AND r1.annotator_id = r2.annotator_id AND r1.model < r2.model
GROUP BY ALL
ORDER BY cluster, model_x, model_y
