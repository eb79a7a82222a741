-- name: items/length_flag
-- Items filter `length_flag=ANNOTATOR`: the verdicts that make the annotator's p_prefer_longer
-- (queries/bias/length_by_annotator.sql): non-tie verdicts whose responses differ by more than
-- $min_diff_chars characters; chose_longer says the verdict preferred the longer response (the
-- numerator). One row per verdict, those that chose the longer first (duplicate copies, schema v12, left
-- out as p_prefer_longer leaves them out). Any annotator kind.
-- Paged by $limit and $offset.
-- params: $batch_id, $annotator_id, $min_diff_chars, $limit, $offset
SELECT comparison_id, annotator_id, preference, len_a_chars, len_b_chars,
       preference = CASE WHEN len_a_chars > len_b_chars THEN 'A' ELSE 'B' END AS chose_longer,
       file_id, source_line
FROM verdicts
WHERE batch_id = $batch_id AND annotator_id = $annotator_id AND NOT duplicate_copy
  AND preference <> 'tie' AND abs(len_a_chars - len_b_chars) > $min_diff_chars
ORDER BY chose_longer DESC, comparison_id, file_id, source_line
LIMIT $limit OFFSET $offset
