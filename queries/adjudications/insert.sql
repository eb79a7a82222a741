-- name: adjudications/insert
-- Append one adjudication (the table is append-only: no query updates or deletes a row). The id
-- is the next integer, adjudicated_at the current time, texts_sha256 the comparison's current
-- texts fingerprint (adjudications/texts_sha256).
-- params: $batch_id, $comparison_id, $label, $note, $adjudicated_by, $texts_sha256, $source,
--         $source_line, $qualitylab_version
INSERT INTO adjudications
SELECT coalesce(max(adjudication_id), 0) + 1, $batch_id, $comparison_id, $label, $note, $adjudicated_by,
       current_localtimestamp(), $texts_sha256, $source, $source_line, $qualitylab_version
FROM adjudications
