-- name: judges/output_patterns
-- A judge's outputs per comparison, collapsed into patterns for the clustered p_unparsed interval:
-- one row per (judge, n_outputs, n_unparsed) with n = the comparisons showing it. Outputs are the
-- runner's pairwise calls that returned (error IS NULL) and back a run (file_id set), plus the
-- judge's stored verdicts from other files; a comparison asked in both orders is one cluster of two
-- outputs.  params: $batch_id
WITH calls AS (
    SELECT annotator_id, item_id AS comparison_id, count(*) AS n_outputs,
           count(*) FILTER (WHERE NOT parsed) AS n_unparsed
    FROM judge_calls
    WHERE batch_id = $batch_id AND mode = 'pairwise' AND error IS NULL AND file_id IS NOT NULL
    GROUP BY ALL
), runner_files AS (
    SELECT file_id FROM files WHERE batch_id = $batch_id AND format = 'judge-run'
), delivered AS (
    SELECT annotator_id, comparison_id, count(*) AS n_outputs, 0 AS n_unparsed
    FROM verdicts
    WHERE batch_id = $batch_id AND NOT duplicate_copy AND annotator_kind = 'judge' AND file_id NOT IN (SELECT file_id FROM runner_files)
    GROUP BY ALL
), per_cmp AS (
    SELECT annotator_id, comparison_id, sum(n_outputs) AS n_outputs, sum(n_unparsed) AS n_unparsed
    FROM (SELECT * FROM calls UNION ALL SELECT * FROM delivered)
    GROUP BY ALL
)
SELECT annotator_id, n_outputs, n_unparsed, count(*) AS n
FROM per_cmp
GROUP BY ALL
ORDER BY ALL
