-- name: gates/examples_by_annotator
-- Evidence: example verdicts of the named annotators, for the evidence pack. One row per verdict:
-- the first $per_annotator verdicts of each annotator in $annotator_ids (by file and line), with the
-- delivered file's name and line so the vendor can find the row, and the texts cut to $max_chars
-- characters. The rows are picked on keys first; texts are read for the picked rows only.
-- params: $batch_id, $annotator_ids (list of text), $per_annotator, $max_chars
WITH picked AS (
    SELECT file_id, source_line
    FROM verdicts
    WHERE batch_id = $batch_id AND list_contains($annotator_ids, annotator_id)
    QUALIFY row_number() OVER (PARTITION BY annotator_id ORDER BY file_id, source_line) <= $per_annotator
)
SELECT v.annotator_id, f.file_name, v.source_line, v.comparison_id, v.shown_first, v.preference,
       v.gold, v.seconds, v.len_a_chars, v.len_b_chars,
       left(v.prompt, $max_chars) AS prompt,
       left(v.response_a, $max_chars) AS response_a,
       left(v.response_b, $max_chars) AS response_b
FROM picked p
JOIN verdicts v ON v.batch_id = $batch_id AND v.file_id = p.file_id AND v.source_line = p.source_line
JOIN files f ON f.file_id = p.file_id
ORDER BY v.annotator_id, v.file_id, v.source_line
