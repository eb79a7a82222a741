-- name: signals/transitivity
-- One row per annotator with pairwise verdicts covering three or more models of one prompt: how many
-- complete triads of models (all three pairs decided) their verdicts form, and how many of them are
-- cyclic (x > y > z > x). An annotator's verdicts on one model pair of a prompt are netted first
-- (sign of wins minus losses); a pair netting to a tie leaves its triads incomplete (not counted).
--   n_prompts_3plus   prompts where the annotator's decided pairs cover >= 3 models
--   n_triads          complete triads;  n_cyclic: cyclic ones among them
-- params: $batch_id, $annotator_kind ('human' | 'judge' | 'all')
WITH v AS (
    SELECT prompt_id, annotator_id,
           least(model_a, model_b) AS model_x, greatest(model_a, model_b) AS model_y,
           CASE WHEN preference = 'tie' THEN 0
                WHEN (preference = 'A') = (model_a < model_b) THEN 1 ELSE -1 END AS verdict_x
    FROM verdicts
    WHERE batch_id = $batch_id
      AND ($annotator_kind = 'all' OR annotator_kind = $annotator_kind)
      AND prompt_id IS NOT NULL AND model_a IS NOT NULL AND model_b IS NOT NULL AND model_a <> model_b
), e AS (
    SELECT prompt_id, annotator_id, model_x, model_y, CAST(sign(sum(verdict_x)) AS INTEGER) AS s
    FROM v GROUP BY ALL
    HAVING sign(sum(verdict_x)) <> 0
), cover AS (
    SELECT annotator_id, count(*) AS n_prompts_3plus
    FROM (SELECT prompt_id, annotator_id, count(DISTINCT m) AS n_models
          FROM (SELECT prompt_id, annotator_id, model_x AS m FROM e
                UNION ALL SELECT prompt_id, annotator_id, model_y FROM e)
          GROUP BY ALL)
    WHERE n_models >= 3
    GROUP BY ALL
), t AS (
    SELECT e1.annotator_id,
           count(*) AS n_triads,
           count(*) FILTER (WHERE e1.s = e2.s AND e3.s = -e1.s) AS n_cyclic
    FROM e AS e1
    JOIN e AS e2 ON e2.prompt_id = e1.prompt_id AND e2.annotator_id = e1.annotator_id
                AND e2.model_x = e1.model_y
    JOIN e AS e3 ON e3.prompt_id = e1.prompt_id AND e3.annotator_id = e1.annotator_id
                AND e3.model_x = e1.model_x AND e3.model_y = e2.model_y
    GROUP BY ALL
)
SELECT cover.annotator_id, cover.n_prompts_3plus,
       coalesce(t.n_triads, 0) AS n_triads, coalesce(t.n_cyclic, 0) AS n_cyclic
FROM cover LEFT JOIN t USING (annotator_id)
ORDER BY cover.annotator_id
