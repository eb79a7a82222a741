-- name: snapshots/part_judge_runs
-- Fingerprint part "judge_runs": the judge calls that back the batch's stored runs (judge_calls with
-- file_id set; the judges section reports their counts, tokens, cost and latency), summarised in one
-- row: how many, and an order-free hash of each call's key, run, outcome and usage. A judge rerun,
-- a retried failure or a detached call changes it.  params: $batch_id
SELECT count(*) AS n_calls,
       coalesce(bit_xor(hash(mode, item_id, shown_first, aspect, model, template_sha256, annotator_id,
                             file_id, call_sha256, parsed, error, preference, strength, score,
                             prompt_tokens, completion_tokens, latency_ms, cost_usd, created_at,
                             rubric_sha256, criteria_sha256)), 0) AS calls_hash
FROM judge_calls
WHERE batch_id = $batch_id AND file_id IS NOT NULL
