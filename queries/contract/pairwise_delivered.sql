-- name: contract/pairwise_delivered
-- Pairwise deliveries against a plan: one row per batch in scope (temp views of qualitylab.retained).
-- Counts comparisons with at least one stored human verdict (exact-duplicate copies aside):
--   n_delivered      comparisons that are new (not re-delivered from an earlier batch of the vendor)
--   n_redelivered    re-delivered comparisons (not counted as delivered)
--   n_defective      delivered comparisons with identical or empty responses (delivered, never units)
--   n_gold           delivered comparisons with a gold answer (honeypots)
--   n_annotator_slots  sum over delivered comparisons of their distinct human annotators
--   n_below_overlap  delivered comparisons with fewer than $overlap distinct human annotators
--   n_units          delivered, non-defective comparisons with >= $overlap distinct human annotators
--   n_units_retained the same counting only annotators the decision does not exclude
-- params: $overlap
WITH c AS (
    SELECT batch_id, comparison_id,
           any_value(item_reason) AS item_reason,
           bool_or(gold IS NOT NULL) AS has_gold,
           count(DISTINCT annotator_id) AS n_annotators,
           count(DISTINCT annotator_id) FILTER (WHERE NOT excluded) AS n_retained
    FROM _ql_verdict_rows
    WHERE NOT duplicate_copy AND annotator_kind = 'human'
    GROUP BY batch_id, comparison_id
)
SELECT s.batch_id,
       count(c.comparison_id) FILTER (WHERE c.item_reason IS DISTINCT FROM 'redelivered') AS n_delivered,
       count(c.comparison_id) FILTER (WHERE c.item_reason = 'redelivered') AS n_redelivered,
       count(c.comparison_id) FILTER (WHERE c.item_reason IN ('identical_responses', 'empty_responses'))
           AS n_defective,
       count(c.comparison_id) FILTER (WHERE c.has_gold AND c.item_reason IS DISTINCT FROM 'redelivered') AS n_gold,
       coalesce(sum(c.n_annotators) FILTER (WHERE c.item_reason IS DISTINCT FROM 'redelivered'), 0)
           AS n_annotator_slots,
       count(c.comparison_id) FILTER (WHERE c.item_reason IS DISTINCT FROM 'redelivered'
                                        AND c.n_annotators < $overlap) AS n_below_overlap,
       count(c.comparison_id) FILTER (WHERE c.item_reason IS NULL AND c.n_annotators >= $overlap) AS n_units,
       count(c.comparison_id) FILTER (WHERE c.item_reason IS NULL AND c.n_retained >= $overlap) AS n_units_retained
FROM _ql_scope s LEFT JOIN c ON c.batch_id = s.batch_id
GROUP BY s.batch_id
ORDER BY s.batch_id
