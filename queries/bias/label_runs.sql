-- name: bias/label_runs
-- Straight-lining. One row per annotator: the longest run of consecutive verdicts with the same
-- label, in the annotator's working order (created_at, then file and source_line; verdicts without
-- created_at come last in file order), and the label of that run (ties broken alphabetically).
-- One sort: in working order each verdict's position (rn), the annotator's count (n) and whether it
-- starts a run (its label differs from the previous verdict's); a run's length is the next run's
-- start - its own start (n + 1 after the last run). The second window orders only run starts by
-- their integer position.
-- params: $batch_id
WITH o AS (
    SELECT annotator_kind, annotator_id, preference,
           row_number() OVER w AS rn,
           count(*) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS n,
           preference IS DISTINCT FROM lag(preference) OVER w AS starts
    FROM verdicts
    WHERE batch_id = $batch_id AND NOT duplicate_copy
    WINDOW w AS (PARTITION BY annotator_kind, annotator_id ORDER BY created_at NULLS LAST, file_id, source_line)
), runs AS (
    SELECT annotator_kind, annotator_id, preference,
           coalesce(lead(rn) OVER (PARTITION BY annotator_kind, annotator_id ORDER BY rn), n + 1) - rn AS run
    FROM o
    WHERE starts
)
SELECT annotator_kind, annotator_id,
       max(run) AS longest_run,
       first(preference ORDER BY run DESC, preference) AS longest_run_label
FROM runs
GROUP BY ALL
ORDER BY annotator_kind, annotator_id
