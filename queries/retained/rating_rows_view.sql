-- name: retained/rating_rows_view
-- Every stored rating of the batches in scope with why it is not retained: drop_reason is the first
-- that applies of duplicate_copy, judge, excluded_annotator, empty_response (the rated response is
-- empty or whitespace only, Unicode spaces included; a missing response is not empty); NULL = a
-- retained human rating. Created as the temp view _ql_rating_rows.
-- params: none
CREATE OR REPLACE TEMP VIEW _ql_rating_rows AS
SELECT r.*,
       x.annotator_id IS NOT NULL AS excluded,
       coalesce(r.len_tokens <= 2 AND regexp_full_match(r.response, '[\s\p{Z}]*'), false) AS response_empty,
       CASE WHEN r.duplicate_copy THEN 'duplicate_copy'
            WHEN r.annotator_kind <> 'human' THEN 'judge'
            WHEN x.annotator_id IS NOT NULL THEN 'excluded_annotator'
            WHEN coalesce(r.len_tokens <= 2 AND regexp_full_match(r.response, '[\s\p{Z}]*'), false)
                THEN 'empty_response'
            END AS drop_reason
FROM _ql_ratings r
LEFT JOIN _ql_excluded x ON x.batch_id = r.batch_id AND x.annotator_id = r.annotator_id
