-- Whether the warehouse has its runs table yet (a new warehouse has no completed run).
SELECT count(*) FROM information_schema.tables
WHERE table_schema = 'core' AND table_name = 'runs'
