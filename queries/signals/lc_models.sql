-- name: signals/lc_models
-- One row per model named in the batch's verdicts (model_a or model_b, model_a <> model_b):
-- n_verdicts naming it, and n_verdicts_with_models = all verdicts naming two different models (the
-- same on every row), so a model with n_verdicts = n_verdicts_with_models is in every comparison
-- (the baseline when none is given).
-- params: $batch_id
WITH v AS (
    SELECT model_a, model_b FROM verdicts
    WHERE batch_id = $batch_id AND model_a IS NOT NULL AND model_b IS NOT NULL AND model_a <> model_b
)
SELECT model, count(*) AS n_verdicts, (SELECT count(*) FROM v) AS n_verdicts_with_models
FROM (SELECT model_a AS model FROM v UNION ALL SELECT model_b FROM v)
GROUP BY model
ORDER BY n_verdicts DESC, model
