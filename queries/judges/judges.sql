-- name: judges/judges
-- The batch's judges: one row per judge with its verdict counts. A judge is an annotator_id with
-- annotator_kind = 'judge' verdicts, or with calls of `qualitylab judge` that back a run of this
-- batch (judge_calls.file_id set),
-- or named at the start of a quarantined preference's reason ("<id>: ...; not guessed", the
-- adapters' form for an upstream judge output that is no verdict) -- so a judge whose every
-- output was unparsed, failed or quarantined still has a row (with n_verdicts = 0).
-- n_both_orders = comparisons it judged with shown_first A and with shown_first B (recorded).
-- params: $batch_id
WITH per_cmp AS (
    SELECT annotator_id, comparison_id, count(*) AS n,
           count(*) FILTER (WHERE shown_first_recorded AND shown_first = 'A') AS n_a_first,
           count(*) FILTER (WHERE shown_first_recorded AND shown_first = 'B') AS n_b_first
    FROM verdicts
    WHERE batch_id = $batch_id AND NOT duplicate_copy AND annotator_kind = 'judge'
    GROUP BY annotator_id, comparison_id
), with_verdicts AS (
    SELECT annotator_id, sum(n) AS n_verdicts, count(*) AS n_comparisons,
           count(*) FILTER (WHERE n_a_first > 0 AND n_b_first > 0) AS n_both_orders
    FROM per_cmp
    GROUP BY annotator_id
), others AS (
    SELECT DISTINCT annotator_id FROM judge_calls
    WHERE batch_id = $batch_id AND mode = 'pairwise' AND file_id IS NOT NULL
    UNION
    SELECT DISTINCT regexp_extract(reason, '^([^\s:]+): ', 1)
    FROM quarantine
    WHERE batch_id = $batch_id AND column_name = 'preference' AND regexp_matches(reason, '^[^\s:]+: .*not guessed$')
      AND regexp_extract(reason, '^([^\s:]+): ', 1) NOT IN (
          SELECT annotator_id FROM verdicts WHERE batch_id = $batch_id AND NOT duplicate_copy AND annotator_kind = 'human')
)
SELECT annotator_id, n_verdicts, n_comparisons, n_both_orders FROM with_verdicts
UNION ALL
SELECT annotator_id, 0, 0, 0 FROM others WHERE annotator_id NOT IN (SELECT annotator_id FROM with_verdicts)
ORDER BY annotator_id
