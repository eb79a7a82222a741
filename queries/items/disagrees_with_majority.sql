-- name: items/disagrees_with_majority
-- Items filter `disagrees_with_majority=ANNOTATOR`: the comparisons where the human annotator
-- $annotator_id disagrees with the strict majority of the OTHER human annotators -- exactly the
-- items that lower their agreement_with_majority (queries/agreement/annotators.sql): each
-- annotator's first verdict on a comparison (lowest file_id, source_line) is their vote; items
-- without a strict majority among the others are not scored and not listed; duplicate copies (schema
-- v12) are left out. One row per comparison.
-- Ordered by comparison_id; paged by $limit and $offset.
-- params: $batch_id, $annotator_id, $limit, $offset
WITH firsts AS (
    SELECT comparison_id, annotator_id, preference
    FROM verdicts
    WHERE batch_id = $batch_id AND annotator_kind = 'human' AND NOT duplicate_copy
      AND comparison_id IN (SELECT comparison_id FROM verdicts
                            WHERE batch_id = $batch_id AND annotator_kind = 'human'
                              AND annotator_id = $annotator_id)
    QUALIFY row_number() OVER (PARTITION BY comparison_id, annotator_id ORDER BY file_id, source_line) = 1
), others AS (
    SELECT comparison_id,
           count(*) AS n_others,
           count(*) FILTER (WHERE preference = 'A') AS n_a,
           count(*) FILTER (WHERE preference = 'B') AS n_b,
           count(*) FILTER (WHERE preference = 'tie') AS n_tie
    FROM firsts WHERE annotator_id <> $annotator_id
    GROUP BY comparison_id
), scored AS (
    SELECT f.comparison_id, f.preference, o.n_others, o.n_a, o.n_b, o.n_tie,
           CASE WHEN 2 * o.n_a > o.n_others THEN 'A' WHEN 2 * o.n_b > o.n_others THEN 'B'
                WHEN 2 * o.n_tie > o.n_others THEN 'tie' END AS others_majority
    FROM firsts f JOIN others o USING (comparison_id)
    WHERE f.annotator_id = $annotator_id
)
SELECT comparison_id, $annotator_id AS annotator_id, preference, others_majority, n_others,
       n_a AS n_others_a, n_b AS n_others_b, n_tie AS n_others_tie
FROM scored
WHERE others_majority IS NOT NULL AND preference <> others_majority
ORDER BY comparison_id
LIMIT $limit OFFSET $offset
