-- Each partnership's status intervals, as known at $known_at; a status still current ends at $known_at.
SELECT array_to_string(parties, ' + ') || ' (' || coalesce(form, '?') || ')' AS partnership, status,
       valid_from, coalesce(valid_to, greatest(CAST($known_at AS TIMESTAMPTZ), valid_from)) AS valid_until
FROM mart.fact_timeline(known_at := $known_at) WHERE fact_type = 'partnership'
