-- name: bias/llm_assisted
-- LLM-assisted annotation (issue 18 item 8): for each human annotator and each LLM judge of the
-- batch, on the comparisons where the other human annotators have a strict majority and the judge
-- has a verdict, how often the annotator agrees with the judge and how often with the others'
-- majority. One row per (annotator, judge, pattern): n_comparisons comparisons on which the judge
-- gave n_judge verdicts (2 when asked in both orders), k_judge of them equal to the annotator's,
-- and the annotator's verdict equals the others' majority (agrees_majority) or not.
-- params: $batch_id
-- Caveats:
--   * the annotator's FIRST verdict on a comparison (lowest file_id, source_line) is its vote, and
--     the others' strict majority is agreement/others_majority's, which agreement/annotators.sql
--     includes too (leave-one-out, first verdicts, tie a label); items without one are not scored;
--   * every judge verdict counts (both orders); exact duplicate copies are skipped everywhere.
WITH scored AS (
    -- include: agreement/others_majority
),
judge AS (
    SELECT comparison_id, annotator_id AS judge_id,
           count(*) AS n_judge,
           count(*) FILTER (WHERE preference = 'A') AS j_a,
           count(*) FILTER (WHERE preference = 'B') AS j_b,
           count(*) FILTER (WHERE preference = 'tie') AS j_tie
    FROM verdicts
    WHERE batch_id = $batch_id AND NOT duplicate_copy AND annotator_kind = 'judge'
    GROUP BY comparison_id, annotator_id
)
SELECT s.annotator_id, j.judge_id, j.n_judge,
       CASE s.preference WHEN 'A' THEN j.j_a WHEN 'B' THEN j.j_b ELSE j.j_tie END AS k_judge,
       2 * s.n_own > s.n_others AS agrees_majority,
       count(*) AS n_comparisons
FROM scored s JOIN judge j USING (comparison_id)
WHERE 2 * s.n_top > s.n_others
GROUP BY ALL
ORDER BY s.annotator_id, j.judge_id, j.n_judge, k_judge, agrees_majority
