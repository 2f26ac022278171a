-- The latest $limit runs, newest first.
SELECT run_id, kind, started_at, ended_at, outcome, error FROM mart.runs
ORDER BY started_at DESC LIMIT $limit
