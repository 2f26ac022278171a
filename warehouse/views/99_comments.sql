-- The data dictionary: a comment on every mart view, macro and column (units, vocabularies,
-- what NULL means). Applied after the views, since CREATE OR REPLACE VIEW drops comments.
-- Times are TIMESTAMPTZ in UTC. Fact vocabularies: see warehouse/reference/README.md and the
-- comments of mart.fact_mentions.

-- mart.articles ------------------------------------------------------------------------
COMMENT ON VIEW mart.articles IS 'One row per news article loaded (latest extraction of its URL).';
COMMENT ON COLUMN mart.articles.article_id IS 'Article key: first 16 hex digits of sha1(url).';
COMMENT ON COLUMN mart.articles.url IS 'URL the article was fetched from (after discovery, before redirects).';
COMMENT ON COLUMN mart.articles.title IS 'Headline as extracted from the page.';
COMMENT ON COLUMN mart.articles.outlet IS 'Publishing outlet''s name; NULL when the page names none.';
COMMENT ON COLUMN mart.articles.author IS 'Byline; NULL when the page gives none.';
COMMENT ON COLUMN mart.articles.published_at IS 'Publication time (UTC); NULL when no source gave a date.';
COMMENT ON COLUMN mart.articles.published_source IS 'Where published_at came from: jsonld | meta | time | url | text (the page) or feed | sitemap (the discovery source).';
COMMENT ON COLUMN mart.articles.language IS 'ISO 639-1 language code of the text (only en is loaded).';
COMMENT ON COLUMN mart.articles.text IS 'Main text extracted by trafilatura.';
COMMENT ON COLUMN mart.articles.canonical_url IS 'The page''s rel=canonical URL; NULL when it declares none.';
COMMENT ON COLUMN mart.articles.content_sha256 IS 'SHA-256 (hex) of the fetched body; the archive file under newsledger-data/archive/ is named by it.';
COMMENT ON COLUMN mart.articles.extractor_version IS 'Version of the extraction rules that produced this row and its facts.';
COMMENT ON COLUMN mart.articles.run_id IS 'Run that loaded this version of the article (mart.runs.run_id).';

-- mart.fact_mentions -------------------------------------------------------------------
COMMENT ON VIEW mart.fact_mentions IS 'One row per fact stated in one article, as extracted (before merging across articles).';
COMMENT ON COLUMN mart.fact_mentions.mention_id IS 'Mention key: 16 hex digits of sha1(article url, fact identity, status, rate, ...).';
COMMENT ON COLUMN mart.fact_mentions.fact_id IS 'Fact key shared by every mention of the same fact (mart.facts.fact_id): sha1 of the fact identity (partnership: sorted parties; tariff: imposer, target, product category, company; expansion: company, region, form).';
COMMENT ON COLUMN mart.fact_mentions.fact_type IS 'partnership | tariff | expansion.';
COMMENT ON COLUMN mart.fact_mentions.article_url IS 'URL of the article that states the fact (mart.articles.url).';
COMMENT ON COLUMN mart.fact_mentions.published_at IS 'Publication time (UTC) of that article; NULL when unknown.';
COMMENT ON COLUMN mart.fact_mentions.parties IS 'Partnership: the companies, canonical short names (Ford, CATL); NULL for other fact types.';
COMMENT ON COLUMN mart.fact_mentions.form IS 'Partnership: joint_venture | licensing | supply | investment | collaboration | merger. Expansion: sales | production. NULL for tariffs.';
COMMENT ON COLUMN mart.fact_mentions.status IS 'As stated in the article. Partnership: reported | negotiating | agreed | ended | denied. Tariff: proposed | in_effect | lifted. Expansion: planned | active | cancelled.';
COMMENT ON COLUMN mart.fact_mentions.imposer IS 'Tariff: the country or bloc imposing it (United States, European Union); NULL for other fact types.';
COMMENT ON COLUMN mart.fact_mentions.target IS 'Tariff: the country or bloc whose goods it hits; NULL when it applies to all origins (and for other fact types).';
COMMENT ON COLUMN mart.fact_mentions.product IS 'Tariff: the goods as the article names them; NULL when unstated.';
COMMENT ON COLUMN mart.fact_mentions.rate_pct IS 'Tariff: rate in percent as stated (35.3 means 35.3 %); NULL when no rate is stated.';
COMMENT ON COLUMN mart.fact_mentions.effective_date IS 'Tariff: date the rate took or takes effect; NULL when the article gives none.';
COMMENT ON COLUMN mart.fact_mentions.company IS 'Expansion: the expanding company. Tariff: the company a company-specific rate applies to. NULL otherwise.';
COMMENT ON COLUMN mart.fact_mentions.region IS 'Expansion: the country or macro-region (Europe, Southeast Asia, ...) entered; NULL for other fact types.';
COMMENT ON COLUMN mart.fact_mentions.evidence IS 'The sentence (or title) of the article that states the fact, verbatim.';
COMMENT ON COLUMN mart.fact_mentions.extractor_version IS 'Version of the extraction rules that found the mention.';
COMMENT ON COLUMN mart.fact_mentions.product_category IS 'Tariff: product category used in the fact identity (electric vehicles, batteries, semiconductors, solar, steel and aluminum, critical minerals, vehicles, else the product lower-cased; goods when unstated). NULL for other fact types.';
COMMENT ON COLUMN mart.fact_mentions.valid_from IS 'When the stated state began, when the article gives a date (UTC); NULL means from publication.';
COMMENT ON COLUMN mart.fact_mentions.article_id IS 'Article key (mart.articles.article_id).';
COMMENT ON COLUMN mart.fact_mentions.run_id IS 'Run that loaded the mention (mart.runs.run_id).';

-- mart.fact_history --------------------------------------------------------------------
COMMENT ON VIEW mart.fact_history IS 'Each fact''s states over valid time (SCD type 2), as the warehouse knows them now. For earlier knowledge use mart.facts_as_of.';
COMMENT ON COLUMN mart.fact_history.fact_id IS 'Fact key (mart.facts.fact_id).';
COMMENT ON COLUMN mart.fact_history.status IS 'The fact''s status during [valid_from, valid_to); vocabulary as mart.fact_mentions.status.';
COMMENT ON COLUMN mart.fact_history.rate_pct IS 'Tariff rate in percent during the interval; NULL for other fact types or when unstated.';
COMMENT ON COLUMN mart.fact_history.valid_from IS 'Start of the state in the world (UTC): the date the article gives, else its publication time.';
COMMENT ON COLUMN mart.fact_history.valid_to IS 'End of the state (exclusive, UTC), the start of the next state; NULL = current.';
COMMENT ON COLUMN mart.fact_history.recorded_at IS 'When the warehouse recorded this row (same as known_from).';
COMMENT ON COLUMN mart.fact_history.article_url IS 'Article that first stated this state.';
COMMENT ON COLUMN mart.fact_history.known_from IS 'Known time: end of the run that recorded the row (UTC).';
COMMENT ON COLUMN mart.fact_history.known_to IS 'Known time: when a later run superseded the row; always NULL in this view (rows known now).';
COMMENT ON COLUMN mart.fact_history.run_id IS 'Run that recorded the row (mart.runs.run_id).';

-- mart.facts ---------------------------------------------------------------------------
COMMENT ON VIEW mart.facts IS 'One row per fact merged across articles, with its current state.';
COMMENT ON COLUMN mart.facts.fact_id IS 'Fact key: 16 hex digits of sha1 of its identity (partnership: sorted parties; tariff: imposer, target, product category, company; expansion: company, region, form).';
COMMENT ON COLUMN mart.facts.fact_type IS 'partnership | tariff | expansion.';
COMMENT ON COLUMN mart.facts.parties IS 'Partnership: the companies, canonical short names; NULL for other fact types.';
COMMENT ON COLUMN mart.facts.form IS 'Partnership: the most specific form stated (joint_venture | licensing | supply | investment | merger, else collaboration). Expansion: sales | production. NULL for tariffs.';
COMMENT ON COLUMN mart.facts.imposer IS 'Tariff: the imposing country or bloc; NULL for other fact types.';
COMMENT ON COLUMN mart.facts.target IS 'Tariff: the country or bloc whose goods are hit; NULL = all origins (or not a tariff).';
COMMENT ON COLUMN mart.facts.product IS 'Tariff: product category (electric vehicles, batteries, semiconductors, solar, steel and aluminum, critical minerals, vehicles; goods when unstated); NULL for other fact types.';
COMMENT ON COLUMN mart.facts.company IS 'Expansion: the expanding company. Tariff: the company a company-specific rate applies to. NULL otherwise.';
COMMENT ON COLUMN mart.facts.region IS 'Expansion: country or macro-region; NULL for other fact types.';
COMMENT ON COLUMN mart.facts.status IS 'Current status (from mart.fact_history); NULL when no mention is dated. Partnership: reported | negotiating | agreed | ended | denied. Tariff: proposed | in_effect | lifted. Expansion: planned | active | cancelled.';
COMMENT ON COLUMN mart.facts.rate_pct IS 'Current tariff rate in percent; NULL when unstated or not a tariff.';
COMMENT ON COLUMN mart.facts.valid_from IS 'Since when the current status holds (UTC).';
COMMENT ON COLUMN mart.facts.first_seen IS 'Publication time of the earliest article stating the fact (UTC).';
COMMENT ON COLUMN mart.facts.last_seen IS 'Publication time of the latest article stating the fact (UTC).';
COMMENT ON COLUMN mart.facts.n_articles IS 'Number of distinct articles stating the fact.';
COMMENT ON COLUMN mart.facts.n_sources IS 'Number of distinct outlets stating the fact (an article without outlet counts as its own source).';

-- mart.fact_evidence -------------------------------------------------------------------
COMMENT ON VIEW mart.fact_evidence IS 'Each fact''s evidence: one row per article sentence that states it, with the article''s URL, title, outlet and date.';
COMMENT ON COLUMN mart.fact_evidence.fact_id IS 'Fact key (mart.facts.fact_id).';
COMMENT ON COLUMN mart.fact_evidence.fact_type IS 'partnership | tariff | expansion.';
COMMENT ON COLUMN mart.fact_evidence.status IS 'Status as this article states it (vocabulary as mart.fact_mentions.status).';
COMMENT ON COLUMN mart.fact_evidence.rate_pct IS 'Tariff rate in percent as this article states it; NULL when unstated or not a tariff.';
COMMENT ON COLUMN mart.fact_evidence.evidence IS 'The sentence (or title) stating the fact, verbatim.';
COMMENT ON COLUMN mart.fact_evidence.article_url IS 'URL of the article.';
COMMENT ON COLUMN mart.fact_evidence.title IS 'Headline of the article; NULL if the article row is missing.';
COMMENT ON COLUMN mart.fact_evidence.outlet IS 'Outlet of the article; NULL when unknown.';
COMMENT ON COLUMN mart.fact_evidence.published_at IS 'Publication time of the article (UTC); NULL when unknown.';
COMMENT ON COLUMN mart.fact_evidence.mention_id IS 'Mention key (mart.fact_mentions.mention_id).';
COMMENT ON COLUMN mart.fact_evidence.article_id IS 'Article key (mart.articles.article_id).';

-- operations ---------------------------------------------------------------------------
COMMENT ON VIEW mart.fetch_log IS 'Every URL attempted by every run (feeds, sitemaps and articles), with its outcome.';
COMMENT ON COLUMN mart.fetch_log.url IS 'URL requested.';
COMMENT ON COLUMN mart.fetch_log.run_id IS 'Run that attempted it (mart.runs.run_id).';
COMMENT ON COLUMN mart.fetch_log.fetched_at IS 'When the request was made (UTC).';
COMMENT ON COLUMN mart.fetch_log.http_status IS 'HTTP status code (304 = not modified); NULL when no response came (network error, robots.txt refusal).';
COMMENT ON COLUMN mart.fetch_log.bytes IS 'Size of the response body in bytes (0 when none).';
COMMENT ON COLUMN mart.fetch_log.duration_ms IS 'Time the request took, in milliseconds; NULL when not timed.';
COMMENT ON COLUMN mart.fetch_log.error IS 'Why the URL failed or was skipped, in words; NULL when loaded without remark.';
COMMENT ON COLUMN mart.fetch_log.outcome IS 'loaded | unchanged | duplicate | near_duplicate | not_article | non_english | disallowed | failed | gave_up | out_of_window | source (a feed or sitemap).';
COMMENT ON COLUMN mart.fetch_log.final_url IS 'URL after redirects; NULL when no response came.';

COMMENT ON VIEW mart.runs IS 'One row per pipeline run.';
COMMENT ON COLUMN mart.runs.run_id IS 'Run key: <kind>-<start time>-<random>; names the run''s report folder <reports>/<run_id>/.';
COMMENT ON COLUMN mart.runs.kind IS 'nightly | backfill | reprocess | demo.';
COMMENT ON COLUMN mart.runs.started_at IS 'When the run started (UTC).';
COMMENT ON COLUMN mart.runs.ended_at IS 'When the run''s load ended (UTC); it is the known time of the facts it recorded. NULL if it never ended.';
COMMENT ON COLUMN mart.runs.outcome IS 'completed | failed.';
COMMENT ON COLUMN mart.runs.error IS 'Why the run failed; NULL when completed.';
COMMENT ON COLUMN mart.runs.parameters IS 'JSON object of the run''s parameters (since, until: backfill window dates or null; db: warehouse path).';
COMMENT ON COLUMN mart.runs.counts IS 'JSON object of counts: discovered, in_window, fetched, not_modified, outcome_<fetch_log outcome> (URLs per outcome), articles, facts (mentions loaded).';

COMMENT ON VIEW mart.quarantine IS 'Rows that failed validation (Great Expectations) and were held back from the load.';
COMMENT ON COLUMN mart.quarantine.dataset IS 'Dataset the row belongs to (articles, fact_mentions).';
COMMENT ON COLUMN mart.quarantine.run_id IS 'Run that quarantined the row (mart.runs.run_id).';
COMMENT ON COLUMN mart.quarantine.row IS 'The row as JSON.';
COMMENT ON COLUMN mart.quarantine.failed_expectations IS 'Names of the expectations the row failed.';
COMMENT ON COLUMN mart.quarantine.quarantined_at IS 'When it was quarantined (UTC).';
COMMENT ON COLUMN mart.quarantine.released_at IS 'When the row was released from quarantine (UTC); NULL = still held.';
COMMENT ON COLUMN mart.quarantine.row_key IS 'The row''s key in its dataset, or #<row number> when the key is NULL.';

-- time-travel macros -------------------------------------------------------------------
COMMENT ON MACRO TABLE mart.fact_timeline IS 'fact_timeline(known_at := now()): every state of every fact over valid time, as the warehouse knew it at known_at (what mart.fact_history showed then). Columns as mart.facts_as_of, ordered by fact_type, fact_id, valid_from. Example: SELECT * FROM mart.fact_timeline(known_at := (SELECT ended_at FROM mart.runs ORDER BY started_at LIMIT 1)).';
COMMENT ON MACRO TABLE mart.facts_as_of IS 'facts_as_of(valid_at, known_at := now()): every fact with the state it had at valid_at (a TIMESTAMPTZ, DATE or ISO string; a date means its midnight UTC), according to what the warehouse knew at known_at. Columns: fact_id, fact_type, parties, form, imposer, target, product, company, region (as in mart.facts; NULL when no current article states the fact any more), status, rate_pct, valid_from, valid_to (the state''s interval; valid_to NULL = open). Facts with no state yet at valid_at, or not yet recorded at known_at, are absent. Example: SELECT * FROM mart.facts_as_of(DATE ''2024-12-20'', known_at := TIMESTAMPTZ ''2025-01-01 00:00Z'').';
COMMENT ON MACRO TABLE mart.tariffs_in_force IS 'tariffs_in_force(on_date): tariffs in effect on the calendar day on_date (UTC), as known now: status in_effect from that day or earlier and not ended before the next day. Columns as mart.facts_as_of; rate_pct in percent, target NULL = all origins. Example: SELECT imposer, target, product, rate_pct FROM mart.tariffs_in_force(DATE ''2024-10-15'').';
COMMENT ON MACRO TABLE mart.partnership_timeline IS 'partnership_timeline(company): every state over valid time (as known now) of the partnerships whose parties include company (canonical name or alias, any case), ordered by parties, form and valid_from. Columns as mart.facts_as_of; valid_to NULL = current state. Example: SELECT status, valid_from, valid_to FROM mart.partnership_timeline(''Nissan'').';
COMMENT ON MACRO TABLE mart.expansions IS 'expansions(company := NULL, region := NULL): expansion facts in their current state, optionally of one company (name or alias, any case) and in one place. A macro-region or bloc (name, alias or code) also finds facts about the countries inside it (core.dim_place): region := ''Europe'' finds BYD in Hungary. NULL = any. Columns as mart.facts_as_of; form sales | production; status planned | active | cancelled. Example: SELECT * FROM mart.expansions(region := ''Southeast Asia'').';

COMMENT ON VIEW core.fact_identity IS 'One row per fact: its identifying fields as mart.facts derives them (used by the mart macros).';
