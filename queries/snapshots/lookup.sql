-- name: snapshots/lookup
-- The stored report of one batch and request (qualitylab/snapshots.py), or no row.
-- params: $batch_id, $request_sha256
SELECT batch_id, request_sha256, fingerprint, parts, document, report_sha256, verdict, computed_at,
       compute_seconds, qualitylab_version
FROM report_snapshots
WHERE batch_id = $batch_id AND request_sha256 = $request_sha256
