-- name: adjudications/accuracy
-- Each human annotator's accuracy against adjudication (adjudicated labels as post-hoc gold): one
-- row per human annotator of the batch with n_adjudicated = their verdicts on comparisons with a
-- current adjudication ($comparison_ids / $labels, paired by position: qualitylab/adjudicated.py) and
-- n_adjudicated_correct = those equal to the adjudicated label. Counted as gold accuracy counts
-- honeypots (queries/agreement/annotators.sql): every verdict, repeats included, exact duplicate
-- rows once.
-- params: $batch_id, $comparison_ids (list of text), $labels (list of text, same length)
WITH adj AS (
    SELECT unnest(CAST($comparison_ids AS VARCHAR[])) AS comparison_id, unnest(CAST($labels AS VARCHAR[])) AS label
), distinct_rows AS (
    SELECT DISTINCT comparison_id, annotator_id, preference, shown_first, shown_first_recorded,
           strength, preference_soft, rating_a, rating_b, seconds, gold, category, created_at, prompt_id, model_a,
           model_b, content_hash, CAST(extra AS VARCHAR) AS extra
    FROM verdicts
    WHERE batch_id = $batch_id AND annotator_kind = 'human'
)
SELECT d.annotator_id,
       count(a.label) AS n_adjudicated,
       count(a.label) FILTER (WHERE d.preference = a.label) AS n_adjudicated_correct
FROM distinct_rows d LEFT JOIN adj a USING (comparison_id)
GROUP BY d.annotator_id
ORDER BY d.annotator_id
