-- Each loaded article's content hash and extractor version, so unchanged pages are not re-extracted.
SELECT url, content_sha256, extractor_version FROM core.articles
