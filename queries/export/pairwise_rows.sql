-- name: export/pairwise_rows
-- The pairwise export, one range of a delivered file at a time: every retained human verdict
-- (_ql_verdict_rows, drop_reason NULL) of batch $batch_id, file $file_id, lines $lo..$hi, as a
-- canonical pairwise row (the ingest vocabulary, README "The canonical format", so the file can be
-- ingested again), then batch_id (kept in `extra` on re-ingest). In delivery order (source_line).
-- shown_first is NULL where it was not recorded. The export walks each file's lines in ranges
-- (export/verdict_files), so no query holds more than one range of texts.
-- params: $batch_id, $file_id, $lo, $hi
SELECT comparison_id, annotator_id, preference, prompt, response_a, response_b, prompt_id, model_a, model_b,
       annotator_kind,
       CASE WHEN shown_first_recorded THEN shown_first END AS shown_first,
       CAST(strength AS INTEGER) AS strength, rating_a, rating_b, seconds, gold, category, created_at,
       batch_id
FROM _ql_verdict_rows
WHERE drop_reason IS NULL AND batch_id = $batch_id AND file_id = $file_id AND source_line BETWEEN $lo AND $hi
ORDER BY source_line
