-- name: agreement/ds_answers
-- One row per human pairwise verdict of the batch, the answers Dawid-Skene reads: the item
-- (comparison_id), who answered (annotator_id) and the label (A, B or tie). Every verdict counts
-- (a repeat by the same annotator is one more answer, as in crowd-kit). Ordered for reproducible codes.
-- params: $batch_id
SELECT comparison_id, annotator_id, preference
FROM verdicts
WHERE batch_id = $batch_id AND annotator_kind = 'human'
ORDER BY comparison_id, annotator_id, file_id, source_line
