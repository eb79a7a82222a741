-- name: hygiene/redelivered_items
-- Check: items re-delivered from an earlier batch of the same vendor. One row per comparison of
-- the batch whose content (pair_hash = hash of the prompt and the two responses in either order,
-- computed at ingest) already appeared in a batch of the same vendor delivered earlier (by
-- delivered date, then ingest time), with the earliest such batch and comparison; `swapped` says
-- the responses came back with A and B exchanged (their order-sensitive content_hash differs). Honeypot rows (gold given) are meant to recur and are not reported; rows without
-- texts (both lengths unknown) carry no content and are skipped. Zero rows = pass.
-- params: $batch_id
WITH this AS (
    SELECT b.vendor, b.delivered, b.created_at FROM batches b WHERE b.batch_id = $batch_id
), earlier AS (
    SELECT b.batch_id, b.vendor, b.delivered, b.created_at
    FROM batches b, this
    WHERE b.batch_id <> $batch_id AND b.vendor IS NOT DISTINCT FROM this.vendor
      AND (b.delivered < this.delivered
           OR (coalesce(b.delivered = this.delivered, true) AND b.created_at < this.created_at))
), seen AS (
    SELECT v.pair_hash,
           first(v.content_hash ORDER BY e.delivered NULLS FIRST, e.created_at, v.comparison_id)
               AS earlier_content_hash,
           first(e.batch_id ORDER BY e.delivered NULLS FIRST, e.created_at, v.comparison_id) AS earlier_batch_id,
           first(v.comparison_id ORDER BY e.delivered NULLS FIRST, e.created_at, v.comparison_id)
               AS earlier_comparison_id
    FROM verdicts v JOIN earlier e ON v.batch_id = e.batch_id
    WHERE v.gold IS NULL AND (v.len_a_chars IS NOT NULL OR v.len_b_chars IS NOT NULL)
    GROUP BY v.pair_hash
)
SELECT v.comparison_id,
       any_value(v.prompt_id) AS prompt_id,
       s.earlier_batch_id,
       s.earlier_comparison_id,
       bool_or(v.content_hash <> s.earlier_content_hash) AS swapped,
       count(*) AS n_verdicts,
       min(v.source_line) AS first_line
FROM verdicts v JOIN seen s ON v.pair_hash = s.pair_hash
WHERE v.batch_id = $batch_id AND v.gold IS NULL
  AND (v.len_a_chars IS NOT NULL OR v.len_b_chars IS NOT NULL)
GROUP BY v.comparison_id, s.earlier_batch_id, s.earlier_comparison_id
ORDER BY v.comparison_id
