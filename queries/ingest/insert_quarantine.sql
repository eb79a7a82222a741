-- name: ingest/insert_quarantine
-- keep each invalid row with its reason; raw = the row as delivered (JSON of its staged columns,
-- or the raw text for a syntax error).  params: $batch_id, $file_id
INSERT INTO quarantine
SELECT $batch_id, $file_id, p.source_line, p.column_name, p.reason,
       coalesce(p.raw, CAST(to_json(s) AS VARCHAR))
FROM _problems p LEFT JOIN _src s ON s.source_line = p.source_line
