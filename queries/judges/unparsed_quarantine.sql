-- name: judges/unparsed_quarantine
-- Judge rows refused at ingest (e.g. an adapter's upstream "could not be parsed" outputs) and kept
-- in quarantine: one row per judge with the count. Adapters name the judge at the start of the
-- reason ("<annotator_id>: ..."); rows are matched to the batch's judges (judges/judges) by that
-- prefix.  params: $batch_id
WITH judges AS (
    SELECT DISTINCT annotator_id FROM verdicts WHERE batch_id = $batch_id AND NOT duplicate_copy AND annotator_kind = 'judge'
    UNION
    SELECT DISTINCT regexp_extract(reason, '^([^\s:]+): ', 1)
    FROM quarantine
    WHERE batch_id = $batch_id AND column_name = 'preference' AND regexp_matches(reason, '^[^\s:]+: .*not guessed$')
)
SELECT j.annotator_id, count(*) AS n_quarantined
FROM quarantine q JOIN judges j ON starts_with(q.reason, j.annotator_id || ': ')
WHERE q.batch_id = $batch_id
GROUP BY j.annotator_id
ORDER BY j.annotator_id
