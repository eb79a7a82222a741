-- name: judges/insert_run_verdicts
-- Store a pairwise judge run's parsed verdicts as judge rows of the batch: one verdict per parsed
-- call that backs the run (judge_calls.file_id = $file_id), with the comparison's texts, lengths
-- and metadata copied from its first delivered row; preference_soft from the verdict's token (below); reference answer copied too.
-- source_line numbers the run's verdicts; extra records model, template and raw-output provenance.
-- params: $batch_id, $file_id, $annotator_id
INSERT INTO verdicts (batch_id, file_id, source_line, comparison_id, annotator_id, annotator_kind,
                      preference, shown_first, shown_first_recorded, strength, gold, category,
                      created_at, prompt_id, model_a, model_b, prompt, response_a, response_b,
                      len_a_chars, len_b_chars, len_a_tokens, len_b_tokens, content_hash, extra,
                      responses_identical, pair_hash, preference_soft, reference_answer)
WITH src AS (
    SELECT * FROM verdicts
    WHERE batch_id = $batch_id AND response_a IS NOT NULL AND response_b IS NOT NULL
      AND file_id NOT IN (SELECT file_id FROM files WHERE batch_id = $batch_id AND format = 'judge-run')
    QUALIFY row_number() OVER (PARTITION BY comparison_id ORDER BY file_id, source_line) = 1
)
SELECT $batch_id, $file_id, row_number() OVER (ORDER BY j.item_id, j.shown_first),
       j.item_id, $annotator_id, 'judge', j.preference, j.shown_first, true, j.strength,
       s.gold, s.category, j.created_at, s.prompt_id, s.model_a, s.model_b, s.prompt,
       s.response_a, s.response_b, s.len_a_chars, s.len_b_chars, s.len_a_tokens, s.len_b_tokens,
       s.content_hash,
       CAST(to_json(struct_pack(judge_model := j.model, template_sha256 := j.template_sha256)) AS JSON),
       s.responses_identical, s.pair_hash,
       -- preference_soft = P(B preferred) (schema v14): the 5-way scale A>>B 0, A>B 0.25, A=B 0.5,
       -- B>A 0.75, B>>A 1 (parse gives strength 1 for '>' and 3 for '>>'); [[A]] / [[C]] / [[B]] 0 / 0.5 / 1
       CASE WHEN j.preference = 'tie' THEN 0.5
            WHEN j.strength = 1 THEN CASE j.preference WHEN 'A' THEN 0.25 ELSE 0.75 END
            ELSE CASE j.preference WHEN 'A' THEN 0.0 ELSE 1.0 END END,
       s.reference_answer
FROM judge_calls j JOIN src s ON s.comparison_id = j.item_id
WHERE j.file_id = $file_id AND j.parsed AND j.error IS NULL
