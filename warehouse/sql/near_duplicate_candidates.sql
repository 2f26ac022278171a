-- Stored articles that share at least one LSH band with a signature of `new_signatures`
-- (a relation with one UBIGINT[] column `signature`, registered by the caller): the only
-- stored stories the near-duplicate check of a run needs to compare with.
-- A band is $band_rows consecutive MinHash values; two signatures are candidates when
-- any of their $bands bands are equal (transforms.dedupe.lsh_bands gives both numbers).
WITH new_bands AS (
    SELECT DISTINCT band, hash(list_slice(signature, band * $band_rows + 1, (band + 1) * $band_rows)) AS band_hash
    FROM new_signatures, range($bands) AS bands(band)
), stored_bands AS (
    SELECT url, band, hash(list_slice(text_minhash, band * $band_rows + 1, (band + 1) * $band_rows)) AS band_hash
    FROM core.articles, range($bands) AS bands(band)
    WHERE text_minhash IS NOT NULL
)
SELECT url, published_at, text_minhash, title
FROM core.articles
WHERE url IN (SELECT stored.url FROM stored_bands AS stored JOIN new_bands USING (band, band_hash))
  AND NOT list_contains($exclude, url)
ORDER BY url
