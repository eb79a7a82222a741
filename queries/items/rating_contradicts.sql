-- name: items/rating_contradicts
-- Items filter `rating_contradicts[=ANNOTATOR]`: the verdicts whose own ratings (rating_a, rating_b
-- given in the same task) tell another story -- the rows behind the within-task statistics of
-- Rankings vs ratings (queries/signals/within_task_table.sql, qualitylab/signals/consistency.py).
-- One boolean per statistic; a verdict is listed when any is true:
--   prefers_lower        a non-tie verdict whose ratings differ, for the lower-rated response
--                        (direction_agreement's decided verdicts that do not agree);
--   strong_on_equal      rating_a = rating_b yet a non-tie preference of strength >= $strong_strength
--                        (rating_tie_strong_preference's numerator);
--   no_preference_gap    a tie or strength 0 with |rating_a - rating_b| >= $large_gap
--                        (preference_tie_rating_gap's numerator).
-- $annotator_id NULL = every human annotator; else that annotator (any kind). Duplicate copies
-- (schema v12) are left out, as the statistics leave them out. One row per verdict.
-- Ordered by comparison_id, annotator, line; paged by $limit and $offset.
-- params: $batch_id, $annotator_id (text or NULL), $strong_strength, $large_gap, $limit, $offset
WITH v AS (
    SELECT comparison_id, annotator_id, preference, strength, rating_a, rating_b, file_id, source_line,
           preference <> 'tie' AND rating_a <> rating_b
               AND (preference = 'A') <> (rating_a > rating_b) AS prefers_lower,
           preference <> 'tie' AND rating_a = rating_b AND coalesce(strength >= $strong_strength, false)
               AS strong_on_equal,
           (preference = 'tie' OR coalesce(strength = 0, false)) AND abs(rating_a - rating_b) >= $large_gap
               AS no_preference_gap
    FROM verdicts
    WHERE batch_id = $batch_id AND NOT duplicate_copy
      AND rating_a IS NOT NULL AND rating_b IS NOT NULL
      AND (CASE WHEN $annotator_id IS NULL THEN annotator_kind = 'human' ELSE annotator_id = $annotator_id END)
)
SELECT comparison_id, annotator_id, preference, strength, rating_a, rating_b,
       prefers_lower, strong_on_equal, no_preference_gap, file_id, source_line
FROM v
WHERE prefers_lower OR strong_on_equal OR no_preference_gap
ORDER BY comparison_id, annotator_id, file_id, source_line
LIMIT $limit OFFSET $offset
