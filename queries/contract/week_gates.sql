-- name: contract/week_gates
-- The gate-file contents a linked batch is judged by: one row (none for an unlinked batch, or a
-- week judged by the built-in gates, path 'built-in'). Reads the contract's latest version; the
-- week's gate path comes from the stored plan (JSON).
-- params: $batch_id
WITH link AS (
    SELECT l.contract_name, l.week, max(c.version) AS version
    FROM contract_links l JOIN contracts c ON c.name = l.contract_name
    WHERE l.batch_id = $batch_id
    GROUP BY l.contract_name, l.week
), wk AS (
    SELECT link.*, w.value AS week_plan
    FROM link
    JOIN contracts c ON c.name = link.contract_name AND c.version = link.version,
         LATERAL (SELECT unnest(CAST(json_extract(c.plan, '$.weeks') AS JSON[])) AS value) w
    WHERE CAST(json_extract(w.value, '$.week') AS INTEGER) = link.week
)
SELECT wk.contract_name, wk.version AS contract_version, wk.week,
       json_extract_string(wk.week_plan, '$.gates') AS gates_path,
       g.sha256 AS gates_sha256, g.gates_text
FROM wk
LEFT JOIN contract_gate_files g
       ON g.name = wk.contract_name AND g.version = wk.version
      AND g.path = json_extract_string(wk.week_plan, '$.gates')
