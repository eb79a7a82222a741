-- name: signals/rating_aspects
-- One row per rating aspect of the batch: how many rating rows it has, and how many of them carry a
-- model name and a prompt_id (needed to link ratings with pairwise verdicts and rankings).
-- params: $batch_id, $annotator_kind ('human' | 'judge' | 'all')
SELECT aspect,
       count(*) AS n,
       count(*) FILTER (WHERE model IS NOT NULL AND prompt_id IS NOT NULL) AS n_linkable
FROM ratings
WHERE batch_id = $batch_id AND NOT duplicate_copy
  AND ($annotator_kind = 'all' OR annotator_kind = $annotator_kind)
GROUP BY ALL
ORDER BY aspect
