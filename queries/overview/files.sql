-- name: overview/files
-- Provenance: one row per file stored in the batch.  params: $batch_id
SELECT file_id, kind, format, file_name, size_bytes, sha256, n_rows, n_stored, n_quarantined,
       ingested_at, qualitylab_version, extra_columns
FROM files WHERE batch_id = $batch_id ORDER BY file_id
