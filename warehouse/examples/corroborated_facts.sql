-- Which facts are stated by more than one article, and by which sentences?
SELECT f.fact_type, coalesce(array_to_string(f.parties, ' + '), f.imposer || ' -> ' || coalesce(f.target, 'all origins'),
                             f.company || ' in ' || f.region) AS fact,
       f.status AS current_status, e.status AS stated_status, CAST(e.published_at AS DATE) AS published,
       e.outlet, e.evidence
FROM mart.facts AS f
JOIN mart.fact_evidence AS e USING (fact_id)
WHERE f.n_articles > 1
ORDER BY f.fact_type, fact, published, e.evidence;
