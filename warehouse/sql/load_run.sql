-- One run's staged Parquet files into the warehouse. Executed statement by statement inside
-- one transaction by warehouse.db.load_run; $names are bound parameters. Rows are replaced
-- by delete-and-insert on their key, since a DuckLake warehouse has no keys to upsert on.
-- The facts whose history this load may change: those of the mentions it replaces or adds
-- (warehouse.db.refresh_history re-cuts only these).
CREATE OR REPLACE TEMP TABLE history_scope AS
SELECT fact_id FROM core.fact_mentions
WHERE article_id IN (SELECT article_id FROM read_parquet($articles))
   OR mention_id IN (SELECT mention_id FROM read_parquet($fact_mentions))
UNION
SELECT fact_id FROM read_parquet($fact_mentions);

DELETE FROM core.fact_mentions
WHERE article_id IN (SELECT article_id FROM read_parquet($articles));

DELETE FROM core.articles
WHERE url IN (SELECT url FROM read_parquet($articles));

INSERT INTO core.articles BY NAME
SELECT * FROM read_parquet($articles);

DELETE FROM core.fact_mentions
WHERE mention_id IN (SELECT mention_id FROM read_parquet($fact_mentions));

INSERT INTO core.fact_mentions BY NAME
SELECT * FROM read_parquet($fact_mentions);

INSERT INTO raw.pages BY NAME
SELECT * FROM read_parquet($pages) AS p
WHERE p.content_sha256 NOT IN (SELECT content_sha256 FROM raw.pages)
QUALIFY row_number() OVER (PARTITION BY p.content_sha256 ORDER BY p.url) = 1;

DELETE FROM raw.fetch_log WHERE run_id = $run_id;

INSERT INTO raw.fetch_log BY NAME
SELECT * FROM read_parquet($fetch_log);

DELETE FROM core.crawl_state
WHERE url IN (SELECT url FROM read_parquet($crawl_state));

INSERT INTO core.crawl_state BY NAME
SELECT * FROM read_parquet($crawl_state);

DELETE FROM core.quarantine AS q
WHERE EXISTS (SELECT 1 FROM read_parquet($quarantine) AS n
              WHERE n.dataset = q.dataset AND n.run_id = q.run_id AND n.row_key = q.row_key);

INSERT INTO core.quarantine BY NAME
SELECT * FROM read_parquet($quarantine);
