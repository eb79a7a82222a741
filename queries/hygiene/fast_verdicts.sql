-- name: hygiene/fast_verdicts
-- Check: verdicts of the given annotator kind given in less than $min_seconds seconds (too fast
-- to have read both responses). One row per verdict. Verdicts without a time are not reported.
-- Zero rows = pass.
-- params: $batch_id, $annotator_kind, $min_seconds
SELECT annotator_id, comparison_id, preference, seconds, source_line
FROM verdicts
WHERE batch_id = $batch_id AND NOT duplicate_copy AND annotator_kind = $annotator_kind AND seconds < $min_seconds
ORDER BY annotator_id, seconds, source_line
