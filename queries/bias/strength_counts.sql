-- name: bias/strength_counts
-- One row per (annotator_kind, annotator_id, strength): verdicts carrying that strength (0-3).
-- Verdicts without a strength are skipped.
-- params: $batch_id
SELECT annotator_kind, annotator_id, strength, count(*) AS n
FROM verdicts
WHERE batch_id = $batch_id AND NOT duplicate_copy AND strength IS NOT NULL
GROUP BY ALL
ORDER BY annotator_kind, annotator_id, strength
