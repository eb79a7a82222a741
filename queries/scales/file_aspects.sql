-- name: scales/file_aspects
-- The rating aspects of the staged file (_src), named as ingest/insert_rating stores them
-- (blank -> 'overall'). One row per aspect.  params: none
SELECT DISTINCT coalesce(nullif(trim(aspect), ''), 'overall') AS aspect FROM _src ORDER BY aspect
