-- name: signals/annotator_ratings_vs_verdicts
-- One row per (rating annotator, prompt_id): the preferences implied by ONE annotator's ratings
-- (one aspect) of two responses to a prompt, compared with every pairwise verdict of the batch on
-- the same prompt and models (linking rule: same prompt_id, rating model = model_a / model_b).
-- Each (implied preference, verdict) pair counts once. The annotator's repeated scores of one
-- response are averaged. The *_same columns restrict to verdicts by the same annotator_id.
--   n_linked / n_decided / n_agree / n_verdict_tie / n_rating_tie: as in signals/mean_ratings_vs_verdicts
-- params: $batch_id, $annotator_kind ('human' | 'judge' | 'all'), $aspect
WITH ra AS (
    SELECT prompt_id, model, annotator_id, avg(score) AS score
    FROM ratings
    WHERE batch_id = $batch_id AND NOT duplicate_copy
      AND ($annotator_kind = 'all' OR annotator_kind = $annotator_kind)
      AND aspect = $aspect AND prompt_id IS NOT NULL AND model IS NOT NULL
    GROUP BY ALL
), ip AS (
    SELECT a.prompt_id, a.annotator_id, a.model AS model_x, b.model AS model_y,
           CASE WHEN abs(a.score - b.score) < 1e-9 THEN 0 WHEN a.score > b.score THEN 1 ELSE -1 END AS implied_x
    FROM ra AS a JOIN ra AS b
      ON a.prompt_id = b.prompt_id AND a.annotator_id = b.annotator_id AND a.model < b.model
), v AS (
    SELECT prompt_id, annotator_id,
           least(model_a, model_b) AS model_x, greatest(model_a, model_b) AS model_y,
           CASE WHEN preference = 'tie' THEN 0
                WHEN (preference = 'A') = (model_a < model_b) THEN 1 ELSE -1 END AS verdict_x
    FROM verdicts
    WHERE batch_id = $batch_id AND NOT duplicate_copy
      AND ($annotator_kind = 'all' OR annotator_kind = $annotator_kind)
      AND prompt_id IS NOT NULL AND model_a IS NOT NULL AND model_b IS NOT NULL AND model_a <> model_b
), j AS (
    SELECT ip.annotator_id, ip.prompt_id, ip.implied_x, v.verdict_x, v.annotator_id = ip.annotator_id AS same
    FROM ip JOIN v USING (prompt_id, model_x, model_y)
)
SELECT annotator_id, prompt_id,
       count(*) AS n_linked,
       count(*) FILTER (WHERE verdict_x <> 0 AND implied_x <> 0) AS n_decided,
       count(*) FILTER (WHERE verdict_x <> 0 AND verdict_x = implied_x) AS n_agree,
       count(*) FILTER (WHERE verdict_x = 0 AND implied_x <> 0) AS n_verdict_tie,
       count(*) FILTER (WHERE verdict_x <> 0 AND implied_x = 0) AS n_rating_tie,
       count(*) FILTER (WHERE same AND verdict_x <> 0 AND implied_x <> 0) AS n_decided_same,
       count(*) FILTER (WHERE same AND verdict_x <> 0 AND verdict_x = implied_x) AS n_agree_same
FROM j
GROUP BY ALL
ORDER BY annotator_id, prompt_id
