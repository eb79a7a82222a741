-- name: hygiene/against_denominator
-- The denominator of the share re-delivered from an against-file (qualitylab/bias/public_overlap.py):
-- the batch's comparisons with texts and without gold, as hygiene/against_overlap counts them.
-- One row. params: $batch_id
SELECT count(DISTINCT comparison_id) AS n_comparisons
FROM verdicts
WHERE batch_id = $batch_id AND gold IS NULL AND NOT duplicate_copy
  AND (len_a_chars IS NOT NULL OR len_b_chars IS NOT NULL)
