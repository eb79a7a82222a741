-- name: contract/rating_delivered
-- Rating deliveries against a plan: one row per batch in scope. A rated item is an item_id with at
-- least one stored human rating (duplicate copies aside), any aspect:
--   n_delivered, n_defective (its response is empty), n_annotator_slots (sum of distinct human
--   annotators per item), n_below_overlap, n_units (non-defective, >= $overlap distinct human
--   annotators), n_units_retained (the same without the decision's excluded annotators)
-- params: $overlap
WITH i AS (
    SELECT batch_id, item_id,
           bool_or(response_empty) AS defective,
           count(DISTINCT annotator_id) AS n_annotators,
           count(DISTINCT annotator_id) FILTER (WHERE NOT excluded) AS n_retained
    FROM _ql_rating_rows
    WHERE NOT duplicate_copy AND annotator_kind = 'human'
    GROUP BY batch_id, item_id
)
SELECT s.batch_id,
       count(i.item_id) AS n_delivered,
       count(i.item_id) FILTER (WHERE i.defective) AS n_defective,
       coalesce(sum(i.n_annotators), 0) AS n_annotator_slots,
       count(i.item_id) FILTER (WHERE i.n_annotators < $overlap) AS n_below_overlap,
       count(i.item_id) FILTER (WHERE NOT i.defective AND i.n_annotators >= $overlap) AS n_units,
       count(i.item_id) FILTER (WHERE NOT i.defective AND i.n_retained >= $overlap) AS n_units_retained
FROM _ql_scope s LEFT JOIN i ON i.batch_id = s.batch_id
GROUP BY s.batch_id
ORDER BY s.batch_id
