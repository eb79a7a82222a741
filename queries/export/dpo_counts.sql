-- name: export/dpo_counts
-- Labelled comparisons of each batch by what the dpo export does with them: one row per batch
-- and outcome: 'written', 'tie' (written when $keep_ties), 'no_majority', 'missing_text' (no
-- prompt or a missing response on the comparison's first retained verdict row), with n_comparisons.
-- params: $keep_ties
SELECT s.batch_id,
       CASE WHEN v.prompt IS NULL OR v.response_a IS NULL OR v.response_b IS NULL THEN 'missing_text'
            WHEN s.drop_reason = 'tie' AND $keep_ties THEN 'written'
            ELSE coalesce(s.drop_reason, 'written') END AS outcome,
       count(*) AS n_comparisons
FROM _ql_label_stats s
JOIN verdicts v ON v.file_id = s.first_file_id AND v.source_line = s.first_line
GROUP BY ALL
ORDER BY s.batch_id, outcome
