-- The rows run $run_id quarantined and the expectations each failed.
SELECT dataset, row_key, array_to_string(failed_expectations, ', ') AS failed_expectations
FROM mart.quarantine WHERE run_id = $run_id ORDER BY dataset, row_key
