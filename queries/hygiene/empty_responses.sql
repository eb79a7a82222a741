-- name: hygiene/empty_responses
-- Check: comparisons with an empty or whitespace-only response (Unicode spaces included).
-- One row per comparison; empty_slot says which response (A, B or both). A missing response
-- column (NULL) is not reported here. Zero rows = pass.
-- Only rows with at most 2 whitespace tokens can be blank, so long texts are not scanned.
-- params: $batch_id
WITH blank AS (
    SELECT comparison_id, prompt_id, source_line,
           len_a_tokens <= 2 AND regexp_full_match(response_a, '[\s\p{Z}]*') AS a_blank,
           len_b_tokens <= 2 AND regexp_full_match(response_b, '[\s\p{Z}]*') AS b_blank
    FROM verdicts
    WHERE batch_id = $batch_id AND (len_a_tokens <= 2 OR len_b_tokens <= 2)
)
SELECT comparison_id,
       any_value(prompt_id) AS prompt_id,
       CASE WHEN bool_or(a_blank) AND bool_or(b_blank) THEN 'both'
            WHEN bool_or(a_blank) THEN 'A' ELSE 'B' END AS empty_slot,
       count(*) AS n_verdicts,
       min(source_line) AS first_line
FROM blank
WHERE a_blank OR b_blank
GROUP BY comparison_id
ORDER BY comparison_id
