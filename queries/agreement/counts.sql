-- name: agreement/counts
-- One row per kind of data ('preference', 'strength', or 'rating:<aspect>'): how many human
-- annotators gave values to it (n_annotators) and how many values they gave (n_values; for
-- 'strength', verdicts that carry a strength).  params: $batch_id
SELECT 'preference' AS what, count(DISTINCT annotator_id) AS n_annotators, count(*) AS n_values
FROM verdicts WHERE batch_id = $batch_id AND NOT duplicate_copy AND annotator_kind = 'human'
UNION ALL
SELECT 'strength', count(DISTINCT annotator_id) FILTER (WHERE strength IS NOT NULL OR preference = 'tie'),
       count(strength)
FROM verdicts WHERE batch_id = $batch_id AND NOT duplicate_copy AND annotator_kind = 'human'
UNION ALL
SELECT 'rating:' || aspect, count(DISTINCT annotator_id), count(*)
FROM ratings WHERE batch_id = $batch_id AND NOT duplicate_copy AND annotator_kind = 'human'
GROUP BY aspect
