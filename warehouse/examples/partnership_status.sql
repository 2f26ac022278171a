-- What is the current status of each partnership, and since when?
SELECT array_to_string(parties, ' + ') AS parties, form, status,
       CAST(valid_from AS DATE) AS since, n_articles, n_sources
FROM mart.facts
WHERE fact_type = 'partnership'
ORDER BY parties;
