-- name: agreement/preference_patterns
-- The batch's human pairwise verdicts reduced to per-comparison label counts, and those to their
-- distinct patterns. One row per distinct (n_b, n_tie, n_a): n_items = how many comparisons got
-- exactly that many B, tie and A verdicts. Comparisons with a single verdict are kept (counted in
-- n_items; not pairable). Every human verdict is a value, repeats by the same annotator too,
-- except exact duplicate rows, which count once.
-- params: $batch_id
WITH human AS (
    -- exact duplicate rows (identical in every delivered column, as hygiene/duplicate_rows
    -- defines them) count once: a delivery defect, not a second opinion. Within a comparison the
    -- other columns are compared through one 64-bit hash (2x faster than DISTINCT at 1M rows;
    -- a collision between two different rows of one comparison has probability ~1e-19).
    SELECT comparison_id, any_value(preference) AS preference
    FROM verdicts
    WHERE batch_id = $batch_id AND annotator_kind = 'human'
    GROUP BY comparison_id,
             hash(annotator_id, preference, shown_first, shown_first_recorded, strength, rating_a,
                  rating_b, seconds, gold, category, created_at, prompt_id, model_a, model_b,
                  content_hash, CAST(extra AS VARCHAR))
),
per_item AS (
    SELECT count(*) FILTER (WHERE preference = 'B') AS n_b,
           count(*) FILTER (WHERE preference = 'tie') AS n_tie,
           count(*) FILTER (WHERE preference = 'A') AS n_a
    FROM human
    GROUP BY comparison_id
)
SELECT count(*) AS n_items, n_b, n_tie, n_a
FROM per_item
GROUP BY ALL
ORDER BY n_items DESC, n_b, n_tie, n_a
