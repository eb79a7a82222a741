-- name: hygiene/against_pairs
-- The distinct prompt + response pairs of an against-file (qualitylab/against.py): one row per
-- pair, hashed exactly as ingest hashes a verdict (queries/ingest/insert_pairwise.sql):
-- pair_hash = hash(prompt, the smaller response, the larger) (either order), content_hash =
-- hash(prompt, response_a, response_b) of the pair's first row, and that row's line in the file.
-- Runs on a private in-memory connection over the registered relation against_rows
-- (prompt, response_a, response_b, line); no store table is read.
-- params: none
SELECT hash(coalesce(prompt, ''), least(coalesce(response_a, ''), coalesce(response_b, '')),
            greatest(coalesce(response_a, ''), coalesce(response_b, ''))) AS pair_hash,
       arg_min(hash(coalesce(prompt, ''), coalesce(response_a, ''), coalesce(response_b, '')), line) AS content_hash,
       min(line) AS line
FROM against_rows
GROUP BY 1
ORDER BY line, pair_hash
