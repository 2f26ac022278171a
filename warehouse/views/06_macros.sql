-- Time-travel table macros over core.fact_history (valid time and known time).
-- Each returns the identifying fields of mart.facts plus status, rate_pct, valid_from, valid_to.
-- Names given as arguments are matched case-insensitively, by canonical name or alias
-- (core.dim_company, core.dim_place); an unknown name is matched as written.

-- One row per fact: its identifying fields, as mart.facts derives them. Every column is
-- qualified: a macro parameter named like an unqualified column of a view it reads
-- (company, region) would be bound in that view's body.
CREATE OR REPLACE VIEW core.fact_identity AS
SELECT m.fact_id,
       any_value(m.fact_type) AS fact_type,
       any_value(m.parties) AS parties,
       -- the most specific form seen, latest first: 'collaboration' is the vaguest
       arg_max(m.form, (m.form IS NOT NULL AND m.form <> 'collaboration', m.published_at)) AS form,
       any_value(m.imposer) AS imposer,
       any_value(m.target) AS target,
       any_value(m.product_category) AS product,
       any_value(m.company) AS company,
       any_value(m.region) AS region
FROM core.fact_mentions AS m
GROUP BY m.fact_id;

-- Every state of every fact over valid time, as the warehouse knew it at known_at.
CREATE OR REPLACE MACRO mart.fact_timeline(known_at := now()) AS TABLE
SELECT h.fact_id, f.fact_type, f.parties, f.form, f.imposer, f.target, f.product, f.company, f.region,
       h.status, h.rate_pct, h.valid_from, h.valid_to
FROM core.fact_history AS h
LEFT JOIN core.fact_identity AS f ON f.fact_id = h.fact_id
WHERE h.known_from <= CAST(known_at AS TIMESTAMPTZ)
  AND (h.known_to IS NULL OR h.known_to > CAST(known_at AS TIMESTAMPTZ))
ORDER BY f.fact_type, h.fact_id, h.valid_from;

-- The state each fact had at valid_at, as the warehouse knew it at known_at. Facts with no
-- state at valid_at (not yet reported then) or unknown at known_at are left out.
CREATE OR REPLACE MACRO mart.facts_as_of(valid_at, known_at := now()) AS TABLE
SELECT t.*
FROM mart.fact_timeline(known_at := known_at) AS t
WHERE t.valid_from <= CAST(valid_at AS TIMESTAMPTZ)
  AND (t.valid_to IS NULL OR t.valid_to > CAST(valid_at AS TIMESTAMPTZ))
ORDER BY t.fact_type, t.fact_id;

-- Tariffs in effect on a calendar day (UTC), as known now: in effect from that day or
-- earlier, and not ended before the next day.
CREATE OR REPLACE MACRO mart.tariffs_in_force(on_date) AS TABLE
SELECT f.fact_id, f.fact_type, f.parties, f.form, f.imposer, f.target, f.product, f.company, f.region,
       h.status, h.rate_pct, h.valid_from, h.valid_to
FROM mart.fact_history AS h
JOIN core.fact_identity AS f ON f.fact_id = h.fact_id
WHERE f.fact_type = 'tariff'
  AND h.status = 'in_effect'
  AND CAST(h.valid_from AS DATE) <= CAST(on_date AS DATE)
  AND (h.valid_to IS NULL OR CAST(h.valid_to AS DATE) > CAST(on_date AS DATE))
ORDER BY f.imposer, f.target NULLS FIRST, f.product, f.company NULLS FIRST, h.rate_pct;

-- Every state over valid time (as known now) of the partnerships that name the company.
CREATE OR REPLACE MACRO mart.partnership_timeline(company) AS TABLE
WITH asked AS (
    SELECT lower(coalesce(
        (SELECT min(c.name) FROM core.dim_company AS c
         WHERE lower(c.name) = lower(company)
            OR EXISTS (SELECT 1 FROM unnest(c.aliases) AS alias(name) WHERE lower(alias.name) = lower(company))),
        company)) AS name
)
SELECT f.fact_id, f.fact_type, f.parties, f.form, f.imposer, f.target, f.product, f.company, f.region,
       h.status, h.rate_pct, h.valid_from, h.valid_to
FROM core.fact_identity AS f
JOIN mart.fact_history AS h ON h.fact_id = f.fact_id
CROSS JOIN asked
WHERE f.fact_type = 'partnership'
  AND EXISTS (SELECT 1 FROM unnest(f.parties) AS party(name) WHERE lower(party.name) = asked.name)
ORDER BY array_to_string(f.parties, ' + '), f.form, f.fact_id, h.valid_from;

-- Expansions in their current state, optionally of one company and in one place. A macro-region or
-- bloc also finds the facts about the countries inside it (BYD in Hungary is in Europe).
CREATE OR REPLACE MACRO mart.expansions(company := NULL, region := NULL) AS TABLE
WITH asked_company AS (
    SELECT lower(coalesce(
        (SELECT min(c.name) FROM core.dim_company AS c
         WHERE lower(c.name) = lower(company)
            OR EXISTS (SELECT 1 FROM unnest(c.aliases) AS alias(name) WHERE lower(alias.name) = lower(company))),
        company)) AS name
),
asked_place AS (
    SELECT coalesce(
        (SELECT min(p.name) FROM core.dim_place AS p
         WHERE lower(p.name) = lower(region) OR p.code = upper(region)
            OR EXISTS (SELECT 1 FROM unnest(p.aliases) AS alias(name) WHERE lower(alias.name) = lower(region))),
        region) AS name
),
places AS (
    SELECT asked_place.name FROM asked_place
    UNION
    SELECT country.name
    FROM core.dim_place AS country, asked_place
    WHERE country.kind = 'country' AND list_contains(country.regions, asked_place.name)
    UNION
    SELECT unnest(grp.regions)
    FROM core.dim_place AS grp, asked_place
    WHERE grp.kind <> 'country' AND grp.name = asked_place.name
)
SELECT f.fact_id, f.fact_type, f.parties, f.form, f.imposer, f.target, f.product, f.company, f.region,
       h.status, h.rate_pct, h.valid_from, h.valid_to
FROM core.fact_identity AS f
LEFT JOIN mart.fact_history AS h ON h.fact_id = f.fact_id AND h.valid_to IS NULL
CROSS JOIN asked_company
WHERE f.fact_type = 'expansion'
  AND (company IS NULL OR lower(f.company) = asked_company.name)
  AND (region IS NULL OR lower(f.region) IN (SELECT lower(places.name) FROM places))
ORDER BY f.company, f.region, f.form, f.fact_id;
