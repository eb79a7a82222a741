-- name: judges/judges
-- The batch's judges (annotator_kind = 'judge'): one row per judge with its verdict counts.
-- n_both_orders = comparisons it judged with shown_first A and with shown_first B (recorded).
-- params: $batch_id
WITH per_cmp AS (
    SELECT annotator_id, comparison_id, count(*) AS n,
           count(*) FILTER (WHERE shown_first_recorded AND shown_first = 'A') AS n_a_first,
           count(*) FILTER (WHERE shown_first_recorded AND shown_first = 'B') AS n_b_first
    FROM verdicts
    WHERE batch_id = $batch_id AND annotator_kind = 'judge'
    GROUP BY annotator_id, comparison_id
)
SELECT annotator_id, sum(n) AS n_verdicts, count(*) AS n_comparisons,
       count(*) FILTER (WHERE n_a_first > 0 AND n_b_first > 0) AS n_both_orders
FROM per_cmp
GROUP BY annotator_id
ORDER BY annotator_id
