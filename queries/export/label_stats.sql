-- name: export/label_stats
-- Each labelled comparison with what its retained human verdicts say about the final label: one row
-- per comparison of _ql_labels (batch_id, comparison_id, label, label_source: the label source's
-- rows with the higher-precedence sources applied). n_verdicts = retained human verdicts;
-- agreement = the share of them for the label; margin = the mean strength (0-3) of those for the
-- label where recorded (NULL when none is); first_file_id, first_line = the comparison's first
-- retained verdict row (the texts are read from it). drop_reason: 'tie' (label tie), 'no_majority'
-- (label NULL), else NULL.
-- params: none
SELECT l.batch_id, l.comparison_id, l.label, l.label_source,
       count(*) AS n_verdicts,
       count(*) FILTER (WHERE v.preference = l.label) / count(*) AS agreement,
       avg(v.strength) FILTER (WHERE v.preference = l.label) AS margin,
       arg_min(v.file_id, (v.file_id, v.source_line)) AS first_file_id,
       arg_min(v.source_line, (v.file_id, v.source_line)) AS first_line,
       CASE WHEN l.label IS NULL THEN 'no_majority' WHEN l.label = 'tie' THEN 'tie' END AS drop_reason
FROM _ql_labels l
JOIN _ql_verdict_rows v ON v.batch_id = l.batch_id AND v.comparison_id = l.comparison_id AND v.drop_reason IS NULL
GROUP BY l.batch_id, l.comparison_id, l.label, l.label_source
