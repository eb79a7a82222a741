-- name: agreement/retest_ratings
-- Test-retest: one row per (item_id, annotator_id) that a human rater rated more than once in one
-- aspect of the batch (or once here and again in another batch of the same vendor, on the same
-- prompt and response text). score_1 / score_2 = the first two occasions; n_occasions, n_rows.
-- params: $batch_id, $aspect
-- Rules (docs/agreement.md "Test-retest"):
--   * rows equal in every delivered column are one row (the exact-duplicate rule, applied across the
--     batches too: the same row delivered again is a re-delivery, not a second judgment);
--   * an occasion is (batch, file, created_at): repeats within one file at one time (or without
--     created_at) are one occasion, its first row's score; they are counted (n_rows) but are no retest;
--   * occasions in time order: created_at (missing last), the batch's delivered date, batch, file, line.
WITH me AS (
    SELECT vendor FROM batches WHERE batch_id = $batch_id
),
mine AS (
    SELECT item_id, annotator_id, hash(prompt, response) AS th, count(*) AS n
    FROM ratings WHERE batch_id = $batch_id AND aspect = $aspect AND annotator_kind = 'human'
    GROUP BY ALL
),
elsewhere AS (
    -- the same item (same prompt and response text) rated by the same annotator in another batch of the vendor
    SELECT DISTINCT r.item_id, r.annotator_id, hash(r.prompt, r.response) AS th
    FROM ratings r JOIN batches b USING (batch_id)
    WHERE r.batch_id <> $batch_id AND r.aspect = $aspect AND r.annotator_kind = 'human'
      AND b.vendor = (SELECT vendor FROM me)
),
cand AS (
    SELECT item_id, annotator_id, th FROM mine WHERE n > 1
    UNION
    SELECT item_id, annotator_id, th FROM mine JOIN elsewhere USING (item_id, annotator_id, th)
),
pool AS (
    SELECT r.batch_id, r.file_id, r.source_line, r.item_id, r.annotator_id, r.score, r.prompt_id, r.model,
           r.prompt, r.response, r.seconds, r.created_at, CAST(r.extra AS VARCHAR) AS extra, b.delivered
    FROM ratings r JOIN batches b USING (batch_id)
    JOIN cand c ON r.item_id = c.item_id AND r.annotator_id = c.annotator_id AND hash(r.prompt, r.response) = c.th
    WHERE r.aspect = $aspect AND r.annotator_kind = 'human' AND (r.batch_id = $batch_id OR b.vendor = (SELECT vendor FROM me))
),
dedup AS (
    SELECT * FROM pool
    QUALIFY row_number() OVER (
        PARTITION BY item_id, annotator_id, score, prompt_id, model, prompt, response, seconds, created_at, extra
        ORDER BY delivered NULLS LAST, batch_id, file_id, source_line) = 1
),
occ AS (
    SELECT item_id, annotator_id, batch_id, file_id, created_at, delivered,
           arg_min(score, source_line) AS score, min(source_line) AS line, count(*) AS n_rows
    FROM dedup
    GROUP BY item_id, annotator_id, batch_id, file_id, created_at, delivered
),
ranked AS (
    SELECT *,
           row_number() OVER (PARTITION BY item_id, annotator_id
                              ORDER BY created_at NULLS LAST, delivered NULLS LAST, batch_id, file_id, line) AS k,
           count(*) OVER (PARTITION BY item_id, annotator_id) AS n_occasions,
           sum(n_rows) OVER (PARTITION BY item_id, annotator_id) AS n_all
    FROM occ
)
SELECT a.item_id, a.annotator_id, a.score AS score_1, b.score AS score_2, a.n_occasions,
       a.n_all AS n_rows,
       CASE WHEN b.batch_id IS NULL THEN NULL WHEN a.batch_id <> b.batch_id THEN 'batch'
            WHEN a.file_id <> b.file_id THEN 'file' ELSE 'created_at' END AS differs_in
FROM ranked a LEFT JOIN ranked b
  ON b.item_id = a.item_id AND b.annotator_id = a.annotator_id AND b.k = 2
WHERE a.k = 1 AND a.n_all > 1
ORDER BY a.annotator_id, a.item_id
