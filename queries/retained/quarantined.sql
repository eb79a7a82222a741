-- name: retained/quarantined
-- Rows refused at ingest and kept in quarantine, per batch in scope and kind of file: one row per
-- (batch_id, kind) with n_rows (rows whose line is known; a whole-file problem counts no row).
-- params: none
SELECT q.batch_id, f.kind, count(DISTINCT (q.file_id, q.source_line)) AS n_rows
FROM quarantine q JOIN files f ON f.file_id = q.file_id
WHERE q.batch_id IN (SELECT batch_id FROM _ql_scope) AND q.source_line IS NOT NULL
GROUP BY q.batch_id, f.kind
