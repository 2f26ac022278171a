-- Each tariff state with a rate, as known at $known_at; a state still in force ends at $known_at.
SELECT imposer || ' → ' || coalesce(target, 'all origins') AS pair, product, company, status, rate_pct,
       valid_from, coalesce(valid_to, greatest(CAST($known_at AS TIMESTAMPTZ), valid_from)) AS valid_until
FROM mart.fact_timeline(known_at := $known_at) WHERE fact_type = 'tariff' AND rate_pct IS NOT NULL
