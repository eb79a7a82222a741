-- name: judges/insert_call
-- Record one judge call in the cache (replacing an earlier failed attempt with the same key).
-- params: every column of judge_calls except created_at
INSERT OR REPLACE INTO judge_calls
    (batch_id, mode, item_id, shown_first, aspect, model, template_sha256, annotator_id, file_id,
     raw_output, parsed, parse_problem, preference, strength, score, prompt_tokens, completion_tokens,
     latency_ms, cost_usd, attempts, error, created_at)
VALUES ($batch_id, $mode, $item_id, $shown_first, $aspect, $model, $template_sha256, $annotator_id, $file_id,
        $raw_output, $parsed, $parse_problem, $preference, $strength, $score, $prompt_tokens,
        $completion_tokens, $latency_ms, $cost_usd, $attempts, $error, current_localtimestamp())
