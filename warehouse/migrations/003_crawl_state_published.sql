-- The publication date of a page a backfill left out as published outside its window, so
-- that the backfill's other partitions know it without fetching the page again.
ALTER TABLE core.crawl_state ADD COLUMN published_at TIMESTAMPTZ;
