-- Which tariffs changed status or rate over time, and when did each change happen?
WITH changed AS (
    SELECT fact_id FROM mart.fact_history GROUP BY fact_id HAVING count(*) > 1
)
SELECT f.imposer, coalesce(f.target, 'all origins') AS target, f.product, f.company, h.status, h.rate_pct,
       CAST(h.valid_from AS DATE) AS since, CAST(h.valid_to AS DATE) AS until
FROM mart.fact_history AS h
JOIN changed USING (fact_id)
JOIN mart.facts AS f USING (fact_id)
WHERE f.fact_type = 'tariff'
ORDER BY f.imposer, target, f.product, f.company NULLS FIRST, h.valid_from;
