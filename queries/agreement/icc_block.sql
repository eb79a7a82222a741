-- name: agreement/icc_block
-- The complete block of one rating aspect for the two-way ICC forms: the items rated by exactly
-- the same set of (two or more) human raters, for the set that covers the most items (ties: more
-- raters, then the set's sorted ids). One row per (item, rater) of the block: item_id,
-- annotator_id, score (each rater's first rating of the item), plus n_items and n_raters of the block.
-- params: $batch_id, $aspect
-- Caveat: items rated by a superset of the block's raters are not added (exact rater sets only).
WITH firsts AS (
    SELECT item_id, annotator_id, score
    FROM ratings
    WHERE batch_id = $batch_id AND NOT duplicate_copy AND aspect = $aspect AND annotator_kind = 'human'
    QUALIFY row_number() OVER (PARTITION BY item_id, annotator_id ORDER BY file_id, source_line) = 1
),
sets AS (
    SELECT item_id, list(annotator_id ORDER BY annotator_id) AS raters, count(*) AS k
    FROM firsts GROUP BY item_id HAVING count(*) >= 2
),
best AS (
    SELECT raters, k, count(*) AS n_items FROM sets GROUP BY raters, k
    ORDER BY n_items DESC, k DESC, raters LIMIT 1
)
SELECT f.item_id, f.annotator_id, f.score, b.n_items, b.k AS n_raters
FROM firsts f JOIN sets s USING (item_id) JOIN best b ON s.raters = b.raters
ORDER BY f.item_id, f.annotator_id
