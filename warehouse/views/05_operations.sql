CREATE OR REPLACE VIEW mart.fetch_log AS
SELECT url, run_id, fetched_at, http_status, bytes, duration_ms, error, outcome, final_url
FROM raw.fetch_log;

CREATE OR REPLACE VIEW mart.runs AS
SELECT run_id, kind, started_at, ended_at, outcome, error, parameters, counts
FROM core.runs;

CREATE OR REPLACE VIEW mart.quarantine AS
SELECT dataset, run_id, "row", failed_expectations, quarantined_at, released_at, row_key
FROM core.quarantine;
