-- name: overview/batches
-- One row per batch, in delivery order, with provenance and counts of each kind of row.
SELECT b.batch_id, b.vendor, b.delivered, b.created_at,
       (SELECT count(*) FROM files f WHERE f.batch_id = b.batch_id) AS n_files,
       (SELECT count(*) FROM verdicts v WHERE v.batch_id = b.batch_id AND NOT v.duplicate_copy) AS n_judgments,
       (SELECT count(*) FROM ratings r WHERE r.batch_id = b.batch_id AND NOT r.duplicate_copy) AS n_ratings,
       (SELECT count(*) FROM rankings k WHERE k.batch_id = b.batch_id AND NOT k.duplicate_copy) AS n_ranking_rows,
       (SELECT CAST(coalesce(sum(f.n_quarantined), 0) AS BIGINT) FROM files f WHERE f.batch_id = b.batch_id) AS n_quarantined
FROM batches b
ORDER BY b.delivered NULLS LAST, b.created_at, b.batch_id
