-- What did the latest run teach the warehouse: which fact states did it record?
SELECT f.fact_type, coalesce(array_to_string(f.parties, ' + '), f.imposer || ' -> ' || coalesce(f.target, 'all origins'),
                             f.company || ' in ' || f.region) AS fact,
       h.status, h.rate_pct, CAST(h.valid_from AS DATE) AS since, CAST(h.valid_to AS DATE) AS until
FROM mart.fact_history AS h
JOIN mart.facts AS f USING (fact_id)
WHERE h.run_id = (SELECT run_id FROM mart.runs ORDER BY started_at DESC LIMIT 1)
ORDER BY f.fact_type, fact, h.valid_from;
