-- name: signals/rankings_vs_verdicts
-- One row per (ranking annotator, prompt_id): the preferences implied by every pair of responses in
-- one annotator's ranking of a prompt (lower rank = preferred; equal ranks = tie), compared with
-- every pairwise verdict of the batch on the same prompt and models (linking rule: same prompt_id,
-- ranking model = model_a / model_b). Each (implied preference, verdict) pair counts once; the
-- *_same columns restrict to verdicts by the same annotator_id.
--   n_linked / n_decided / n_agree / n_verdict_tie / n_rating_tie (here: ranking tie): as in
--   signals/mean_ratings_vs_verdicts
-- params: $batch_id, $annotator_kind ('human' | 'judge' | 'all')
WITH r AS (
    SELECT prompt_id, annotator_id, model, rank
    FROM rankings
    WHERE batch_id = $batch_id AND NOT duplicate_copy
      AND ($annotator_kind = 'all' OR annotator_kind = $annotator_kind)
      AND model IS NOT NULL
), ip AS (
    SELECT a.prompt_id, a.annotator_id, a.model AS model_x, b.model AS model_y,
           CAST(sign(b.rank - a.rank) AS INTEGER) AS implied_x
    FROM r AS a JOIN r AS b
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
