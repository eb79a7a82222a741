-- name: signals/seconds_per_task
-- One row per signal ('pairwise', 'ratings', 'rankings'): the unit of paid work and its time.
--   pairwise: one verdict (its seconds);
--   ratings:  one rating task = one annotator rating one response (item_id), all aspects; its time is
--             the sum of seconds over its rows;
--   rankings: one ranked response = one ranking row (an annotator placing one response in a ranking);
--             its seconds (a ranking task's time is the sum over its rows, so comparing two models
--             costs the time of their two rows, as with ratings).
-- A task is timed only when every row of it carries seconds.
--   n_tasks, n_timed, mean_seconds, median_seconds (over timed tasks)
-- Sums of seconds run in a fixed order (ORDER BY inside the aggregate: file, line; item, annotator) so
-- the mean does not depend on how the engine's threads deliver rows (the report's sha256 must not change
-- between two computations).
-- params: $batch_id, $annotator_kind ('human' | 'judge' | 'all')
WITH p AS (
    SELECT seconds, file_id, source_line
    FROM verdicts
    WHERE batch_id = $batch_id AND NOT duplicate_copy
      AND ($annotator_kind = 'all' OR annotator_kind = $annotator_kind)
), r AS (
    SELECT item_id, annotator_id,
           CASE WHEN count(seconds) = count(*) THEN sum(seconds ORDER BY file_id, source_line) END AS seconds
    FROM ratings
    WHERE batch_id = $batch_id AND NOT duplicate_copy
      AND ($annotator_kind = 'all' OR annotator_kind = $annotator_kind)
    GROUP BY item_id, annotator_id
), k AS (
    SELECT seconds, file_id, source_line
    FROM rankings
    WHERE batch_id = $batch_id AND NOT duplicate_copy
      AND ($annotator_kind = 'all' OR annotator_kind = $annotator_kind)
)
SELECT 'pairwise' AS signal, count(*) AS n_tasks, count(seconds) AS n_timed,
       avg(seconds ORDER BY file_id, source_line) AS mean_seconds, median(seconds) AS median_seconds FROM p
UNION ALL
SELECT 'ratings', count(*), count(seconds), avg(seconds ORDER BY item_id, annotator_id), median(seconds) FROM r
UNION ALL
SELECT 'rankings', count(*), count(seconds), avg(seconds ORDER BY file_id, source_line), median(seconds) FROM k
