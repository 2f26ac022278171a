-- Every fact with a mention or an open history row: the scope of a full history re-cut.
CREATE OR REPLACE TEMP TABLE history_scope AS
SELECT fact_id FROM core.fact_mentions
UNION
SELECT fact_id FROM core.fact_history WHERE known_to IS NULL
