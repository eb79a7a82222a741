-- name: ingest/judge_runs_reading
-- The judge runs of a batch that read its rows of one kind, i.e. whose stored verdicts or ratings
-- were computed on those rows' texts: one row per run (a files row with format 'judge-run').
-- Pairwise runs read the comparisons. A single-answer run reads the comparisons when it graded
-- their responses (its calls' items are '<comparison_id>/A' or '/B' of a delivered comparison),
-- else the ratings. No judge run reads rankings.
-- params: $batch_id, $kind (pairwise | rating | ranking)
WITH runs AS (
    SELECT file_id, kind, file_name FROM files WHERE batch_id = $batch_id AND format = 'judge-run'
), graded_comparisons AS (
    SELECT DISTINCT j.file_id
    FROM judge_calls j
    JOIN (SELECT DISTINCT comparison_id FROM verdicts
          WHERE batch_id = $batch_id AND file_id NOT IN (SELECT file_id FROM runs)) c
      ON c.comparison_id = left(j.item_id, length(j.item_id) - 2)
    WHERE j.batch_id = $batch_id AND j.mode = 'single' AND j.file_id IN (SELECT file_id FROM runs)
      AND right(j.item_id, 2) IN ('/A', '/B')
)
SELECT r.file_id, r.kind, r.file_name
FROM runs r
WHERE CASE WHEN r.kind = 'pairwise' OR r.file_id IN (SELECT file_id FROM graded_comparisons) THEN 'pairwise'
           ELSE 'rating' END = $kind
ORDER BY r.file_id
