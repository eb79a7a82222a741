-- name: judges/order_patterns
-- Comparisons a judge judged in both orders, collapsed into patterns: one row per
-- (judge, pref_a_first, pref_b_first, h_a, h_b, h_tie) with n comparisons. pref_a_first = the
-- verdict given with response A shown first, pref_b_first = with B shown first (both in the
-- original labels); when a judge gave several verdicts in one order, the first delivered one
-- (file_id, source_line) is used.  params: $batch_id
WITH jv AS (
    SELECT annotator_id, comparison_id, shown_first, preference,
           row_number() OVER (PARTITION BY annotator_id, comparison_id, shown_first
                              ORDER BY file_id, source_line) AS k
    FROM verdicts
    WHERE batch_id = $batch_id AND NOT duplicate_copy AND annotator_kind = 'judge' AND shown_first_recorded
), pairs AS (
    SELECT annotator_id, comparison_id,
           any_value(preference) FILTER (WHERE shown_first = 'A') AS pref_a_first,
           any_value(preference) FILTER (WHERE shown_first = 'B') AS pref_b_first
    FROM jv WHERE k = 1
    GROUP BY annotator_id, comparison_id
    HAVING count(*) FILTER (WHERE shown_first = 'A') > 0 AND count(*) FILTER (WHERE shown_first = 'B') > 0
), h AS (
    SELECT comparison_id,
           count(*) FILTER (WHERE preference = 'A') AS h_a,
           count(*) FILTER (WHERE preference = 'B') AS h_b,
           count(*) FILTER (WHERE preference = 'tie') AS h_tie
    FROM verdicts WHERE batch_id = $batch_id AND NOT duplicate_copy AND annotator_kind = 'human'
    GROUP BY comparison_id
)
SELECT p.annotator_id, p.pref_a_first, p.pref_b_first,
       coalesce(h.h_a, 0) AS h_a, coalesce(h.h_b, 0) AS h_b, coalesce(h.h_tie, 0) AS h_tie,
       count(*) AS n
FROM pairs p LEFT JOIN h USING (comparison_id)
GROUP BY ALL
ORDER BY ALL
