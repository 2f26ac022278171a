-- MinHash signature of each article's text, for near-duplicate detection across runs.
ALTER TABLE core.articles ADD COLUMN text_minhash UBIGINT[];
