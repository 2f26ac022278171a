-- How many distinct facts of each type does each outlet report?
SELECT coalesce(outlet, 'unknown') AS outlet, fact_type, count(DISTINCT fact_id) AS facts,
       count(DISTINCT article_url) AS articles
FROM mart.fact_evidence
GROUP BY ALL
ORDER BY outlet, fact_type;
