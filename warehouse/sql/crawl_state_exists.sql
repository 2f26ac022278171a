-- Whether the warehouse has its crawl state table yet (a new warehouse has no prior state).
SELECT count(*) FROM information_schema.tables WHERE table_name = 'crawl_state'
