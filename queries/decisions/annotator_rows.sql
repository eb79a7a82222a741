-- name: decisions/annotator_rows
-- How many stored rows each annotator of a batch has, per kind: one row per annotator id
-- (n_verdicts, n_ratings, n_ranking_rows). The evidence pack says what an exclusion leaves out.
-- params: $batch_id
WITH v AS (SELECT annotator_id, count(*) AS n FROM verdicts WHERE batch_id = $batch_id GROUP BY ALL),
     r AS (SELECT annotator_id, count(*) AS n FROM ratings WHERE batch_id = $batch_id GROUP BY ALL),
     k AS (SELECT annotator_id, count(*) AS n FROM rankings WHERE batch_id = $batch_id GROUP BY ALL),
     ids AS (SELECT annotator_id FROM v UNION SELECT annotator_id FROM r UNION SELECT annotator_id FROM k)
SELECT ids.annotator_id, coalesce(v.n, 0) AS n_verdicts, coalesce(r.n, 0) AS n_ratings,
       coalesce(k.n, 0) AS n_ranking_rows
FROM ids
LEFT JOIN v USING (annotator_id) LEFT JOIN r USING (annotator_id) LEFT JOIN k USING (annotator_id)
ORDER BY ids.annotator_id
