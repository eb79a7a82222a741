-- name: scales/insert
-- Store one scale row (see schema v5 in qualitylab/schema.py).
-- params: $batch_id, $kind, $target, $labels (VARCHAR[] or NULL), $low, $high, $declared, $source, $file_id
INSERT INTO scales VALUES ($batch_id, $kind, $target, $labels, $low, $high, $declared, $source, $file_id)
