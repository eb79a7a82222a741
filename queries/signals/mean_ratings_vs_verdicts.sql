-- name: signals/mean_ratings_vs_verdicts
-- One row per prompt_id: the batch's pairwise verdicts on that prompt compared with the preference
-- implied by the mean ratings (one aspect) of the same two responses. Linking rule: a verdict on
-- (prompt_id, model_a, model_b) is linked to the rating rows with the same prompt_id and
-- model = model_a, resp. model = model_b; the implied preference is the model with the higher mean
-- score over all rating annotators (|difference| < 1e-9 is a rating tie).
--   n_linked        verdicts with both responses rated
--   n_decided       linked verdicts that are not ties and whose mean ratings differ
--   n_agree         of n_decided, those preferring the response with the higher mean rating
--   n_verdict_tie   linked tie verdicts whose mean ratings differ
--   n_rating_tie    linked non-tie verdicts whose mean ratings are equal
-- params: $batch_id, $annotator_kind ('human' | 'judge' | 'all'), $aspect
WITH m AS (
    SELECT prompt_id, model, avg(score) AS mean_score
    FROM ratings
    WHERE batch_id = $batch_id AND NOT duplicate_copy
      AND ($annotator_kind = 'all' OR annotator_kind = $annotator_kind)
      AND aspect = $aspect AND prompt_id IS NOT NULL AND model IS NOT NULL
    GROUP BY ALL
), v AS (
    SELECT prompt_id, model_a, model_b, preference
    FROM verdicts
    WHERE batch_id = $batch_id AND NOT duplicate_copy
      AND ($annotator_kind = 'all' OR annotator_kind = $annotator_kind)
      AND prompt_id IS NOT NULL AND model_a IS NOT NULL AND model_b IS NOT NULL AND model_a <> model_b
), j AS (
    SELECT v.prompt_id, v.preference,
           CASE WHEN abs(ma.mean_score - mb.mean_score) < 1e-9 THEN 'tie'
                WHEN ma.mean_score > mb.mean_score THEN 'A' ELSE 'B' END AS implied
    FROM v
    JOIN m AS ma ON ma.prompt_id = v.prompt_id AND ma.model = v.model_a
    JOIN m AS mb ON mb.prompt_id = v.prompt_id AND mb.model = v.model_b
)
SELECT prompt_id,
       count(*) AS n_linked,
       count(*) FILTER (WHERE preference <> 'tie' AND implied <> 'tie') AS n_decided,
       count(*) FILTER (WHERE preference <> 'tie' AND preference = implied) AS n_agree,
       count(*) FILTER (WHERE preference = 'tie' AND implied <> 'tie') AS n_verdict_tie,
       count(*) FILTER (WHERE preference <> 'tie' AND implied = 'tie') AS n_rating_tie
FROM j
GROUP BY ALL
ORDER BY prompt_id
