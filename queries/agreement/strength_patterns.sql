-- name: agreement/strength_patterns
-- Like agreement/preference_patterns, on the signed 7-point scale: value = +strength for A,
-- -strength for B (+3 A significantly better ... -3 B significantly better), 0 for tie and for
-- strength 0 (negligibly better / unsure). Only human verdicts with a strength, or a tie, enter;
-- exact duplicate rows count once.
-- One row per distinct per-comparison count vector (n_m3 .. n_p3): n_items comparisons share it.
-- params: $batch_id
WITH human AS (
    -- exact duplicate rows (identical in every delivered column, as hygiene/duplicate_rows
    -- defines them) count once: a delivery defect, not a second opinion. Within a comparison the
    -- other columns are compared through one 64-bit hash (2x faster than DISTINCT at 1M rows;
    -- a collision between two different rows of one comparison has probability ~1e-19).
    SELECT comparison_id, any_value(preference) AS preference, any_value(strength) AS strength
    FROM verdicts
    WHERE batch_id = $batch_id AND annotator_kind = 'human'
    GROUP BY comparison_id,
             hash(annotator_id, preference, shown_first, shown_first_recorded, strength, rating_a,
                  rating_b, seconds, gold, category, created_at, prompt_id, model_a, model_b,
                  content_hash, CAST(extra AS VARCHAR))
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
