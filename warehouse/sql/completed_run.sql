-- The first completed run that carries the idempotency key $key, if any.
SELECT run_id FROM core.runs WHERE outcome = 'completed'
AND json_extract_string(parameters, '$.idempotency_key') = $key ORDER BY started_at LIMIT 1
