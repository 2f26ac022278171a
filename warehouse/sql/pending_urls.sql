-- The URLs whose last fetch failed (retried by the next run) or was given up.
SELECT url, last_outcome, attempts, last_error, last_attempt_at FROM core.crawl_state
WHERE last_outcome IN ('failed', 'gave_up') ORDER BY last_outcome, url
