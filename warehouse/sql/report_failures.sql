-- The URLs that failed or were given up in run $run_id, with the reason.
SELECT url, outcome, http_status, error FROM mart.fetch_log
WHERE run_id = $run_id AND outcome IN ('failed', 'gave_up') ORDER BY outcome, url
