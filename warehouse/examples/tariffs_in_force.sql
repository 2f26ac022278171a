-- Which tariffs are in force now, at what rate, since when?
SELECT imposer, coalesce(target, 'all origins') AS target, product, company, rate_pct,
       CAST(valid_from AS DATE) AS since
FROM mart.facts
WHERE fact_type = 'tariff' AND status = 'in_effect'
ORDER BY imposer, target, product, company NULLS FIRST, rate_pct;
