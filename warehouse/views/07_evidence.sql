CREATE OR REPLACE VIEW mart.fact_evidence AS
SELECT m.fact_id, m.fact_type, m.status, m.rate_pct, m.evidence, m.article_url, a.title, a.outlet,
       coalesce(a.published_at, m.published_at) AS published_at, m.mention_id, m.article_id
FROM core.fact_mentions AS m
LEFT JOIN core.articles AS a USING (article_id);
