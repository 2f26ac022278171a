-- Each tariff state with a rate, as known at $known_at, of the $max_facts tariff facts whose
-- state changed last (then by fact_id), each with its last $max_states states; a state still in force ends at $known_at.
-- facts_total counts every tariff fact with a rate, drawn or not;
-- states_cut is true on the rows of a fact with more than $max_states states (its older ones not drawn).
WITH states AS (
    SELECT fact_id, imposer || ' → ' || coalesce(target, 'all origins') AS pair, product, company, status,
           rate_pct, valid_from,
           coalesce(valid_to, greatest(CAST($known_at AS TIMESTAMPTZ), valid_from)) AS valid_until
    FROM mart.fact_timeline(known_at := $known_at) WHERE fact_type = 'tariff' AND rate_pct IS NOT NULL
), drawn AS (
    SELECT fact_id FROM states GROUP BY fact_id ORDER BY max(valid_from) DESC, fact_id LIMIT $max_facts
)
SELECT fact_id, pair, product, company, status, rate_pct, valid_from, valid_until,
       (SELECT count(DISTINCT fact_id) FROM states) AS facts_total,
       count(*) OVER (PARTITION BY fact_id) > $max_states AS states_cut
FROM states WHERE fact_id IN (SELECT fact_id FROM drawn)
QUALIFY row_number() OVER (PARTITION BY fact_id ORDER BY valid_from DESC) <= $max_states
