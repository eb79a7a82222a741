-- name: ingest/mark_duplicates_pairwise
-- Keep verdicts.duplicate_copy current for one batch (the report's one duplicate rule, schema v12):
-- true on every copy of an exact duplicate row beyond the first (lowest file_id, source_line) of
-- the batch, identical in every delivered column (texts through content_hash; NULLs equal). Run in
-- the same transaction as every write of the batch's verdicts (ingest, --replace, judge runs).
-- Candidate groups by one 64-bit hash of the columns (integer-keyed; no text read), then the exact
-- grouping over the candidates only, so a hash collision never marks a different row. Only rows
-- whose flag changes are updated.
-- params: $batch_id
UPDATE verdicts SET duplicate_copy = NOT coalesce(verdicts.duplicate_copy, false)
FROM (
    WITH hashed AS (
        SELECT hash(comparison_id, annotator_id, annotator_kind, preference, shown_first, shown_first_recorded,
                    strength, preference_soft, rating_a, rating_b, seconds, gold, category, created_at, prompt_id, model_a,
                    model_b, content_hash, CAST(extra AS VARCHAR), reference_answer) AS row_hash
        FROM verdicts WHERE batch_id = $batch_id
    ), candidates AS (
        SELECT row_hash FROM hashed GROUP BY row_hash HAVING count(*) > 1
    ), copies AS (
        SELECT file_id, source_line FROM verdicts
        WHERE batch_id = $batch_id
          AND hash(comparison_id, annotator_id, annotator_kind, preference, shown_first, shown_first_recorded,
                   strength, preference_soft, rating_a, rating_b, seconds, gold, category, created_at, prompt_id, model_a,
                   model_b, content_hash, CAST(extra AS VARCHAR), reference_answer) IN (SELECT row_hash FROM candidates)
        QUALIFY row_number() OVER (
            PARTITION BY comparison_id, annotator_id, annotator_kind, preference, shown_first, shown_first_recorded,
                         strength, preference_soft, rating_a, rating_b, seconds, gold, category, created_at, prompt_id, model_a,
                         model_b, content_hash, CAST(extra AS VARCHAR), reference_answer
            ORDER BY file_id, source_line) > 1
    )
    SELECT v.file_id, v.source_line
    FROM verdicts v LEFT JOIN copies c ON c.file_id = v.file_id AND c.source_line = v.source_line
    WHERE v.batch_id = $batch_id AND coalesce(v.duplicate_copy, false) <> (c.file_id IS NOT NULL)
) d
WHERE verdicts.batch_id = $batch_id AND verdicts.file_id = d.file_id AND verdicts.source_line = d.source_line
