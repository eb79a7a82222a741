-- name: agreement/retest_preferences
-- Test-retest of pairwise verdicts: one row per (comparison_id, annotator_id) that a human judged
-- more than once in the batch (or once here and again in another batch of the same vendor, on the
-- same texts: equal content_hash). value_1 / value_2 = the first two occasions' preferences, coded
-- 0 B / 1 tie / 2 A; n_occasions, n_rows.  params: $batch_id
-- Rules as agreement/retest_ratings: exact duplicate rows (equal in every delivered column) are one
-- row, across batches too; an occasion is (batch, file, created_at); occasions in time order.
WITH me AS (
    SELECT vendor FROM batches WHERE batch_id = $batch_id
),
mine AS (
    SELECT comparison_id, annotator_id, coalesce(content_hash, 0) AS ch, count(*) AS n
    FROM verdicts WHERE batch_id = $batch_id AND annotator_kind = 'human'
    GROUP BY ALL
),
elsewhere AS (
    -- the same comparison (same texts) judged by the same annotator in another batch of the vendor
    SELECT DISTINCT v.comparison_id, v.annotator_id, coalesce(v.content_hash, 0) AS ch
    FROM verdicts v JOIN batches b USING (batch_id)
    WHERE v.batch_id <> $batch_id AND v.annotator_kind = 'human' AND b.vendor = (SELECT vendor FROM me)
),
cand AS (
    SELECT comparison_id, annotator_id, ch FROM mine WHERE n > 1
    UNION
    SELECT comparison_id, annotator_id, ch FROM mine JOIN elsewhere USING (comparison_id, annotator_id, ch)
),
pool AS (
    -- only the candidate keys' rows, narrow: the window functions below never see the whole batch
    SELECT v.batch_id, v.file_id, v.source_line, v.comparison_id, v.annotator_id, v.preference, v.shown_first,
           v.shown_first_recorded, v.strength, v.rating_a, v.rating_b, v.seconds, v.gold, v.category,
           v.created_at, v.prompt_id, v.model_a, v.model_b, v.content_hash, CAST(v.extra AS VARCHAR) AS extra,
           b.delivered
    FROM verdicts v JOIN batches b USING (batch_id)
    JOIN cand c ON v.comparison_id = c.comparison_id AND v.annotator_id = c.annotator_id
               AND coalesce(v.content_hash, 0) = c.ch
    WHERE v.annotator_kind = 'human' AND (v.batch_id = $batch_id OR b.vendor = (SELECT vendor FROM me))
),
dedup AS (
    SELECT * FROM pool
    QUALIFY row_number() OVER (
        PARTITION BY comparison_id, annotator_id, preference, shown_first, shown_first_recorded, strength,
                     rating_a, rating_b, seconds, gold, category, created_at, prompt_id, model_a, model_b,
                     content_hash, extra
        ORDER BY delivered NULLS LAST, batch_id, file_id, source_line) = 1
),
occ AS (
    SELECT comparison_id, annotator_id, batch_id, file_id, created_at, delivered,
           arg_min(CASE preference WHEN 'B' THEN 0 WHEN 'tie' THEN 1 ELSE 2 END, source_line) AS value,
           min(source_line) AS line, count(*) AS n_rows
    FROM dedup
    GROUP BY comparison_id, annotator_id, batch_id, file_id, created_at, delivered
),
ranked AS (
    SELECT *,
           row_number() OVER (PARTITION BY comparison_id, annotator_id
                              ORDER BY created_at NULLS LAST, delivered NULLS LAST, batch_id, file_id, line) AS k,
           count(*) OVER (PARTITION BY comparison_id, annotator_id) AS n_occasions,
           sum(n_rows) OVER (PARTITION BY comparison_id, annotator_id) AS n_all
    FROM occ
)
SELECT a.comparison_id, a.annotator_id, a.value AS value_1, b.value AS value_2, a.n_occasions,
       a.n_all AS n_rows,
       CASE WHEN b.batch_id IS NULL THEN NULL WHEN a.batch_id <> b.batch_id THEN 'batch'
            WHEN a.file_id <> b.file_id THEN 'file' ELSE 'created_at' END AS differs_in
FROM ranked a LEFT JOIN ranked b
  ON b.comparison_id = a.comparison_id AND b.annotator_id = a.annotator_id AND b.k = 2
WHERE a.k = 1 AND a.n_all > 1
ORDER BY a.annotator_id, a.comparison_id
