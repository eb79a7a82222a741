-- name: judges/patterns
-- Judge vs human label counts per comparison, collapsed into patterns: one row per
-- (judge, j_a, j_b, j_tie, h_a, h_b, h_tie) with n = the comparisons showing that pattern.
-- j_* = the judge's verdicts on the comparison (every one, both orders included);
-- h_* = all human verdicts on it (0 when no human judged it).  params: $batch_id
WITH h AS (
    SELECT comparison_id,
           count(*) FILTER (WHERE preference = 'A') AS h_a,
           count(*) FILTER (WHERE preference = 'B') AS h_b,
           count(*) FILTER (WHERE preference = 'tie') AS h_tie
    FROM verdicts WHERE batch_id = $batch_id AND NOT duplicate_copy AND annotator_kind = 'human'
    GROUP BY comparison_id
), j AS (
    SELECT annotator_id, comparison_id,
           count(*) FILTER (WHERE preference = 'A') AS j_a,
           count(*) FILTER (WHERE preference = 'B') AS j_b,
           count(*) FILTER (WHERE preference = 'tie') AS j_tie
    FROM verdicts WHERE batch_id = $batch_id AND NOT duplicate_copy AND annotator_kind = 'judge'
    GROUP BY annotator_id, comparison_id
)
SELECT j.annotator_id, j.j_a, j.j_b, j.j_tie,
       coalesce(h.h_a, 0) AS h_a, coalesce(h.h_b, 0) AS h_b, coalesce(h.h_tie, 0) AS h_tie,
       count(*) AS n
FROM j LEFT JOIN h USING (comparison_id)
GROUP BY ALL
ORDER BY ALL
