-- name: scales/validate_pairwise
-- One row = one value of the staged pairwise file (_src) outside the batch's declared scale.
-- Columns: source_line, column_name, reason.
-- params: $tie_offered (false: the declared labels are A, B; NULL: no declared labels),
--         $labels_source, $strength_low, $strength_high (NULL: no declared range), $strength_source
-- Caveat: values that are not labels / integers at all are reported by ingest/validate_pairwise.
WITH s AS (
    SELECT source_line, lower(trim(preference)) AS preference, lower(trim(gold)) AS gold,
           TRY_CAST(nullif(trim(strength), '') AS DOUBLE) AS strength
    FROM _src
)
SELECT source_line, 'preference' AS column_name,
       printf('"tie" is not one of the declared labels A, B (%s)', $labels_source) AS reason
FROM s WHERE $tie_offered = false AND preference = 'tie'
UNION ALL
SELECT source_line, 'gold', printf('"tie" is not one of the declared labels A, B (%s)', $labels_source)
FROM s WHERE $tie_offered = false AND gold = 'tie'
UNION ALL
SELECT source_line, 'strength',
       printf('%d is outside the declared strength range %d-%d (%s)', strength::BIGINT,
              $strength_low::BIGINT, $strength_high::BIGINT, $strength_source)
FROM s WHERE strength IS NOT NULL AND (strength < $strength_low OR strength > $strength_high)
ORDER BY source_line, column_name
