-- The current state of each expansion, as known at $known_at: the $max_facts that changed
-- last (then by fact_id). facts_total counts every expansion,
-- drawn or not; states_cut is false (the current state only is drawn).
WITH current_states AS (
    SELECT fact_id, company, region, form, status, valid_from FROM mart.fact_timeline(known_at := $known_at)
    WHERE fact_type = 'expansion' AND valid_to IS NULL
)
SELECT *, (SELECT count(*) FROM current_states) AS facts_total, false AS states_cut
FROM current_states ORDER BY valid_from DESC, fact_id LIMIT $max_facts
