-- name: judges/runs
-- Every `qualitylab judge` run of the batch: one row per run key (mode, annotator_id, model, template
-- SHA-256, rubric and criteria SHA-256 (NULL: none; schema v15), aspect) with its cached calls, parsed / unparsed / failed counts, tokens, the estimated
-- cost (NULL when no --price was given for any call) and the latency of the calls that returned
-- (p50 / p95 over calls, milliseconds; quantile_cont = linear interpolation between order
-- statistics, numpy's default), the first and last call's time. Only the calls that back the run
-- now count (judge_calls.file_id set): not those on texts since replaced or superseded by a rerun.
-- params: $batch_id
SELECT mode, annotator_id, model, template_sha256, rubric_sha256, criteria_sha256, aspect,
       count(*) AS n_calls,
       count(*) FILTER (WHERE error IS NULL AND parsed) AS n_parsed,
       count(*) FILTER (WHERE error IS NULL AND NOT parsed) AS n_unparsed,
       count(*) FILTER (WHERE error IS NOT NULL) AS n_failed,
       CAST(coalesce(sum(prompt_tokens), 0) AS BIGINT) AS prompt_tokens,
       CAST(coalesce(sum(completion_tokens), 0) AS BIGINT) AS completion_tokens,
       sum(cost_usd) AS cost_usd,
       quantile_cont(latency_ms, 0.5) FILTER (WHERE error IS NULL) AS latency_ms_p50,
       quantile_cont(latency_ms, 0.95) FILTER (WHERE error IS NULL) AS latency_ms_p95,
       min(created_at) AS first_call_at,
       max(created_at) AS last_call_at
FROM judge_calls
WHERE batch_id = $batch_id AND file_id IS NOT NULL
GROUP BY ALL
ORDER BY annotator_id, mode, model, template_sha256, rubric_sha256 NULLS FIRST, criteria_sha256 NULLS FIRST, aspect
