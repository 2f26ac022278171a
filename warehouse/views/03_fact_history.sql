CREATE OR REPLACE VIEW mart.fact_history AS
SELECT fact_id, status, rate_pct, valid_from, valid_to, known_from AS recorded_at, article_url,
       known_from, known_to, run_id
FROM core.fact_history
WHERE known_to IS NULL;
