-- name: overview/counts_ranking
-- One row: counts of the batch's ranking rows.  params: $batch_id
SELECT count(*) AS n_ranking_rows,
       count(DISTINCT prompt_id) AS n_ranked_prompts,
       count(DISTINCT annotator_id) AS n_ranking_annotators
FROM rankings WHERE batch_id = $batch_id AND NOT duplicate_copy
