-- name: bias/shown_first_by_model
-- Randomisation audit. One row per model: of the recorded-order verdicts (of the given kind) on a
-- comparison involving the model, how many showed that model's response first. A verdict on
-- model X vs model Y counts once for X and once for Y. Comparisons without model names are skipped.
-- params: $batch_id, $annotator_kind
WITH v AS (
    SELECT model_a, model_b, shown_first
    FROM verdicts
    WHERE batch_id = $batch_id AND NOT duplicate_copy AND annotator_kind = $annotator_kind AND shown_first_recorded
), slots AS (
    SELECT model_a AS model, shown_first = 'A' AS first FROM v WHERE model_a IS NOT NULL
    UNION ALL
    SELECT model_b AS model, shown_first = 'B' AS first FROM v WHERE model_b IS NOT NULL
)
SELECT model, count(*) AS n, count(*) FILTER (WHERE first) AS k_shown_first
FROM slots
GROUP BY model
ORDER BY model
