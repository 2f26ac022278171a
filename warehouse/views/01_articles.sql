CREATE OR REPLACE VIEW mart.articles AS
SELECT article_id, url, title, outlet, author, published_at, published_source, language, text,
       canonical_url, content_sha256, extractor_version, run_id
FROM core.articles;
