-- name: ingest/next_file_id
SELECT CAST(nextval('file_id_seq') AS INTEGER) AS file_id
