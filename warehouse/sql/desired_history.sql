-- The SCD type 2 history that the current fact mentions imply, on valid time, for the
-- facts in the temp table history_scope.
-- A mention's state holds from its valid_from (a date the article gives) or else its
-- publication time; states are ordered by that time, ties by publication time and URL.
-- A mention that repeats the state before it adds no row; each row ends where the next begins.
WITH states AS (
    SELECT fact_id, status, rate_pct, article_url,
           coalesce(valid_from, published_at) AS state_from,
           published_at
    FROM core.fact_mentions
    WHERE coalesce(valid_from, published_at) IS NOT NULL
      AND fact_id IN (SELECT fact_id FROM history_scope)
),
ordered AS (
    SELECT *,
           lag(status) OVER w AS previous_status,
           lag(rate_pct) OVER w AS previous_rate,
           row_number() OVER w AS position
    FROM states
    WINDOW w AS (PARTITION BY fact_id ORDER BY state_from, published_at, article_url, status, rate_pct)
),
changes AS (
    SELECT fact_id, status, rate_pct, article_url, state_from
    FROM ordered
    WHERE position = 1
       OR status IS DISTINCT FROM previous_status
       OR rate_pct IS DISTINCT FROM previous_rate
)
SELECT fact_id, status, rate_pct, state_from AS valid_from,
       lead(state_from) OVER (PARTITION BY fact_id ORDER BY state_from, article_url, status, rate_pct) AS valid_to,
       article_url
FROM changes
