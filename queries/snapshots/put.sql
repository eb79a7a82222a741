-- name: snapshots/put
-- Store (or replace) the report of one batch and request.
-- params: $batch_id, $request_sha256, $fingerprint, $parts, $document, $report_sha256, $verdict,
--         $computed_at, $compute_seconds, $qualitylab_version
INSERT OR REPLACE INTO report_snapshots
VALUES ($batch_id, $request_sha256, $fingerprint, $parts, $document, $report_sha256, $verdict,
        $computed_at, $compute_seconds, $qualitylab_version)
