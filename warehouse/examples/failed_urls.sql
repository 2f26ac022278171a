-- Which URLs failed or were given up in the latest run, and why?
SELECT l.url, l.outcome, l.http_status, l.error, l.fetched_at
FROM mart.fetch_log AS l
WHERE l.run_id = (SELECT run_id FROM mart.runs ORDER BY started_at DESC LIMIT 1)
  AND l.outcome IN ('failed', 'gave_up')
ORDER BY l.outcome, l.url;
