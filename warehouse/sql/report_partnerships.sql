-- Each partnership's status intervals, as known at $known_at, of the $max_facts partnerships
-- whose status changed last (then by fact_id), each with its last $max_states states; a status still current ends at $known_at.
-- facts_total counts every partnership, drawn or not;
-- states_cut is true on the rows of a fact with more than $max_states states (its older ones not drawn).
WITH states AS (
    SELECT fact_id, array_to_string(parties, ' + ') || ' (' || coalesce(form, '?') || ')' AS partnership, status,
           valid_from, coalesce(valid_to, greatest(CAST($known_at AS TIMESTAMPTZ), valid_from)) AS valid_until
    FROM mart.fact_timeline(known_at := $known_at) WHERE fact_type = 'partnership'
), drawn AS (
    SELECT fact_id FROM states GROUP BY fact_id ORDER BY max(valid_from) DESC, fact_id LIMIT $max_facts
)
SELECT fact_id, partnership, status, valid_from, valid_until,
       (SELECT count(DISTINCT fact_id) FROM states) AS facts_total,
       count(*) OVER (PARTITION BY fact_id) > $max_states AS states_cut
FROM states WHERE fact_id IN (SELECT fact_id FROM drawn)
QUALIFY row_number() OVER (PARTITION BY fact_id ORDER BY valid_from DESC) <= $max_states
