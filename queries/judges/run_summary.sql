-- name: judges/run_summary
-- Totals of one judge run's cached calls (this model, template, mode, aspect): one row.
-- params: $batch_id, $mode, $model, $template_sha256, $aspect
SELECT count(*) AS n_calls,
       count(*) FILTER (WHERE error IS NULL AND parsed) AS n_parsed,
       count(*) FILTER (WHERE error IS NULL AND NOT parsed) AS n_unparsed,
       count(*) FILTER (WHERE error IS NOT NULL) AS n_failed,
       coalesce(sum(prompt_tokens), 0) AS prompt_tokens,
       coalesce(sum(completion_tokens), 0) AS completion_tokens,
       sum(cost_usd) AS cost_usd
FROM judge_calls
WHERE batch_id = $batch_id AND mode = $mode AND model = $model AND template_sha256 = $template_sha256
  AND aspect = $aspect
