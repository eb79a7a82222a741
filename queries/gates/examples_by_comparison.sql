-- name: gates/examples_by_comparison
-- Evidence: the delivered rows of the named comparisons (found by the hygiene checks), for the
-- evidence pack. One row per verdict of a comparison in $comparison_ids, at most $per_comparison
-- per comparison (by file and line), with the file's name and line and the texts cut to $max_chars
-- characters. The rows are picked on keys first; texts are read for the picked rows only.
-- params: $batch_id, $comparison_ids (list of text), $per_comparison, $max_chars
WITH picked AS (
    SELECT file_id, source_line
    FROM verdicts
    WHERE batch_id = $batch_id AND list_contains($comparison_ids, comparison_id)
    QUALIFY row_number() OVER (PARTITION BY comparison_id ORDER BY file_id, source_line) <= $per_comparison
)
SELECT v.comparison_id, f.file_name, v.source_line, v.annotator_id, v.preference, v.seconds,
       left(v.prompt, $max_chars) AS prompt,
       left(v.response_a, $max_chars) AS response_a,
       left(v.response_b, $max_chars) AS response_b
FROM picked p
JOIN verdicts v ON v.batch_id = $batch_id AND v.file_id = p.file_id AND v.source_line = p.source_line
JOIN files f ON f.file_id = p.file_id
ORDER BY v.comparison_id, v.file_id, v.source_line
