-- The current state of each expansion, as known at $known_at.
SELECT company, region, form, status, valid_from FROM mart.fact_timeline(known_at := $known_at)
WHERE fact_type = 'expansion' AND valid_to IS NULL
