-- name: bias/length_diff_tokens
-- As bias/length_diff_chars, with d = len_a_tokens - len_b_tokens (whitespace tokens).
-- params: $batch_id, $annotator_kind
SELECT len_a_tokens - len_b_tokens AS d,
       count(*) FILTER (WHERE preference = 'A') AS n_a,
       count(*) FILTER (WHERE preference = 'B') AS n_b
FROM verdicts
WHERE batch_id = $batch_id AND NOT duplicate_copy AND annotator_kind = $annotator_kind AND preference <> 'tie'
  AND len_a_tokens IS NOT NULL AND len_b_tokens IS NOT NULL
GROUP BY d
ORDER BY d
