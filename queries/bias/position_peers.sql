-- name: bias/position_peers
-- The relative (leave-one-out) position preference, as bias/length_peers: on the comparisons where
-- the annotator and other annotators of the same kind gave a non-tie verdict with shown_first
-- recorded, the annotator's own counts (n_own, k_own preferring the response shown first to them)
-- and the others' (n_peers, k_peers). One row per annotator with such a comparison.
-- params: $batch_id
WITH e AS (
    SELECT annotator_kind, annotator_id, comparison_id, CAST(preference = shown_first AS INTEGER) AS hit
    FROM verdicts
    WHERE batch_id = $batch_id AND NOT duplicate_copy AND preference <> 'tie' AND shown_first_recorded
), own AS (
    SELECT annotator_kind, annotator_id, comparison_id, count(*) AS n, sum(hit) AS k FROM e GROUP BY ALL
), tot AS (
    SELECT annotator_kind, comparison_id, count(*) AS n, sum(hit) AS k FROM e GROUP BY ALL
)
SELECT o.annotator_kind, o.annotator_id,
       count(*) AS n_shared_items,
       CAST(sum(o.n) AS BIGINT) AS n_own, CAST(sum(o.k) AS BIGINT) AS k_own,
       CAST(sum(t.n - o.n) AS BIGINT) AS n_peers, CAST(sum(t.k - o.k) AS BIGINT) AS k_peers
FROM own o JOIN tot t USING (annotator_kind, comparison_id)
WHERE t.n > o.n
GROUP BY ALL
ORDER BY o.annotator_kind, o.annotator_id
