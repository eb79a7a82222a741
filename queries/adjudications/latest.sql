-- name: adjudications/latest
-- A batch's latest adjudications: for each adjudicated comparison its row with the highest
-- adjudication_id, and n_adjudications = how many were recorded for it. Whether it still applies
-- (its texts_sha256 equals the comparison's present texts, adjudications/texts_sha256) is decided by the
-- caller (qualitylab/adjudicated.py), so the fingerprint has one definition.
-- One row per adjudicated comparison, ordered by comparison_id.
-- params: $batch_id
SELECT adjudication_id, comparison_id, label, note, adjudicated_by, adjudicated_at, texts_sha256,
       source, source_line,
       count(*) OVER (PARTITION BY comparison_id) AS n_adjudications
FROM adjudications
WHERE batch_id = $batch_id
QUALIFY row_number() OVER (PARTITION BY comparison_id ORDER BY adjudication_id DESC) = 1
ORDER BY comparison_id
