-- name: scales/validate_rating
-- One row = one score of the staged rating file (_src) outside its aspect's declared range.
-- Columns: source_line, column_name, reason.
-- params: $aspects, $lows, $highs, $texts ("1-7"), $sources (parallel lists: one declared range per aspect)
-- Caveat: scores that are not numbers are reported by ingest/validate_rating.
WITH ranges AS (
    SELECT unnest($aspects) AS aspect, unnest($lows) AS low, unnest($highs) AS high, unnest($texts) AS text,
           unnest($sources) AS source
),
s AS (
    SELECT source_line, coalesce(nullif(trim(aspect), ''), 'overall') AS aspect,
           TRY_CAST(nullif(trim(score), '') AS DOUBLE) AS score
    FROM _src
)
SELECT s.source_line, 'score' AS column_name,
       printf('%s is outside the declared scale %s of aspect %s (%s)',
              CASE WHEN s.score = round(s.score) THEN CAST(s.score::BIGINT AS VARCHAR) ELSE CAST(s.score AS VARCHAR) END,
              r.text, to_json(s.aspect), r.source) AS reason
FROM s JOIN ranges r USING (aspect)
WHERE s.score IS NOT NULL AND isfinite(s.score) AND (s.score < r.low OR s.score > r.high)
ORDER BY s.source_line
