-- Distinct facts per outlet and fact type.
SELECT coalesce(outlet, 'unknown') AS outlet, fact_type, count(DISTINCT fact_id) AS facts
FROM mart.fact_evidence GROUP BY ALL
