-- name: agreement/pair_candidates
-- One row per (what, human annotator): how many items the annotator judged, for choosing whose
-- Cohen's kappa pairs are computed when a batch has more annotators than the report lists pairs for
-- (qualitylab/agreement/compute.py, MAX_PAIR_ANNOTATORS). what = 'preference' (comparisons with a
-- verdict) or 'rating:<aspect>' (items rated in that aspect).  params: $batch_id
SELECT 'preference' AS what, annotator_id, count(DISTINCT comparison_id) AS n_items
FROM verdicts WHERE batch_id = $batch_id AND NOT duplicate_copy AND annotator_kind = 'human'
GROUP BY annotator_id
UNION ALL
SELECT 'rating:' || aspect, annotator_id, count(DISTINCT item_id)
FROM ratings WHERE batch_id = $batch_id AND NOT duplicate_copy AND annotator_kind = 'human'
GROUP BY aspect, annotator_id
ORDER BY what, n_items DESC, annotator_id
