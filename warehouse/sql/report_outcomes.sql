-- URLs per fetch outcome in run $run_id, most frequent first.
SELECT outcome, count(*) AS urls FROM mart.fetch_log WHERE run_id = $run_id GROUP BY outcome ORDER BY urls DESC
