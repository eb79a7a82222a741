-- name: ingest/mark_duplicates_rating
-- As ingest/mark_duplicates_pairwise for ratings.duplicate_copy: an exact duplicate rating row of
-- the batch beyond the first (every delivered column equal, texts included; NULLs equal).
-- params: $batch_id
UPDATE ratings SET duplicate_copy = NOT coalesce(ratings.duplicate_copy, false)
FROM (
    WITH hashed AS (
        SELECT hash(item_id, annotator_id, annotator_kind, aspect, score, prompt_id, model, prompt, response,
                    seconds, created_at, CAST(extra AS VARCHAR), reference_answer) AS row_hash
        FROM ratings WHERE batch_id = $batch_id
    ), candidates AS (
        SELECT row_hash FROM hashed GROUP BY row_hash HAVING count(*) > 1
    ), copies AS (
        SELECT file_id, source_line FROM ratings
        WHERE batch_id = $batch_id
          AND hash(item_id, annotator_id, annotator_kind, aspect, score, prompt_id, model, prompt, response,
                   seconds, created_at, CAST(extra AS VARCHAR), reference_answer) IN (SELECT row_hash FROM candidates)
        QUALIFY row_number() OVER (
            PARTITION BY item_id, annotator_id, annotator_kind, aspect, score, prompt_id, model, prompt, response,
                         seconds, created_at, CAST(extra AS VARCHAR), reference_answer
            ORDER BY file_id, source_line) > 1
    )
    SELECT r.file_id, r.source_line
    FROM ratings r LEFT JOIN copies c ON c.file_id = r.file_id AND c.source_line = r.source_line
    WHERE r.batch_id = $batch_id AND coalesce(r.duplicate_copy, false) <> (c.file_id IS NOT NULL)
) d
WHERE ratings.batch_id = $batch_id AND ratings.file_id = d.file_id AND ratings.source_line = d.source_line
