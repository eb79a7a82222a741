-- name: items/position_flag
-- Items filter `position_flag=ANNOTATOR`: the verdicts that make the annotator's p_first
-- (queries/bias/position_by_annotator.sql): non-tie verdicts with shown_first recorded; chose_first
-- says the verdict preferred the response shown first (the numerator). One row per verdict, those
-- that chose the first-shown response first (duplicate copies, schema v12, left out as p_first leaves them
-- out). Any annotator kind. Paged by $limit and $offset.
-- params: $batch_id, $annotator_id, $limit, $offset
SELECT comparison_id, annotator_id, preference, shown_first,
       preference = shown_first AS chose_first, file_id, source_line
FROM verdicts
WHERE batch_id = $batch_id AND annotator_id = $annotator_id AND NOT duplicate_copy
  AND shown_first_recorded AND preference <> 'tie'
ORDER BY chose_first DESC, comparison_id, file_id, source_line
LIMIT $limit OFFSET $offset
