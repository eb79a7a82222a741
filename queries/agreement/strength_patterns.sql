-- name: agreement/strength_patterns
-- Like agreement/preference_patterns, on the signed 7-point scale: value = +strength for A,
-- -strength for B (+3 A significantly better ... -3 B significantly better), 0 for tie and for
-- strength 0 (negligibly better / unsure). Only human verdicts with a strength, or a tie, enter;
-- exact duplicate rows count once.
-- One row per distinct per-comparison count vector (n_m3 .. n_p3): n_items comparisons share it.
-- params: $batch_id
WITH human AS (
    -- exact duplicate copies (verdicts.duplicate_copy, the report's one duplicate rule) are skipped
    SELECT comparison_id, preference, strength
    FROM verdicts
    WHERE batch_id = $batch_id AND NOT duplicate_copy AND annotator_kind = 'human'
),
scaled AS (
    SELECT comparison_id,
           CASE preference WHEN 'A' THEN strength WHEN 'B' THEN -strength ELSE 0 END AS v
    FROM human
    WHERE strength IS NOT NULL OR preference = 'tie'
),
per_item AS (
    SELECT count(*) FILTER (WHERE v = -3) AS n_m3, count(*) FILTER (WHERE v = -2) AS n_m2,
           count(*) FILTER (WHERE v = -1) AS n_m1, count(*) FILTER (WHERE v = 0) AS n_0,
           count(*) FILTER (WHERE v = 1) AS n_p1, count(*) FILTER (WHERE v = 2) AS n_p2,
           count(*) FILTER (WHERE v = 3) AS n_p3
    FROM scaled GROUP BY comparison_id
)
SELECT count(*) AS n_items, n_m3, n_m2, n_m1, n_0, n_p1, n_p2, n_p3
FROM per_item
GROUP BY ALL
ORDER BY n_items DESC, n_m3, n_m2, n_m1, n_0, n_p1, n_p2, n_p3
