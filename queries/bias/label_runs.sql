-- name: bias/label_runs
-- Straight-lining. One row per annotator: the longest run of consecutive verdicts with the same
-- label, in the annotator's working order (created_at, then file and source_line; verdicts without
-- created_at come last in file order), and the label of that run (ties broken alphabetically).
-- Gaps-and-islands: within one annotator, rows of one run share (row number - row number per label).
-- params: $batch_id
WITH v AS (
    SELECT annotator_kind, annotator_id, preference,
           row_number() OVER (PARTITION BY annotator_kind, annotator_id
                              ORDER BY created_at NULLS LAST, file_id, source_line)
         - row_number() OVER (PARTITION BY annotator_kind, annotator_id, preference
                              ORDER BY created_at NULLS LAST, file_id, source_line) AS island
    FROM verdicts
    WHERE batch_id = $batch_id
), runs AS (
    SELECT annotator_kind, annotator_id, preference, island, count(*) AS run
    FROM v GROUP BY ALL
)
SELECT annotator_kind, annotator_id,
       max(run) AS longest_run,
       first(preference ORDER BY run DESC, preference) AS longest_run_label
FROM runs
GROUP BY ALL
ORDER BY annotator_kind, annotator_id
