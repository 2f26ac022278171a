-- Where the mart table macros of a DuckLake session live: memory.mart, an in-memory schema of
-- the session (see warehouse.db._create_session_macros). With this search path mart.<view>
-- is found in the lake and mart.<macro> in memory. Needs the lake's mart schema.
CREATE SCHEMA IF NOT EXISTS memory.mart;
SET search_path = 'lake.main,lake.mart,memory.mart';
