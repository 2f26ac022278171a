-- The crawl state a run starts from, for the URLs it may request: those its sources announce
-- ($urls) and, for a nightly run ($with_failures), every URL whose last fetch failed.
SELECT c.* FROM core.crawl_state AS c
WHERE c.url IN (SELECT unnest($urls::VARCHAR[]))
   OR ($with_failures AND c.last_outcome = 'failed')
