-- name: adjudications/item
-- Every adjudication of one comparison, oldest first, with `current` = recorded on the comparison's
-- present texts (texts_sha256 equal; adjudications/texts_sha256).
-- params: $batch_id, $comparison_id, $texts_sha256
SELECT adjudication_id, label, note, adjudicated_by, adjudicated_at, source, source_line,
       texts_sha256 = $texts_sha256 AS current
FROM adjudications
WHERE batch_id = $batch_id AND comparison_id = $comparison_id
ORDER BY adjudication_id
