-- name: judges/count_untexted
-- Comparisons of the batch a judge cannot see: no row carries both response texts.
-- One row.  params: $batch_id
SELECT count(*) AS n FROM (
    SELECT comparison_id FROM verdicts WHERE batch_id = $batch_id
    GROUP BY comparison_id
    HAVING count(*) FILTER (WHERE response_a IS NOT NULL AND response_b IS NOT NULL) = 0)
