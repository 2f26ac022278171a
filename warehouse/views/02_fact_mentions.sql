CREATE OR REPLACE VIEW mart.fact_mentions AS
SELECT mention_id, fact_id, fact_type, article_url, published_at, parties, form, status, imposer,
       target, product, rate_pct, effective_date, company, region, evidence, extractor_version,
       product_category, valid_from, article_id, run_id
FROM core.fact_mentions;
