-- name: bias/shown_first_by_annotator
-- Randomisation audit. One row per annotator (humans and judges: one BH family per batch): of the verdicts with shown_first
-- recorded (ties included: the order is assigned before the verdict), how many showed A first.
-- params: $batch_id
SELECT annotator_kind, annotator_id,
       count(*) AS n,
       count(*) FILTER (WHERE shown_first = 'A') AS k_shown_a
FROM verdicts
WHERE batch_id = $batch_id AND NOT duplicate_copy AND shown_first_recorded
GROUP BY annotator_kind, annotator_id
ORDER BY annotator_kind, annotator_id
