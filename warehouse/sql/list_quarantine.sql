SELECT dataset, run_id, row_key, failed_expectations, quarantined_at, "row"
FROM core.quarantine
WHERE released_at IS NULL AND ($run_id IS NULL OR run_id = $run_id)
ORDER BY run_id, dataset, row_key
