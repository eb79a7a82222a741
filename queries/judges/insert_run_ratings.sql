-- name: judges/insert_run_ratings
-- Store a single-answer grading run's parsed scores as judge ratings of the batch: one rating per
-- parsed call that backs the run (judge_calls.file_id = $file_id), with the item's prompt, response
-- lengths and reference answer.  Items named
-- '<comparison_id>/A|B' take response A or B of that comparison when $source = 'comparisons'.
-- params: $batch_id, $file_id, $annotator_id, $source
INSERT INTO ratings (batch_id, file_id, source_line, item_id, annotator_id, annotator_kind, aspect,
                     score, prompt_id, model, prompt, response, created_at, len_chars, len_tokens, extra,
                     reference_answer)
WITH rated AS (
    SELECT item_id, prompt_id, model, prompt, response, len_chars, len_tokens, reference_answer FROM ratings
    WHERE $source = 'ratings' AND batch_id = $batch_id AND response IS NOT NULL
      AND file_id NOT IN (SELECT file_id FROM files WHERE batch_id = $batch_id AND format = 'judge-run')
    QUALIFY row_number() OVER (PARTITION BY item_id ORDER BY file_id, source_line) = 1
), compared AS (
    SELECT comparison_id || '/' || slot AS item_id, prompt_id,
           CASE slot WHEN 'A' THEN model_a ELSE model_b END AS model, prompt,
           CASE slot WHEN 'A' THEN response_a ELSE response_b END AS response,
           CASE slot WHEN 'A' THEN len_a_chars ELSE len_b_chars END AS len_chars,
           CASE slot WHEN 'A' THEN len_a_tokens ELSE len_b_tokens END AS len_tokens, reference_answer
    FROM (SELECT * FROM verdicts
          WHERE $source = 'comparisons' AND batch_id = $batch_id
            AND response_a IS NOT NULL AND response_b IS NOT NULL
            AND file_id NOT IN (SELECT file_id FROM files WHERE batch_id = $batch_id AND format = 'judge-run')
          QUALIFY row_number() OVER (PARTITION BY comparison_id ORDER BY file_id, source_line) = 1)
    CROSS JOIN (VALUES ('A'), ('B')) s(slot)
), items AS (SELECT * FROM rated UNION ALL SELECT * FROM compared)
SELECT $batch_id, $file_id, row_number() OVER (ORDER BY j.item_id), j.item_id, $annotator_id, 'judge',
       j.aspect, j.score, i.prompt_id, i.model, i.prompt, i.response, j.created_at, i.len_chars,
       i.len_tokens,
       CAST(to_json(struct_pack(judge_model := j.model, template_sha256 := j.template_sha256)) AS JSON),
       i.reference_answer
FROM judge_calls j JOIN items i ON i.item_id = j.item_id
WHERE j.file_id = $file_id AND j.parsed AND j.error IS NULL
