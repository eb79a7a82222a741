-- name: signals/pair_counts
-- One row per (cluster, unordered model pair): how the batch's pairwise verdicts on that pair went.
-- The pair is written in sorted order (model_x < model_y); n_x = verdicts preferring model_x,
-- n_y = preferring model_y, n_tie = ties. s_x / s_y = the soft wins of model_x / model_y (schema
-- v14): each verdict gives P(that model preferred), from preference_soft = P(B preferred) where it
-- was recorded, else from the hard preference (A 0, tie 0.5, B 1), so s_x + s_y = n_x + n_y + n_tie
-- and without soft values s_x = n_x + n_tie / 2. The soft sums are exact: each value is scaled to a
-- whole number of 2^-52 and summed as HUGEINT (a float sum's last bit would depend on DuckDB's
-- thread order, and the report must be reproducible to the last bit).
-- cluster = prompt_id, or 'comparison:' || comparison_id when the verdict has no prompt_id (the
-- resampling unit of the bootstrap). Verdicts without both model names, or with model_a = model_b,
-- are skipped (counted by signals/coverage).
-- params: $batch_id, $annotator_kind ('human' | 'judge' | 'all')
WITH v AS (
    SELECT coalesce(prompt_id, 'comparison:' || comparison_id) AS cluster,
           least(model_a, model_b) AS model_x,
           greatest(model_a, model_b) AS model_y,
           preference,
           model_a < model_b AS a_is_x,
           coalesce(preference_soft, CASE preference WHEN 'A' THEN 0.0 WHEN 'B' THEN 1.0 ELSE 0.5 END) AS p_b
    FROM verdicts
    WHERE batch_id = $batch_id AND NOT duplicate_copy
      AND ($annotator_kind = 'all' OR annotator_kind = $annotator_kind)
      AND model_a IS NOT NULL AND model_b IS NOT NULL AND model_a <> model_b
)
SELECT cluster, model_x, model_y,
       count(*) FILTER (WHERE preference <> 'tie' AND (preference = 'A') = a_is_x) AS n_x,
       count(*) FILTER (WHERE preference <> 'tie' AND (preference = 'A') <> a_is_x) AS n_y,
       count(*) FILTER (WHERE preference = 'tie') AS n_tie,
       CAST(sum(CAST(round((CASE WHEN a_is_x THEN 1 - p_b ELSE p_b END) * 4503599627370496) AS HUGEINT))
            AS DOUBLE) / 4503599627370496 AS s_x,
       CAST(sum(CAST(round((CASE WHEN a_is_x THEN p_b ELSE 1 - p_b END) * 4503599627370496) AS HUGEINT))
            AS DOUBLE) / 4503599627370496 AS s_y
FROM v
GROUP BY ALL
ORDER BY cluster, model_x, model_y
