-- Which tariffs were in force on 15 October 2024, at what rate?
SELECT imposer, coalesce(target, 'all origins') AS target, product, company, rate_pct,
       CAST(valid_from AS DATE) AS since
FROM mart.tariffs_in_force(DATE '2024-10-15')
ORDER BY imposer, target, product, company NULLS FIRST, rate_pct;
