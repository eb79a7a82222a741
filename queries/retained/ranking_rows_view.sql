-- name: retained/ranking_rows_view
-- Every stored ranking row of the batches in scope with why it is not retained: duplicate_copy,
-- judge, excluded_annotator, or NULL (retained). Created as the temp view _ql_ranking_rows.
-- params: none
CREATE OR REPLACE TEMP VIEW _ql_ranking_rows AS
SELECT k.*,
       x.annotator_id IS NOT NULL AS excluded,
       CASE WHEN k.duplicate_copy THEN 'duplicate_copy'
            WHEN k.annotator_kind <> 'human' THEN 'judge'
            WHEN x.annotator_id IS NOT NULL THEN 'excluded_annotator'
            END AS drop_reason
FROM _ql_rankings k
LEFT JOIN _ql_excluded x ON x.batch_id = k.batch_id AND x.annotator_id = k.annotator_id
