-- Which companies are expanding in Southeast Asia, counting the countries inside it?
SELECT company, region, form, status, CAST(valid_from AS DATE) AS since
FROM mart.expansions(region := 'Southeast Asia')
ORDER BY company, region, form;
