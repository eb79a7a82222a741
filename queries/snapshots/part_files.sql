-- name: snapshots/part_files
-- Fingerprint part "files": every file the report reads, one row per file. Those of the batch, and
-- those of every batch of the same vendor delivered before it (by delivered date, then the time each
-- was first ingested), with that batch's row: the week-over-week tests (bias/earlier_batches) and
-- the re-delivery check (hygiene/redelivered_items) read them; the condition is the re-delivery
-- check's, which contains the other's. Judge runs are files (format 'judge-run') too. A new file,
-- a --replace (new file ids) or an --append changes these rows; a batch without files has none.
-- params: $batch_id
WITH this AS (
    SELECT vendor, delivered, created_at FROM batches WHERE batch_id = $batch_id
), read AS (
    SELECT b.batch_id, b.vendor, b.delivered, b.created_at
    FROM batches b, this
    WHERE b.batch_id = $batch_id
       OR (b.vendor IS NOT DISTINCT FROM this.vendor
           AND (b.delivered < this.delivered
                OR (coalesce(b.delivered = this.delivered, true) AND b.created_at < this.created_at)))
)
SELECT r.batch_id, r.vendor, r.delivered, r.created_at,
       f.file_id, f.kind, f.format, f.file_name, f.size_bytes, f.sha256, f.n_rows, f.n_stored,
       f.n_quarantined, f.ingested_at
FROM read r LEFT JOIN files f ON f.batch_id = r.batch_id
ORDER BY r.batch_id, f.file_id
