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
-- params: $batch_id, $annotator_kind ('human' | 'judge' | 'all')
WITH p AS (
    SELECT seconds
    FROM verdicts
    WHERE batch_id = $batch_id AND NOT duplicate_copy
      AND ($annotator_kind = 'all' OR annotator_kind = $annotator_kind)
), r AS (
    SELECT CASE WHEN count(seconds) = count(*) THEN sum(seconds) END AS seconds
    FROM ratings
    WHERE batch_id = $batch_id AND NOT duplicate_copy
      AND ($annotator_kind = 'all' OR annotator_kind = $annotator_kind)
    GROUP BY item_id, annotator_id
), k AS (
    SELECT seconds
    FROM rankings
    WHERE batch_id = $batch_id AND NOT duplicate_copy
      AND ($annotator_kind = 'all' OR annotator_kind = $annotator_kind)
)
SELECT 'pairwise' AS signal, count(*) AS n_tasks, count(seconds) AS n_timed,
       avg(seconds) AS mean_seconds, median(seconds) AS median_seconds FROM p
UNION ALL
SELECT 'ratings', count(*), count(seconds), avg(seconds), median(seconds) FROM r
UNION ALL
SELECT 'rankings', count(*), count(seconds), avg(seconds), median(seconds) FROM k
