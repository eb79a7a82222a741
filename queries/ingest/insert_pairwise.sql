-- name: ingest/insert_pairwise
-- Store the valid staged rows of _src (those not in _bad) as verdicts, with the columns later
-- metrics need computed once here: lengths in characters and whitespace tokens, a content hash,
-- whether the two responses are identical, and an order-insensitive pair hash (schema v4).
-- preference_soft (v14) is validated against preference by ingest/validate_pairwise.
-- whether the two responses are identical, and an order-insensitive pair hash (schema v4). A
-- reference_answer of only whitespace is stored as NULL (not given; schema v15).
-- Token counts come from the Arrow UDF ql_whitespace_tokens (qualitylab.ingest / textstats).
-- params: $batch_id, $file_id
INSERT INTO verdicts
SELECT $batch_id, $file_id, source_line,
       trim(comparison_id), trim(annotator_id),
       coalesce(lower(nullif(trim(annotator_kind), '')), 'human'),
       CASE lower(trim(preference)) WHEN 'a' THEN 'A' WHEN 'b' THEN 'B' ELSE 'tie' END,
       coalesce(upper(nullif(trim(shown_first), '')), 'A'),
       nullif(trim(shown_first), '') IS NOT NULL,
       CAST(TRY_CAST(nullif(trim(strength), '') AS DOUBLE) AS TINYINT),
       TRY_CAST(nullif(trim(rating_a), '') AS DOUBLE),
       TRY_CAST(nullif(trim(rating_b), '') AS DOUBLE),
       TRY_CAST(nullif(trim(seconds), '') AS DOUBLE),
       CASE lower(trim(gold)) WHEN 'a' THEN 'A' WHEN 'b' THEN 'B' WHEN 'tie' THEN 'tie' END,
       category,
       TRY_CAST(nullif(trim(created_at), '') AS TIMESTAMP),
       prompt_id, model_a, model_b, prompt, response_a, response_b,
       length(response_a), length(response_b),
       ql_whitespace_tokens(response_a),
       ql_whitespace_tokens(response_b),
       hash(coalesce(prompt, ''), coalesce(response_a, ''), coalesce(response_b, '')),
       extra,
       response_a = response_b,
       hash(coalesce(prompt, ''), least(coalesce(response_a, ''), coalesce(response_b, '')),
            greatest(coalesce(response_a, ''), coalesce(response_b, ''))),
       false,  -- duplicate_copy: set by ingest/mark_duplicates_pairwise in the same transaction
       TRY_CAST(nullif(trim(preference_soft), '') AS DOUBLE),  -- schema v14
       CASE WHEN trim(reference_answer) <> '' THEN reference_answer END  -- schema v15
FROM _src
WHERE source_line NOT IN (SELECT source_line FROM _bad)
