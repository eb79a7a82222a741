-- name: bias/annotator_activity
-- One row per annotator of the batch's verdicts: how many verdicts and distinct comparisons, how
-- many verdicts carry a time, and the median of `seconds` (DuckDB median: the mean of the two
-- middle values for an even count).
-- params: $batch_id
SELECT annotator_kind, annotator_id,
       count(*) AS n_verdicts,
       count(DISTINCT comparison_id) AS n_items,
       count(seconds) AS n_timed,
       median(seconds) AS median_seconds
FROM verdicts
WHERE batch_id = $batch_id AND NOT duplicate_copy
GROUP BY ALL
ORDER BY annotator_kind, annotator_id
