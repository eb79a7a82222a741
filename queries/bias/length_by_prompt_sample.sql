-- name: bias/length_by_prompt_sample
-- Input of the prompt-stratified (conditional logit) length regression: one row per sampled
-- non-tie verdict of the given kind. Within each prompt (prompt_id, else the content hash) at most
-- $per_prompt verdicts are drawn in a seeded pseudo-random order (a subset of a stratum's rows keeps
-- the conditional likelihood valid and keeps the fit fast); prompts whose drawn verdicts have both
-- outcomes and at least two distinct length differences carry information and are kept, whole, in
-- a seeded order until about $max_rows verdicts are taken.
--   y = 1 when A is preferred; d_chars = len_a_chars - len_b_chars
-- params: $batch_id, $annotator_kind, $seed, $per_prompt, $max_rows
WITH v AS (
    SELECT coalesce(prompt_id, CAST(content_hash AS VARCHAR)) AS stratum,
           CAST(preference = 'A' AS INTEGER) AS y,
           len_a_chars - len_b_chars AS d_chars,
           hash(file_id, source_line, $seed) AS draw
    FROM verdicts
    WHERE batch_id = $batch_id AND NOT duplicate_copy AND annotator_kind = $annotator_kind AND preference <> 'tie'
      AND len_a_chars IS NOT NULL AND len_b_chars IS NOT NULL
), sizes AS (
    SELECT stratum, count(*) AS n FROM v GROUP BY stratum
), drawn AS (
    -- a prompt with at most $per_prompt verdicts keeps them all; only the larger ones are drawn from (a
    -- window over every verdict spilled tens of GB at 10M judgments with the store's 2 GB memory limit)
    SELECT v.stratum, v.y, v.d_chars
    FROM v JOIN sizes USING (stratum)
    WHERE sizes.n <= $per_prompt
    UNION ALL
    SELECT stratum, y, d_chars
    FROM (SELECT v.* FROM v JOIN sizes USING (stratum) WHERE sizes.n > $per_prompt)
    QUALIFY row_number() OVER (PARTITION BY stratum ORDER BY draw) <= $per_prompt
), informative AS (
    SELECT stratum, count(*) AS n, hash(stratum, $seed) AS draw
    FROM drawn GROUP BY stratum
    HAVING count(DISTINCT d_chars) > 1 AND count(DISTINCT y) > 1
), taken AS (
    SELECT stratum FROM (
        SELECT stratum, sum(n) OVER (ORDER BY draw, stratum ROWS UNBOUNDED PRECEDING) - n AS before
        FROM informative)
    WHERE before < $max_rows
)
SELECT drawn.stratum, drawn.y, drawn.d_chars
FROM drawn JOIN taken USING (stratum)
ORDER BY drawn.stratum, drawn.d_chars, drawn.y
