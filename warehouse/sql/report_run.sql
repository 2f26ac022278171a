-- The runs row of $run_id, or of the latest run when $run_id is NULL.
SELECT run_id, kind, started_at, ended_at, outcome, error, parameters, counts FROM mart.runs
WHERE run_id = coalesce($run_id, (SELECT run_id FROM mart.runs ORDER BY started_at DESC LIMIT 1))
