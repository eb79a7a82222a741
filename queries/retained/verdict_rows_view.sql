-- name: retained/verdict_rows_view
-- Every stored verdict of the batches in scope with why it is not retained: drop_reason is the first
-- that applies of duplicate_copy (an exact duplicate row beyond the first), judge (not a human
-- verdict), excluded_annotator (excluded by the batch's decision: temp table _ql_excluded), then the
-- comparison's item reason (redelivered, identical_responses, empty_responses: _ql_item_flags);
-- NULL = a retained human verdict. item_reason is the comparison's reason whatever the row's.
-- Created as the temp view _ql_verdict_rows (contract units, the export).
-- params: none
CREATE OR REPLACE TEMP VIEW _ql_verdict_rows AS
SELECT v.*,
       f.reason AS item_reason,
       x.annotator_id IS NOT NULL AS excluded,
       CASE WHEN v.duplicate_copy THEN 'duplicate_copy'
            WHEN v.annotator_kind <> 'human' THEN 'judge'
            WHEN x.annotator_id IS NOT NULL THEN 'excluded_annotator'
            ELSE f.reason END AS drop_reason
FROM _ql_verdicts v
LEFT JOIN _ql_item_flags f ON f.batch_id = v.batch_id AND f.comparison_id = v.comparison_id
LEFT JOIN _ql_excluded x ON x.batch_id = v.batch_id AND x.annotator_id = v.annotator_id
