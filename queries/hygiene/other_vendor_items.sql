-- name: hygiene/other_vendor_items
-- Check: items that another vendor delivered too. One row per comparison of the batch whose content
-- (pair_hash: the prompt and the two responses in either order, computed at ingest) appears in a
-- batch of ANOTHER vendor in the store, delivered at any time (a copy either way is not new data
-- for one of the two), with the earliest such batch (by delivered date, then ingest time), its
-- vendor and comparison; `swapped` says A and B are the other way round there. As
-- redelivered_items: honeypot rows (gold given) and rows without texts are skipped; a batch without
-- a vendor has no other vendor. Zero rows = pass.
-- params: $batch_id
WITH this AS (
    SELECT b.vendor FROM batches b WHERE b.batch_id = $batch_id
), other AS (
    SELECT b.batch_id, b.vendor, b.delivered, b.created_at
    FROM batches b, this
    WHERE b.vendor IS NOT NULL AND this.vendor IS NOT NULL AND b.vendor <> this.vendor
), seen AS (
    SELECT v.pair_hash,
           first(v.content_hash ORDER BY o.delivered NULLS FIRST, o.created_at, v.comparison_id) AS other_content_hash,
           first(o.batch_id ORDER BY o.delivered NULLS FIRST, o.created_at, v.comparison_id) AS other_batch_id,
           first(o.vendor ORDER BY o.delivered NULLS FIRST, o.created_at, v.comparison_id) AS other_vendor,
           first(v.comparison_id ORDER BY o.delivered NULLS FIRST, o.created_at, v.comparison_id) AS other_comparison_id
    FROM verdicts v JOIN other o ON v.batch_id = o.batch_id
    WHERE v.gold IS NULL AND (v.len_a_chars IS NOT NULL OR v.len_b_chars IS NOT NULL)
    GROUP BY v.pair_hash
)
SELECT v.comparison_id,
       any_value(v.prompt_id) AS prompt_id,
       s.other_vendor,
       s.other_batch_id,
       s.other_comparison_id,
       bool_or(v.content_hash <> s.other_content_hash) AS swapped,
       count(*) AS n_verdicts,
       min(v.source_line) AS first_line
FROM verdicts v JOIN seen s ON v.pair_hash = s.pair_hash
WHERE v.batch_id = $batch_id AND v.gold IS NULL
  AND (v.len_a_chars IS NOT NULL OR v.len_b_chars IS NOT NULL)
GROUP BY v.comparison_id, s.other_vendor, s.other_batch_id, s.other_comparison_id
ORDER BY v.comparison_id
