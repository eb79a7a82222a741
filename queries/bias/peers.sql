-- name: bias/peers
-- The relative (leave-one-out) rate of one bias, the same rule for length and position: one row per
-- annotator of the batch with, on the comparisons where both the annotator and other annotators of
-- the SAME kind gave an eligible verdict, the annotator's own counts (n_own verdicts, k_own hits) and
-- the others' (n_peers, k_peers): the peers' rate on the same items, as agreement with majority
-- leaves the annotator out. n_shared_items = those comparisons. Annotators without such a comparison
-- have no row. Duplicate copies skipped.
-- $rule = 'length': eligible = non-tie with |len_a_chars - len_b_chars| > $min_diff_chars; hit =
--         preferring the longer response.
-- $rule = 'position': eligible = non-tie with shown_first recorded; hit = preferring the response
--         shown first ($min_diff_chars is not read).
-- params: $batch_id, $rule ('length' | 'position'), $min_diff_chars
WITH e AS (
    SELECT annotator_kind, annotator_id, comparison_id,
           CAST(CASE $rule
                    WHEN 'length' THEN preference = CASE WHEN len_a_chars > len_b_chars THEN 'A' ELSE 'B' END
                    ELSE preference = shown_first
                END AS INTEGER) AS hit
    FROM verdicts
    WHERE batch_id = $batch_id AND NOT duplicate_copy AND preference <> 'tie'
      AND CASE $rule
              WHEN 'length' THEN coalesce(abs(len_a_chars - len_b_chars) > $min_diff_chars, false)
              WHEN 'position' THEN shown_first_recorded
              ELSE false
          END
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
