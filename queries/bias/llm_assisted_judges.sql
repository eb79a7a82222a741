-- name: bias/llm_assisted_judges
-- How many LLM judges gave pairwise verdicts in the batch (one row), so that "no judges" can be told
-- from "no comparison to score" in llm_assisted.
-- params: $batch_id
SELECT count(DISTINCT annotator_id) AS n_judges
FROM verdicts
WHERE batch_id = $batch_id AND annotator_kind = 'judge'
