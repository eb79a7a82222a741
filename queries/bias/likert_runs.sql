-- name: bias/likert_runs
-- Straight-lining on ratings. One row per (annotator, aspect): the longest run of consecutive
-- ratings with the same score, in working order (created_at, then file and source_line).
-- params: $batch_id
WITH r AS (
    SELECT annotator_kind, annotator_id, aspect, score,
           row_number() OVER (PARTITION BY annotator_kind, annotator_id, aspect
                              ORDER BY created_at NULLS LAST, file_id, source_line)
         - row_number() OVER (PARTITION BY annotator_kind, annotator_id, aspect, score
                              ORDER BY created_at NULLS LAST, file_id, source_line) AS island
    FROM ratings
    WHERE batch_id = $batch_id AND NOT duplicate_copy
), runs AS (
    SELECT annotator_kind, annotator_id, aspect, score, island, count(*) AS run
    FROM r GROUP BY ALL
)
SELECT annotator_kind, annotator_id, aspect,
       max(run) AS longest_run,
       first(score ORDER BY run DESC, score) AS longest_run_score
FROM runs
GROUP BY ALL
ORDER BY annotator_kind, annotator_id, aspect
