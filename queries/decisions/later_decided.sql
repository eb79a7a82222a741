-- name: decisions/later_decided
-- Batches whose decision is in force and whose report reads batch $batch_id as one of the vendor's
-- EARLIER batches (the re-delivery check hygiene/redelivered_items and the week-over-week tests read
-- them): another batch of the same vendor that $batch_id precedes, by the re-delivery check's own rule
-- (delivered date, then time of ingest). One row per such batch; none = the ingest changes no decision.
-- $vendor and $delivered are the ingest's (the batch's stored vendor wins, a given date replaces the
-- stored one, as ingest/update_batch does); a batch not stored yet is ingested now, after every other.
-- params: $batch_id, $vendor, $delivered
WITH stored AS (
    SELECT vendor, delivered, created_at FROM batches WHERE batch_id = $batch_id
), this AS (
    SELECT coalesce((SELECT vendor FROM stored), $vendor) AS vendor,
           coalesce($delivered::DATE, (SELECT delivered FROM stored)) AS delivered,
           (SELECT created_at FROM stored) AS created_at
), current AS (
    SELECT batch_id, decision_id, decision, decided_by
    FROM decisions
    QUALIFY row_number() OVER (PARTITION BY batch_id ORDER BY decision_id DESC) = 1
)
SELECT b.batch_id, b.delivered, c.decision_id, c.decision, c.decided_by
FROM batches b JOIN current c USING (batch_id), this
WHERE b.batch_id <> $batch_id AND c.decision <> 'reopen'
  AND b.vendor IS NOT DISTINCT FROM this.vendor
  AND (this.delivered < b.delivered
       OR (coalesce(this.delivered = b.delivered, true) AND this.created_at < b.created_at))
ORDER BY b.delivered, b.batch_id
