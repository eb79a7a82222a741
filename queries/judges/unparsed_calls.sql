-- name: judges/unparsed_calls
-- The runner's calls per judge in this batch (qualitylab judge): one row per (annotator_id, mode)
-- with the calls made, the outputs that held no verdict in the strict format (unparsed) and the
-- calls that failed beyond retries. Only the calls that back a stored run count (file_id set): a
-- call on texts since replaced, or superseded by a rerun, does not.  params: $batch_id
SELECT annotator_id, mode, count(*) AS n_calls,
       count(*) FILTER (WHERE error IS NULL AND NOT parsed) AS n_unparsed,
       count(*) FILTER (WHERE error IS NOT NULL) AS n_failed,
       coalesce(sum(prompt_tokens), 0) AS prompt_tokens,
       coalesce(sum(completion_tokens), 0) AS completion_tokens,
       sum(cost_usd) AS cost_usd,
       median(latency_ms) AS median_latency_ms
FROM judge_calls
WHERE batch_id = $batch_id AND file_id IS NOT NULL
GROUP BY annotator_id, mode
ORDER BY annotator_id, mode
