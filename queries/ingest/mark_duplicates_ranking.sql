-- name: ingest/mark_duplicates_ranking
-- As ingest/mark_duplicates_pairwise for rankings.duplicate_copy: an exact duplicate ranking row of
-- the batch beyond the first (every delivered column equal, the response text included; NULLs equal).
-- params: $batch_id
UPDATE rankings SET duplicate_copy = NOT coalesce(rankings.duplicate_copy, false)
FROM (
    WITH copies AS (
        SELECT file_id, source_line FROM rankings
        WHERE batch_id = $batch_id
        QUALIFY row_number() OVER (
            PARTITION BY prompt_id, annotator_id, annotator_kind, response_id, "rank", model, response, seconds,
                         CAST(extra AS VARCHAR)
            ORDER BY file_id, source_line) > 1
    )
    SELECT k.file_id, k.source_line
    FROM rankings k LEFT JOIN copies c ON c.file_id = k.file_id AND c.source_line = k.source_line
    WHERE k.batch_id = $batch_id AND coalesce(k.duplicate_copy, false) <> (c.file_id IS NOT NULL)
) d
WHERE rankings.batch_id = $batch_id AND rankings.file_id = d.file_id AND rankings.source_line = d.source_line
