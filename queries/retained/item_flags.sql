-- name: retained/item_flags
-- The comparisons of the batches in scope that are not new, usable items: one row per comparison
-- with the first reason that applies, in the order redelivered, identical_responses,
-- empty_responses. Reads the temp table _ql_hygiene (batch_id, comparison_id, reason), filled from
-- the hygiene checks' own queries (hygiene/redelivered_items, identical_responses, empty_responses),
-- so an item is flagged here exactly when the report lists it.
-- params: none
SELECT batch_id, comparison_id,
       arg_min(reason, CASE reason WHEN 'redelivered' THEN 1 WHEN 'identical_responses' THEN 2 ELSE 3 END) AS reason
FROM _ql_hygiene
GROUP BY batch_id, comparison_id
