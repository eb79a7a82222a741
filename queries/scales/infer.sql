-- name: scales/infer
-- The scale the batch's rows show, one row per (kind, target): pairwise 'preference' (labels A, B,
-- plus tie when any verdict or gold label is a tie; has_tie), pairwise 'strength' (the smallest and
-- largest strength) and, per rating aspect, the smallest and largest score.
-- params: $batch_id, $delivered_only (true: rows of delivered files only, not `qualitylab judge`
-- runs, whose labels are the judge template's, not the protocol's)
-- Caveat: a target without rows has no row here (no strength delivered: no 'strength' row).
WITH delivered AS (
    SELECT file_id FROM files
    WHERE batch_id = $batch_id AND (NOT $delivered_only OR format <> 'judge-run')
),
v AS (
    SELECT preference, gold, strength FROM verdicts
    WHERE batch_id = $batch_id AND file_id IN (SELECT file_id FROM delivered)
),
pref AS (
    SELECT bool_or(preference = 'tie' OR coalesce(gold = 'tie', false)) AS has_tie, count(*) AS n FROM v
)
SELECT 'pairwise' AS kind, 'preference' AS target,
       CASE WHEN has_tie THEN ['A', 'B', 'tie'] ELSE ['A', 'B'] END AS labels,
       NULL::DOUBLE AS low, NULL::DOUBLE AS high, has_tie,
       CASE WHEN has_tie THEN 'inferred: the delivered verdicts include tie'
            ELSE 'inferred: no tie in the delivered verdicts' END AS source
FROM pref WHERE n > 0
UNION ALL
SELECT 'pairwise', 'strength', NULL, min(strength)::DOUBLE, max(strength)::DOUBLE, NULL,
       'inferred: the strengths delivered'
FROM v WHERE strength IS NOT NULL HAVING count(*) > 0
UNION ALL
SELECT 'rating', aspect, NULL, min(score), max(score), NULL, 'inferred: the scores delivered'
FROM ratings
WHERE batch_id = $batch_id AND file_id IN (SELECT file_id FROM delivered)
GROUP BY aspect
ORDER BY kind, target
