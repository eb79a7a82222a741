-- name: bias/length_peers
-- The relative (leave-one-out) length preference: one row per annotator of the batch with, on the
-- comparisons where both the annotator and other annotators of the SAME kind gave an eligible
-- verdict (non-tie, |len_a_chars - len_b_chars| > $min_diff_chars), the annotator's own counts
-- (n_own, k_own preferring the longer) and the others' (n_peers, k_peers): the peers' rate on the
-- same items, as agreement with majority leaves the annotator out. n_shared_items = those
-- comparisons. Annotators without such a comparison have no row. Duplicate copies skipped.
-- params: $batch_id, $min_diff_chars
WITH e AS (
    SELECT annotator_kind, annotator_id, comparison_id,
           CAST(preference = CASE WHEN len_a_chars > len_b_chars THEN 'A' ELSE 'B' END AS INTEGER) AS hit
    FROM verdicts
    WHERE batch_id = $batch_id AND NOT duplicate_copy AND preference <> 'tie'
      AND abs(len_a_chars - len_b_chars) > $min_diff_chars
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
