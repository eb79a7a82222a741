-- name: ingest/insert_file
-- provenance of one stored file
INSERT INTO files VALUES ($file_id, $batch_id, $kind, $format, $file_name, $size_bytes, $sha256, $n_rows,
                          $n_stored, $n_quarantined, current_localtimestamp(), $qualitylab_version, $extra_columns)
