-- How did Nissan's partnerships evolve over time (each status, from when to when)?
SELECT array_to_string(parties, ' + ') AS parties, form, status,
       CAST(valid_from AS DATE) AS since, CAST(valid_to AS DATE) AS until
FROM mart.partnership_timeline('Nissan')
ORDER BY parties, form, since;
