-- name: judges/single_items
-- What a single-answer grading judge is shown: one row per item (item_id, prompt, response,
-- reference_answer).
-- $source = 'ratings': the batch's delivered rated items (their first row with a response);
-- 'comparisons': each response of each comparison, item_id '<comparison_id>/A' or '/B', from the
-- comparison's first delivered row with both texts. Judge-run rows are never a source.
-- params: $batch_id, $source
WITH judge_runs AS (SELECT file_id FROM files WHERE batch_id = $batch_id AND format = 'judge-run')
SELECT item_id, coalesce(prompt, '') AS prompt, response, reference_answer FROM ratings
WHERE $source = 'ratings' AND batch_id = $batch_id AND response IS NOT NULL
  AND file_id NOT IN (SELECT file_id FROM judge_runs)
QUALIFY row_number() OVER (PARTITION BY item_id ORDER BY file_id, source_line) = 1
UNION ALL
SELECT comparison_id || '/' || slot AS item_id, prompt,
       CASE slot WHEN 'A' THEN response_a ELSE response_b END AS response, reference_answer
FROM (SELECT comparison_id, coalesce(prompt, '') AS prompt, response_a, response_b, reference_answer FROM verdicts
      WHERE $source = 'comparisons' AND batch_id = $batch_id
        AND response_a IS NOT NULL AND response_b IS NOT NULL
        AND file_id NOT IN (SELECT file_id FROM judge_runs)
      QUALIFY row_number() OVER (PARTITION BY comparison_id ORDER BY file_id, source_line) = 1)
CROSS JOIN (VALUES ('A'), ('B')) s(slot)
ORDER BY item_id
