-- name: judges/run_summary
-- Totals of the calls that back one judge run (judge_calls.file_id = the run's files row): one row.
-- params: $file_id
SELECT count(*) AS n_calls,
       count(*) FILTER (WHERE error IS NULL AND parsed) AS n_parsed,
       count(*) FILTER (WHERE error IS NULL AND NOT parsed) AS n_unparsed,
       count(*) FILTER (WHERE error IS NOT NULL) AS n_failed,
       coalesce(sum(prompt_tokens), 0) AS prompt_tokens,
       coalesce(sum(completion_tokens), 0) AS completion_tokens,
       sum(cost_usd) AS cost_usd
FROM judge_calls
WHERE file_id = $file_id
