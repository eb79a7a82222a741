-- name: overview/counts_rating
-- One row: counts of the batch's ratings.  params: $batch_id
SELECT count(*) AS n_ratings,
       count(DISTINCT item_id) AS n_rated_items,
       count(DISTINCT annotator_id) AS n_rating_annotators,
       count(DISTINCT aspect) AS n_aspects
FROM ratings WHERE batch_id = $batch_id AND NOT duplicate_copy
