-- name: hygiene/duplicate_rows
-- Check: exact duplicate rows. One row per group of verdicts of the batch that are identical in
-- every delivered column (texts compared through content_hash, the 64-bit hash of prompt,
-- response_a and response_b computed at ingest, so texts are not rescanned), with the lines
-- holding the copies. Zero rows = pass. n_extra = copies beyond the first.
-- Two steps: candidate groups by one 64-bit hash of the delivered columns (an integer-keyed
-- aggregation; grouping 10M rows by all 18 columns spills past the memory limit), then the exact
-- grouping by every column over the candidates only, so a hash collision never merges two rows.
-- params: $batch_id
WITH hashed AS (
    SELECT hash(comparison_id, annotator_id, annotator_kind, preference, shown_first, shown_first_recorded,
                strength, preference_soft, rating_a, rating_b, seconds, gold, category, created_at, prompt_id, model_a,
                model_b, content_hash, CAST(extra AS VARCHAR)) AS row_hash
    FROM verdicts
    WHERE batch_id = $batch_id
), candidates AS (
    SELECT row_hash FROM hashed GROUP BY row_hash HAVING count(*) > 1
)
SELECT comparison_id, annotator_id, preference,
       count(*) AS n_copies,
       count(*) - 1 AS n_extra,
       list(source_line ORDER BY file_id, source_line) AS source_lines
FROM verdicts
WHERE batch_id = $batch_id
  AND hash(comparison_id, annotator_id, annotator_kind, preference, shown_first, shown_first_recorded,
           strength, preference_soft, rating_a, rating_b, seconds, gold, category, created_at, prompt_id, model_a,
           model_b, content_hash, CAST(extra AS VARCHAR)) IN (SELECT row_hash FROM candidates)
GROUP BY comparison_id, annotator_id, annotator_kind, preference, shown_first, shown_first_recorded,
         strength, preference_soft, rating_a, rating_b, seconds, gold, category, created_at, prompt_id, model_a,
         model_b, content_hash, CAST(extra AS VARCHAR)
HAVING count(*) > 1
ORDER BY comparison_id, annotator_id, source_lines
