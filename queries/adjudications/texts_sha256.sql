-- name: adjudications/texts_sha256
-- The texts fingerprint of the named comparisons of a batch: SHA-256 of the JSON array
-- [prompt, response_a, response_b] of each comparison's first stored verdict (by file and line),
-- the guard an adjudication is stored with. One row per comparison of $comparison_ids that the
-- batch holds (a missing one has no row).
-- params: $batch_id, $comparison_ids (list of text)
SELECT comparison_id,
       sha256(to_json([first(prompt ORDER BY file_id, source_line),
                       first(response_a ORDER BY file_id, source_line),
                       first(response_b ORDER BY file_id, source_line)])) AS texts_sha256
FROM verdicts
WHERE batch_id = $batch_id AND list_contains(CAST($comparison_ids AS VARCHAR[]), comparison_id)
GROUP BY comparison_id
