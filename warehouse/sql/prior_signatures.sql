-- The loaded articles' MinHash signatures, for finding the same story under another URL.
SELECT url, published_at, text_minhash, title FROM core.articles
WHERE text_minhash IS NOT NULL
