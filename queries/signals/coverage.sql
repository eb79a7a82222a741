-- name: signals/coverage
-- One row: what the batch holds for comparing signals. Verdicts: total, with both model names
-- (model_a <> model_b), with a prompt_id too, with rating_a and rating_b, with a strength, with
-- seconds. Ratings and ranking rows: total, with model and prompt_id, with seconds.
-- params: $batch_id, $annotator_kind ('human' | 'judge' | 'all')
SELECT
    (SELECT count(*) FROM verdicts WHERE batch_id = $batch_id AND NOT duplicate_copy
        AND ($annotator_kind = 'all' OR annotator_kind = $annotator_kind)) AS n_verdicts,
    (SELECT count(*) FROM verdicts WHERE batch_id = $batch_id AND NOT duplicate_copy
        AND ($annotator_kind = 'all' OR annotator_kind = $annotator_kind)
        AND model_a IS NOT NULL AND model_b IS NOT NULL AND model_a <> model_b) AS n_verdicts_with_models,
    (SELECT count(*) FROM verdicts WHERE batch_id = $batch_id AND NOT duplicate_copy
        AND ($annotator_kind = 'all' OR annotator_kind = $annotator_kind)
        AND model_a IS NOT NULL AND model_b IS NOT NULL AND model_a <> model_b
        AND prompt_id IS NOT NULL) AS n_verdicts_linkable,
    (SELECT count(*) FROM verdicts WHERE batch_id = $batch_id AND NOT duplicate_copy
        AND ($annotator_kind = 'all' OR annotator_kind = $annotator_kind)
        AND rating_a IS NOT NULL AND rating_b IS NOT NULL) AS n_verdicts_with_ratings,
    (SELECT count(*) FROM verdicts WHERE batch_id = $batch_id AND NOT duplicate_copy
        AND ($annotator_kind = 'all' OR annotator_kind = $annotator_kind)
        AND strength IS NOT NULL) AS n_verdicts_with_strength,
    (SELECT count(*) FROM verdicts WHERE batch_id = $batch_id AND NOT duplicate_copy
        AND ($annotator_kind = 'all' OR annotator_kind = $annotator_kind)
        AND seconds IS NOT NULL) AS n_verdicts_with_seconds,
    (SELECT count(*) FROM ratings WHERE batch_id = $batch_id AND NOT duplicate_copy
        AND ($annotator_kind = 'all' OR annotator_kind = $annotator_kind)) AS n_ratings,
    (SELECT count(*) FROM ratings WHERE batch_id = $batch_id AND NOT duplicate_copy
        AND ($annotator_kind = 'all' OR annotator_kind = $annotator_kind)
        AND model IS NOT NULL AND prompt_id IS NOT NULL) AS n_ratings_linkable,
    (SELECT count(*) FROM ratings WHERE batch_id = $batch_id AND NOT duplicate_copy
        AND ($annotator_kind = 'all' OR annotator_kind = $annotator_kind)
        AND seconds IS NOT NULL) AS n_ratings_with_seconds,
    (SELECT count(*) FROM rankings WHERE batch_id = $batch_id AND NOT duplicate_copy
        AND ($annotator_kind = 'all' OR annotator_kind = $annotator_kind)) AS n_ranking_rows,
    (SELECT count(*) FROM rankings WHERE batch_id = $batch_id AND NOT duplicate_copy
        AND ($annotator_kind = 'all' OR annotator_kind = $annotator_kind)
        AND model IS NOT NULL) AS n_ranking_rows_with_model,
    (SELECT count(*) FROM rankings WHERE batch_id = $batch_id AND NOT duplicate_copy
        AND ($annotator_kind = 'all' OR annotator_kind = $annotator_kind)
        AND seconds IS NOT NULL) AS n_ranking_rows_with_seconds
