-- name: items/item_texts
-- One item's texts: the prompt and both responses of comparison $comparison_id in full, from its
-- first stored verdict (by file and line), with the models, prompt id, category and the number of
-- different texts its verdicts carry (n_texts > 1: rows of one comparison disagree on the texts,
-- a delivery defect shown on the page). Zero rows: no such comparison in the batch.
-- params: $batch_id, $comparison_id
SELECT first(prompt ORDER BY file_id, source_line) AS prompt,
       first(response_a ORDER BY file_id, source_line) AS response_a,
       first(response_b ORDER BY file_id, source_line) AS response_b,
       first(prompt_id ORDER BY file_id, source_line) AS prompt_id,
       first(model_a ORDER BY file_id, source_line) AS model_a,
       first(model_b ORDER BY file_id, source_line) AS model_b,
       first(category ORDER BY file_id, source_line) AS category,
       first(len_a_chars ORDER BY file_id, source_line) AS len_a_chars,
       first(len_b_chars ORDER BY file_id, source_line) AS len_b_chars,
       count(DISTINCT content_hash) AS n_texts,
       count(*) AS n_verdicts
FROM verdicts
WHERE batch_id = $batch_id AND comparison_id = $comparison_id
HAVING count(*) > 0
