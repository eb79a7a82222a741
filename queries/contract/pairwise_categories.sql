-- name: contract/pairwise_categories
-- Delivered comparisons per category: one row per batch in scope and category (NULL = no category),
-- with n_delivered (new comparisons, as contract/pairwise_delivered) and n_units (non-defective,
-- >= $overlap distinct human annotators). A comparison's category is its first verdict's.
-- params: $overlap
WITH c AS (
    SELECT batch_id, comparison_id,
           any_value(item_reason) AS item_reason,
           arg_min(category, (file_id, source_line)) AS category,
           count(DISTINCT annotator_id) AS n_annotators
    FROM _ql_verdict_rows
    WHERE NOT duplicate_copy AND annotator_kind = 'human'
    GROUP BY batch_id, comparison_id
)
SELECT batch_id, category,
       count(*) FILTER (WHERE item_reason IS DISTINCT FROM 'redelivered') AS n_delivered,
       count(*) FILTER (WHERE item_reason IS NULL AND n_annotators >= $overlap) AS n_units
FROM c
GROUP BY batch_id, category
ORDER BY batch_id, category NULLS LAST
