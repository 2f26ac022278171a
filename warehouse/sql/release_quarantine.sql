-- Release quarantined rows (of one run, or all when $run_id is NULL): their pages are
-- fetched and processed again by the next run, whose validation then decides again.
UPDATE core.quarantine SET released_at = $released_at
WHERE released_at IS NULL AND ($run_id IS NULL OR run_id = $run_id);

DELETE FROM core.crawl_state
WHERE url IN (SELECT coalesce(json_extract_string("row", '$.url'), json_extract_string("row", '$.article_url'))
              FROM core.quarantine WHERE released_at = $released_at);

UPDATE core.articles SET extractor_version = 'released'
WHERE url IN (SELECT coalesce(json_extract_string("row", '$.url'), json_extract_string("row", '$.article_url'))
              FROM core.quarantine WHERE released_at = $released_at);
