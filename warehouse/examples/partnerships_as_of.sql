-- What was the status of each partnership on 20 December 2024, as we know it now?
SELECT array_to_string(parties, ' + ') AS parties, form, status, CAST(valid_from AS DATE) AS since
FROM mart.facts_as_of(DATE '2024-12-20')
WHERE fact_type = 'partnership'
ORDER BY parties, form;
