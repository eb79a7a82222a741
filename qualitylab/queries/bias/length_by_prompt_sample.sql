-- name: bias/length_by_prompt_sample
-- Input of the prompt-stratified (conditional logit) length regression: one row per non-tie
-- verdict of the given kind on a prompt that has at least two distinct length differences, so
-- the prompt carries information once its own effect is conditioned out. Whole prompts are kept
-- together and drawn in a seeded pseudo-random order until about $max_rows verdicts are taken.
--   y = 1 when A is preferred; d_chars = len_a_chars - len_b_chars
-- params: $batch_id, $annotator_kind, $seed, $max_rows
WITH v AS (
    SELECT coalesce(prompt_id, CAST(content_hash AS VARCHAR)) AS stratum,
           CAST(preference = 'A' AS INTEGER) AS y,
           len_a_chars - len_b_chars AS d_chars
    FROM verdicts
    WHERE batch_id = $batch_id AND annotator_kind = $annotator_kind AND preference <> 'tie'
      AND len_a_chars IS NOT NULL AND len_b_chars IS NOT NULL
), informative AS (
    SELECT stratum, count(*) AS n, hash(stratum, $seed) AS draw
    FROM v GROUP BY stratum
    HAVING count(DISTINCT d_chars) > 1 AND count(DISTINCT y) > 1
), taken AS (
    SELECT stratum FROM (
        SELECT stratum, sum(n) OVER (ORDER BY draw, stratum ROWS UNBOUNDED PRECEDING) - n AS before
        FROM informative)
    WHERE before < $max_rows
)
SELECT v.stratum, v.y, v.d_chars
FROM v JOIN taken USING (stratum)
ORDER BY v.stratum
