-- The run_id of the latest run (no row when there is none).
SELECT run_id FROM mart.runs ORDER BY started_at DESC LIMIT 1
