-- Every URL's crawl state, as the next run starts from it.
SELECT * FROM core.crawl_state
