-- name: hygiene/identical_responses
-- Check: comparisons whose two responses are the same text (response_a = response_b), so no
-- preference between them means anything. One row per comparison. Zero rows = pass.
-- responses_identical (response_a = response_b) is computed once at ingest: no text is read here.
-- params: $batch_id
SELECT comparison_id,
       any_value(prompt_id) AS prompt_id,
       any_value(model_a) AS model_a,
       any_value(model_b) AS model_b,
       any_value(len_a_chars) AS len_chars,
       count(*) AS n_verdicts,
       min(source_line) AS first_line
FROM verdicts
WHERE batch_id = $batch_id
  AND responses_identical
GROUP BY comparison_id
ORDER BY comparison_id
