CREATE OR REPLACE VIEW mart.facts AS
WITH mentions AS (
    SELECT m.*, a.outlet
    FROM core.fact_mentions AS m
    LEFT JOIN core.articles AS a USING (article_id)
),
identity AS (
    SELECT fact_id,
           any_value(fact_type) AS fact_type,
           any_value(parties) AS parties,
           -- the most specific form seen, latest first: 'collaboration' is the vaguest
           arg_max(form, (form IS NOT NULL AND form <> 'collaboration', published_at)) AS form,
           any_value(imposer) AS imposer,
           any_value(target) AS target,
           any_value(product_category) AS product,
           any_value(company) AS company,
           any_value(region) AS region,
           min(published_at) AS first_seen,
           max(published_at) AS last_seen,
           count(DISTINCT article_id) AS n_articles,
           count(DISTINCT coalesce(outlet, article_url)) AS n_sources
    FROM mentions
    GROUP BY fact_id
),
current_state AS (
    SELECT fact_id, status, rate_pct, valid_from
    FROM mart.fact_history
    WHERE valid_to IS NULL
)
SELECT i.fact_id, i.fact_type, i.parties, i.form, i.imposer, i.target, i.product, i.company,
       i.region, s.status, s.rate_pct, s.valid_from, i.first_seen, i.last_seen, i.n_articles,
       i.n_sources
FROM identity AS i
LEFT JOIN current_state AS s USING (fact_id);
