-- Where is each company expanding (sales or production), and in what state?
SELECT company, region, form, status, CAST(valid_from AS DATE) AS since, n_sources
FROM mart.facts
WHERE fact_type = 'expansion'
ORDER BY company, region, form;
