-- name: export/dpo_rows
-- The dpo export, one range at a time: the labelled comparisons (temp table _ql_label_stats, from
-- export/label_stats) of batch $batch_id whose first retained verdict is in file $file_id, lines
-- $lo..$hi, with label A or B, and with $keep_ties those labelled tie (is_tie; chosen = response A,
-- rejected = response B). Texts come from that first verdict row; a comparison without prompt or
-- either response is left out (counted as missing_text by export/dpo_counts). In delivery order of
-- the comparisons' first verdicts (first_line).
-- Columns: TRL's preference format (prompt, chosen, rejected) first, then the metadata.
-- params: $batch_id, $file_id, $lo, $hi, $keep_ties
SELECT v.prompt AS prompt,
       CASE WHEN s.label = 'B' THEN v.response_b ELSE v.response_a END AS chosen,
       CASE WHEN s.label = 'B' THEN v.response_a ELSE v.response_b END AS rejected,
       s.comparison_id, s.batch_id,
       CAST(s.n_verdicts AS INTEGER) AS n_verdicts,
       CAST(s.agreement AS DOUBLE) AS agreement,
       CAST(s.margin AS DOUBLE) AS margin,
       CASE WHEN s.label = 'B' THEN v.model_b ELSE v.model_a END AS chosen_model,
       CASE WHEN s.label = 'B' THEN v.model_a ELSE v.model_b END AS rejected_model,
       s.label_source,
       s.label = 'tie' AS is_tie
FROM _ql_label_stats s
JOIN verdicts v ON v.file_id = s.first_file_id AND v.source_line = s.first_line
WHERE s.batch_id = $batch_id AND s.first_file_id = $file_id AND s.first_line BETWEEN $lo AND $hi
  AND v.file_id = $file_id AND v.source_line BETWEEN $lo AND $hi
  AND (s.drop_reason IS NULL OR (s.drop_reason = 'tie' AND $keep_ties))
  AND v.prompt IS NOT NULL AND v.response_a IS NOT NULL AND v.response_b IS NOT NULL
ORDER BY s.first_line
