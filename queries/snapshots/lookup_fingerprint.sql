-- name: snapshots/lookup_fingerprint
-- The fingerprint and parts of one batch's stored report for one request, without the document
-- (qualitylab batches reads only whether it is valid, and its verdict).  params: $batch_id, $request_sha256
SELECT fingerprint, parts, verdict, computed_at
FROM report_snapshots
WHERE batch_id = $batch_id AND request_sha256 = $request_sha256
