-- name: contract/ranking_delivered
-- Ranking deliveries against a plan: one row per batch in scope. A ranked prompt is a prompt_id with
-- at least one stored human ranking row (duplicate copies aside): n_delivered, n_annotator_slots,
-- n_below_overlap, n_units (>= $overlap distinct human annotators ranked it), n_units_retained.
-- params: $overlap
WITH p AS (
    SELECT batch_id, prompt_id,
           count(DISTINCT annotator_id) AS n_annotators,
           count(DISTINCT annotator_id) FILTER (WHERE NOT excluded) AS n_retained
    FROM _ql_ranking_rows
    WHERE NOT duplicate_copy AND annotator_kind = 'human'
    GROUP BY batch_id, prompt_id
)
SELECT s.batch_id,
       count(p.prompt_id) AS n_delivered,
       0 AS n_defective,
       coalesce(sum(p.n_annotators), 0) AS n_annotator_slots,
       count(p.prompt_id) FILTER (WHERE p.n_annotators < $overlap) AS n_below_overlap,
       count(p.prompt_id) FILTER (WHERE p.n_annotators >= $overlap) AS n_units,
       count(p.prompt_id) FILTER (WHERE p.n_retained >= $overlap) AS n_units_retained
FROM _ql_scope s LEFT JOIN p ON p.batch_id = s.batch_id
GROUP BY s.batch_id
ORDER BY s.batch_id
