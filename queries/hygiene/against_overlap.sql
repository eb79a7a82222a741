-- name: hygiene/against_overlap
-- Re-delivered from a public set: one row per comparison of the batch whose prompt and pair of
-- responses (either order: pair_hash) occur in the against-file whose pairs are bound as the
-- parallel lists $pair_hashes, $content_hashes and $lines (qualitylab/against.py), with the file's
-- line and whether the batch has A and B the other way round (`swapped`). As redelivered_items:
-- honeypot rows (gold given) and rows without texts are skipped; exact duplicate copies too.
-- Zero rows = no overlap. Ordered by comparison_id.
-- params: $batch_id, $pair_hashes, $content_hashes, $lines
WITH pairs AS (
    SELECT unnest($pair_hashes::UBIGINT[]) AS pair_hash,
           unnest($content_hashes::UBIGINT[]) AS against_content_hash,
           unnest($lines::BIGINT[]) AS against_line
)
SELECT v.comparison_id,
       any_value(v.prompt_id) AS prompt_id,
       p.against_line,
       bool_or(v.content_hash <> p.against_content_hash) AS swapped,
       count(*) AS n_verdicts,
       min(v.source_line) AS first_line
FROM verdicts v JOIN pairs p ON v.pair_hash = p.pair_hash
WHERE v.batch_id = $batch_id AND v.gold IS NULL AND NOT v.duplicate_copy
  AND (v.len_a_chars IS NOT NULL OR v.len_b_chars IS NOT NULL)
GROUP BY v.comparison_id, p.against_line
ORDER BY v.comparison_id
