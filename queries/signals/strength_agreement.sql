-- name: signals/strength_agreement
-- One row: agreement between annotators on direction and on strength, as sums over comparisons of
-- ordered pairs of verdicts (by any two verdicts of the same comparison, both carrying a strength).
-- Per comparison c with n_c such verdicts: pairs_c = n_c (n_c - 1); dir_c = sum over preferences of
-- n (n - 1) (pairs with the same A/B/tie); signed_c = the same over (preference, strength) cells
-- (same direction and same strength). The sums of squares and cross products feed the
-- cluster-robust (by comparison) interval of the ratios sum(dir)/sum(pairs), sum(signed)/sum(pairs)
-- and sum(signed)/sum(dir).
-- params: $batch_id, $annotator_kind ('human' | 'judge' | 'all')
WITH cells AS (
    SELECT comparison_id, preference, strength, count(*) AS n
    FROM verdicts
    WHERE batch_id = $batch_id AND NOT duplicate_copy
      AND ($annotator_kind = 'all' OR annotator_kind = $annotator_kind)
      AND strength IS NOT NULL
    GROUP BY ALL
), dir AS (
    SELECT comparison_id, preference, sum(n) AS n, sum(n * (n - 1)) AS signed
    FROM cells GROUP BY ALL
), c AS (
    SELECT comparison_id,
           CAST(sum(n) * (sum(n) - 1) AS DOUBLE) AS pairs,
           CAST(sum(n * (n - 1)) AS DOUBLE) AS dir,
           CAST(sum(signed) AS DOUBLE) AS signed
    FROM dir GROUP BY ALL
)
SELECT count(*) FILTER (WHERE pairs > 0) AS n_comparisons,
       coalesce(sum(pairs), 0) AS pairs, coalesce(sum(dir), 0) AS dir, coalesce(sum(signed), 0) AS signed,
       coalesce(sum(pairs * pairs), 0) AS pairs_sq, coalesce(sum(dir * dir), 0) AS dir_sq,
       coalesce(sum(signed * signed), 0) AS signed_sq,
       coalesce(sum(pairs * dir), 0) AS pairs_dir, coalesce(sum(pairs * signed), 0) AS pairs_signed,
       coalesce(sum(dir * signed), 0) AS dir_signed
FROM c
