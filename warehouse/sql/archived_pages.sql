-- Each article's archived page, for re-processing: all articles, or ($stale) only those
-- extracted by another extractor version than $version. The feed's or sitemap's date is
-- handed back when it was the one chosen, since re-processing reads no feed.
SELECT a.url, p.content_sha256, p.content_type, p.fetched_at,
       CASE WHEN a.published_source IN ('feed', 'sitemap') THEN a.published_at END AS feed_published,
       CASE WHEN a.published_source IN ('feed', 'sitemap') THEN a.published_source END AS feed_published_source,
       a.outlet
FROM core.articles AS a
JOIN raw.pages AS p ON p.content_sha256 = a.content_sha256
WHERE NOT $stale OR a.extractor_version <> $version
QUALIFY row_number() OVER (PARTITION BY a.url ORDER BY p.fetched_at DESC) = 1
ORDER BY a.url
