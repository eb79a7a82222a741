-- name: agreement/annotators
-- One row per human annotator of the batch's pairwise verdicts: items judged, agreement with the
-- leave-one-out strict majority of the other human annotators, and accuracy on honeypot items.
-- params: $batch_id
-- Caveats:
--   * each annotator's FIRST verdict on a comparison (lowest file_id, source_line) stands for it in
--     the majority vote and in the agreement (a repeat by the same person is not a second vote);
--   * the "others" of (comparison, annotator) are the other human annotators' first verdicts; their
--     strict majority is the label held by more than half of them. No strict majority (a tie among
--     the others, e.g. 1 A vs 1 B) or no other annotator: the item is not scored (n_majority_items);
--   * gold accuracy counts every human verdict where gold is not null (repeats included; exact
--     duplicate copies skipped, verdicts.duplicate_copy: the report's one duplicate rule).
WITH human AS (
    SELECT annotator_id, preference, gold
    FROM verdicts
    WHERE batch_id = $batch_id AND NOT duplicate_copy AND annotator_kind = 'human'
),
scored AS (
    -- include: agreement/others_majority
),
majority AS (
    SELECT annotator_id,
           count(*) AS n_items,
           count(*) FILTER (WHERE 2 * n_top > n_others) AS n_majority_items,
           count(*) FILTER (WHERE 2 * n_own > n_others) AS n_agree_majority
    FROM scored GROUP BY annotator_id
),
gold AS (
    SELECT annotator_id,
           count(*) AS n_verdicts,
           count(*) FILTER (WHERE gold IS NOT NULL) AS n_gold,
           count(*) FILTER (WHERE gold IS NOT NULL AND preference = gold) AS n_gold_correct
    FROM human GROUP BY annotator_id
)
SELECT m.annotator_id, m.n_items, g.n_verdicts, m.n_majority_items, m.n_agree_majority,
       g.n_gold, g.n_gold_correct
FROM majority m JOIN gold g USING (annotator_id)
ORDER BY m.annotator_id
