-- name: bias/position_by_annotator
-- One row per annotator (humans and judges: one BH family per batch): the counts behind p_first (position bias).
--   n_verdicts  all the annotator's verdicts in the batch
--   n_recorded  verdicts whose shown_first was recorded (ties included)
--   n           non-tie verdicts with shown_first recorded (the denominator of p_first)
--   k_first     of those, verdicts preferring the response shown first (preference = shown_first)
-- params: $batch_id
SELECT annotator_kind, annotator_id,
       count(*) AS n_verdicts,
       count(*) FILTER (WHERE shown_first_recorded) AS n_recorded,
       count(*) FILTER (WHERE shown_first_recorded AND preference <> 'tie') AS n,
       count(*) FILTER (WHERE shown_first_recorded AND preference <> 'tie'
                        AND preference = shown_first) AS k_first
FROM verdicts
WHERE batch_id = $batch_id AND NOT duplicate_copy
GROUP BY annotator_kind, annotator_id
ORDER BY annotator_kind, annotator_id
