-- name: bias/length_diff_chars
-- Input of the length logistic regression, aggregated: one row per distinct length difference
-- d = len_a_chars - len_b_chars among non-tie verdicts of the given kind, with how many preferred
-- A and how many preferred B. The row-level Bernoulli logit equals the binomial GLM on these rows.
-- params: $batch_id, $annotator_kind
SELECT len_a_chars - len_b_chars AS d,
       count(*) FILTER (WHERE preference = 'A') AS n_a,
       count(*) FILTER (WHERE preference = 'B') AS n_b
FROM verdicts
WHERE batch_id = $batch_id AND NOT duplicate_copy AND annotator_kind = $annotator_kind AND preference <> 'tie'
  AND len_a_chars IS NOT NULL AND len_b_chars IS NOT NULL
GROUP BY d
ORDER BY d
