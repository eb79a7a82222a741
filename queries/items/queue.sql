-- name: items/queue
-- Items filter `queue`: the comparisons that most need an adjudication, most needed first. One row
-- per comparison with at least one reason, and its priority = 4 if contested (no strict majority
-- among the human verdicts, items/human_counts) + 2 if a judge disagrees with a narrow human
-- majority (one that wins by a single verdict: 2 * n_majority - n_human <= 1) + 1 if a human
-- verdict misses the gold label. Duplicate copies (schema v12) are left out. Comparisons in
-- $adjudicated (those with a current adjudication; qualitylab/adjudicated.py) are left out.
-- Ordered by priority, then comparison_id; paged by $limit and $offset.
-- params: $batch_id, $adjudicated (list of text), $limit, $offset
WITH m AS (
    -- include: items/human_counts
), g AS (
    SELECT comparison_id, count(*) AS n_gold_missed
    FROM verdicts
    WHERE batch_id = $batch_id AND annotator_kind = 'human' AND NOT duplicate_copy
      AND gold IS NOT NULL AND preference <> gold
    GROUP BY comparison_id
), j AS (
    SELECT v.comparison_id, count(*) AS n_judge_against
    FROM verdicts v JOIN m USING (comparison_id)
    WHERE v.batch_id = $batch_id AND v.annotator_kind = 'judge' AND NOT v.duplicate_copy
      AND m.majority IS NOT NULL AND v.preference <> m.majority AND 2 * m.n_majority - m.n_human <= 1
    GROUP BY v.comparison_id
), scored AS (
    SELECT m.comparison_id, m.n_human, m.n_a, m.n_b, m.n_tie, m.majority,
           m.majority IS NULL AS contested,
           coalesce(j.n_judge_against, 0) AS n_judge_against_narrow,
           coalesce(g.n_gold_missed, 0) AS n_gold_missed,
           4 * (m.majority IS NULL)::INT + 2 * (coalesce(j.n_judge_against, 0) > 0)::INT
               + (coalesce(g.n_gold_missed, 0) > 0)::INT AS priority
    FROM m LEFT JOIN j USING (comparison_id) LEFT JOIN g USING (comparison_id)
)
SELECT *
FROM scored
WHERE priority > 0 AND NOT list_contains(CAST($adjudicated AS VARCHAR[]), comparison_id)
ORDER BY priority DESC, comparison_id
LIMIT $limit OFFSET $offset
