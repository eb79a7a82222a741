-- name: bias/length_by_annotator
-- One row per annotator (humans and judges: one BH family per batch): the counts behind p_prefer_longer (length bias).
--   n_verdicts   all the annotator's verdicts in the batch
--   n_with_len   verdicts whose two response lengths are known
--   n            non-tie verdicts whose responses differ by more than $min_diff_chars characters
--   k_longer     of those, verdicts preferring the longer response
-- params: $batch_id, $min_diff_chars (AlpacaEval uses 30)
SELECT annotator_kind, annotator_id,
       count(*) AS n_verdicts,
       count(*) FILTER (WHERE len_a_chars IS NOT NULL AND len_b_chars IS NOT NULL) AS n_with_len,
       count(*) FILTER (WHERE preference <> 'tie'
                        AND abs(len_a_chars - len_b_chars) > $min_diff_chars) AS n,
       count(*) FILTER (WHERE preference <> 'tie'
                        AND abs(len_a_chars - len_b_chars) > $min_diff_chars
                        AND preference = CASE WHEN len_a_chars > len_b_chars THEN 'A' ELSE 'B' END) AS k_longer
FROM verdicts
WHERE batch_id = $batch_id AND NOT duplicate_copy
GROUP BY annotator_kind, annotator_id
ORDER BY annotator_kind, annotator_id
