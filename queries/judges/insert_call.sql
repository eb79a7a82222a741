-- name: judges/insert_call
-- Record one judge call in the cache (judges/delete_failed_call ran first for its request).
-- params: every column of judge_calls except created_at and legacy
INSERT INTO judge_calls
    (batch_id, mode, item_id, shown_first, aspect, model, template_sha256, annotator_id, file_id,
     raw_output, parsed, parse_problem, preference, strength, score, prompt_tokens, completion_tokens,
     latency_ms, cost_usd, attempts, error, created_at, call_sha256, legacy, rubric_sha256, criteria_sha256)
VALUES ($batch_id, $mode, $item_id, $shown_first, $aspect, $model, $template_sha256, $annotator_id, $file_id,
        $raw_output, $parsed, $parse_problem, $preference, $strength, $score, $prompt_tokens,
        $completion_tokens, $latency_ms, $cost_usd, $attempts, $error, current_localtimestamp(),
        $call_sha256, false, $rubric_sha256, $criteria_sha256)
