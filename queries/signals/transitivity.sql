-- name: signals/transitivity
-- One row per annotator with pairwise verdicts covering three or more models of one prompt: how many
-- complete triads of models (all three pairs decided) their verdicts form, and how many of them are
-- cyclic (x > y > z > x). An annotator's verdicts on one model pair of a prompt are netted first
-- (sign of wins minus losses); a pair netting to a tie leaves its triads incomplete (not counted).
--   n_prompts_3plus   prompts where the annotator's decided pairs cover >= 3 models
--   n_triads          complete triads;  n_cyclic: cyclic ones among them
-- Integer keys: prompts, annotators and models are numbered once (models in their string order, so
-- x < y means model_x < model_y as before), and the per-pair edges are one materialised table of
-- integers that the triad self-joins read (string GROUP BYs and joins spill at 10M verdicts).
-- params: $batch_id, $annotator_kind ('human' | 'judge' | 'all')
WITH base AS (
    SELECT prompt_id, annotator_id, model_a, model_b, preference
    FROM verdicts
    WHERE batch_id = $batch_id AND NOT duplicate_copy
      AND ($annotator_kind = 'all' OR annotator_kind = $annotator_kind)
      AND prompt_id IS NOT NULL AND model_a IS NOT NULL AND model_b IS NOT NULL AND model_a <> model_b
), prompt_code AS (
    SELECT prompt_id, row_number() OVER () AS p FROM (SELECT DISTINCT prompt_id FROM base)
), annotator_code AS (
    SELECT annotator_id, row_number() OVER (ORDER BY annotator_id) AS a
    FROM (SELECT DISTINCT annotator_id FROM base)
), model_code AS (
    SELECT m, row_number() OVER (ORDER BY m) AS mc
    FROM (SELECT model_a AS m FROM base UNION SELECT model_b FROM base)
), v AS (
    SELECT pc.p, ac.a, least(ma.mc, mb.mc) AS x, greatest(ma.mc, mb.mc) AS y,
           CASE WHEN preference = 'tie' THEN 0
                WHEN (preference = 'A') = (ma.mc < mb.mc) THEN 1 ELSE -1 END AS verdict_x
    FROM base
    JOIN prompt_code AS pc USING (prompt_id)
    JOIN annotator_code AS ac USING (annotator_id)
    JOIN model_code AS ma ON ma.m = base.model_a
    JOIN model_code AS mb ON mb.m = base.model_b
), e AS MATERIALIZED (
    SELECT p, a, x, y, CAST(sign(sum(verdict_x)) AS INTEGER) AS s
    FROM v GROUP BY ALL
    HAVING sign(sum(verdict_x)) <> 0
), cover AS (
    SELECT a, count(*) AS n_prompts_3plus
    FROM (SELECT p, a, count(DISTINCT m) AS n_models
          FROM (SELECT p, a, x AS m FROM e UNION ALL SELECT p, a, y FROM e)
          GROUP BY ALL)
    WHERE n_models >= 3
    GROUP BY ALL
), t AS (
    SELECT e1.a,
           count(*) AS n_triads,
           count(*) FILTER (WHERE e1.s = e2.s AND e3.s = -e1.s) AS n_cyclic
    FROM e AS e1
    JOIN e AS e2 ON e2.p = e1.p AND e2.a = e1.a AND e2.x = e1.y
    JOIN e AS e3 ON e3.p = e1.p AND e3.a = e1.a AND e3.x = e1.x AND e3.y = e2.y
    GROUP BY ALL
)
SELECT ac.annotator_id, cover.n_prompts_3plus,
       coalesce(t.n_triads, 0) AS n_triads, coalesce(t.n_cyclic, 0) AS n_cyclic
FROM cover JOIN annotator_code AS ac USING (a) LEFT JOIN t USING (a)
ORDER BY ac.annotator_id
