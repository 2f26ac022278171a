-- Layers: raw (as fetched, append-only), core (typed, deduplicated, history), mart (views for analysts).
CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS core;
CREATE SCHEMA IF NOT EXISTS mart;

CREATE TABLE core.runs (
    run_id      VARCHAR PRIMARY KEY,
    kind        VARCHAR NOT NULL,           -- nightly | backfill | reprocess | demo
    started_at  TIMESTAMPTZ NOT NULL,
    ended_at    TIMESTAMPTZ,
    parameters  JSON,
    counts      JSON,
    outcome     VARCHAR NOT NULL,           -- completed | failed
    error       VARCHAR
);

CREATE TABLE raw.fetch_log (
    url             VARCHAR NOT NULL,
    run_id          VARCHAR NOT NULL,
    fetched_at      TIMESTAMPTZ NOT NULL,
    http_status     INTEGER,
    bytes           BIGINT,
    duration_ms     INTEGER,
    error           VARCHAR,
    outcome         VARCHAR NOT NULL,
    final_url       VARCHAR,
    content_sha256  VARCHAR,
    PRIMARY KEY (url, run_id)
);

CREATE TABLE raw.pages (
    content_sha256  VARCHAR PRIMARY KEY,
    url             VARCHAR NOT NULL,
    content_type    VARCHAR,
    archive_path    VARCHAR NOT NULL,
    bytes           BIGINT NOT NULL,
    run_id          VARCHAR NOT NULL,
    fetched_at      TIMESTAMPTZ NOT NULL
);

CREATE TABLE core.crawl_state (
    url             VARCHAR PRIMARY KEY,
    etag            VARCHAR,
    last_modified   VARCHAR,
    content_sha256  VARCHAR,
    last_status     INTEGER,
    last_outcome    VARCHAR,
    last_error      VARCHAR,
    attempts        INTEGER NOT NULL,       -- consecutive failed attempts
    last_attempt_at TIMESTAMPTZ,
    run_id          VARCHAR NOT NULL
);

CREATE TABLE core.articles (
    article_id        VARCHAR PRIMARY KEY,
    url               VARCHAR NOT NULL UNIQUE,
    canonical_url     VARCHAR,
    title             VARCHAR NOT NULL,
    outlet            VARCHAR,
    author            VARCHAR,
    published_at      TIMESTAMPTZ,
    published_source  VARCHAR,
    language          VARCHAR NOT NULL,
    text              VARCHAR NOT NULL,
    content_sha256    VARCHAR NOT NULL,
    extractor_version VARCHAR NOT NULL,
    run_id            VARCHAR NOT NULL
);

CREATE TABLE core.fact_mentions (
    mention_id        VARCHAR PRIMARY KEY,
    fact_id           VARCHAR NOT NULL,
    fact_type         VARCHAR NOT NULL,
    article_id        VARCHAR NOT NULL,
    article_url       VARCHAR NOT NULL,
    published_at      TIMESTAMPTZ,
    parties           VARCHAR[],
    form              VARCHAR,
    status            VARCHAR NOT NULL,
    imposer           VARCHAR,
    target            VARCHAR,
    product           VARCHAR,
    product_category  VARCHAR,
    rate_pct          DOUBLE,
    effective_date    DATE,
    company           VARCHAR,
    region            VARCHAR,
    evidence          VARCHAR NOT NULL,
    valid_from        TIMESTAMPTZ,
    extractor_version VARCHAR NOT NULL,
    run_id            VARCHAR NOT NULL
);

-- Bitemporal: valid_from/valid_to is when the state held in the world; known_from/known_to
-- is when this warehouse held the row to be true. Rows are never deleted, only closed.
CREATE TABLE core.fact_history (
    fact_id     VARCHAR NOT NULL,
    status      VARCHAR NOT NULL,
    rate_pct    DOUBLE,
    valid_from  TIMESTAMPTZ NOT NULL,
    valid_to    TIMESTAMPTZ,
    article_url VARCHAR NOT NULL,
    known_from  TIMESTAMPTZ NOT NULL,
    known_to    TIMESTAMPTZ,
    run_id      VARCHAR NOT NULL
);

CREATE TABLE core.quarantine (
    dataset             VARCHAR NOT NULL,
    run_id              VARCHAR NOT NULL,
    row_key             VARCHAR NOT NULL,
    "row"               JSON NOT NULL,
    failed_expectations VARCHAR[] NOT NULL,
    quarantined_at      TIMESTAMPTZ NOT NULL,
    released_at         TIMESTAMPTZ,
    PRIMARY KEY (dataset, run_id, row_key)
);

CREATE TABLE core.dim_company (
    name    VARCHAR PRIMARY KEY,
    aliases VARCHAR[],
    country VARCHAR,
    kind    VARCHAR
);

CREATE TABLE core.dim_place (
    name     VARCHAR PRIMARY KEY,
    code     VARCHAR,
    kind     VARCHAR,            -- country | bloc | region
    aliases  VARCHAR[],
    demonyms VARCHAR[],
    regions  VARCHAR[]           -- macro-regions a country belongs to; members for a region
);
