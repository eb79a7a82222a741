-- name: hygiene/duplicate_rows
-- Check: exact duplicate rows. One row per group of verdicts of the batch that are identical in
-- every delivered column (texts compared through content_hash, the 64-bit hash of prompt,
-- response_a and response_b computed at ingest, so texts are not rescanned), with the lines
-- holding the copies. Zero rows = pass. n_extra = copies beyond the first.
-- params: $batch_id
SELECT comparison_id, annotator_id, preference,
       count(*) AS n_copies,
       count(*) - 1 AS n_extra,
       list(source_line ORDER BY file_id, source_line) AS source_lines
FROM verdicts
WHERE batch_id = $batch_id
GROUP BY comparison_id, annotator_id, annotator_kind, preference, shown_first, shown_first_recorded,
         strength, rating_a, rating_b, seconds, gold, category, created_at, prompt_id, model_a,
         model_b, content_hash, CAST(extra AS VARCHAR)
HAVING count(*) > 1
ORDER BY comparison_id, annotator_id, source_lines
