-- The content hash and extractor version of the stored articles among $urls, so unchanged
-- pages are not re-extracted.
SELECT url, content_sha256, extractor_version FROM core.articles
WHERE url IN (SELECT unnest($urls::VARCHAR[]))
