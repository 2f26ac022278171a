-- The number of articles, and of facts per fact type (one row per fact type; none when no facts).
SELECT (SELECT count(*) FROM mart.articles), fact_type, count(*) FROM mart.facts GROUP BY fact_type
ORDER BY fact_type
