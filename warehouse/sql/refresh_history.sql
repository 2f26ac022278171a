-- Close (known_to) the open history rows that the current mentions no longer imply, and
-- open the rows they newly imply, for the facts in the temp table history_scope (the
-- history of a fact depends on its own mentions only). Rows are never deleted;
-- re-running changes nothing.
CREATE OR REPLACE TEMP TABLE desired_history AS
SELECT * FROM ({desired_history});

UPDATE core.fact_history AS h
SET known_to = $known_at
WHERE h.known_to IS NULL
  AND h.fact_id IN (SELECT fact_id FROM history_scope)
  AND NOT EXISTS (
      SELECT 1 FROM desired_history AS d
      WHERE d.fact_id = h.fact_id AND d.status = h.status
        AND d.rate_pct IS NOT DISTINCT FROM h.rate_pct
        AND d.valid_from = h.valid_from AND d.valid_to IS NOT DISTINCT FROM h.valid_to
        AND d.article_url = h.article_url);

INSERT INTO core.fact_history
SELECT d.fact_id, d.status, d.rate_pct, d.valid_from, d.valid_to, d.article_url,
       $known_at, NULL, $run_id
FROM desired_history AS d
WHERE NOT EXISTS (
    SELECT 1 FROM core.fact_history AS h
    WHERE h.known_to IS NULL AND d.fact_id = h.fact_id AND d.status = h.status
      AND d.rate_pct IS NOT DISTINCT FROM h.rate_pct
      AND d.valid_from = h.valid_from AND d.valid_to IS NOT DISTINCT FROM h.valid_to
      AND d.article_url = h.article_url);

DROP TABLE desired_history;

DROP TABLE history_scope;
