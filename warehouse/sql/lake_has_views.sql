-- Whether the attached lake has been migrated (its views exist), so that the session macros can bind.
SELECT count(*) > 0 FROM duckdb_views() WHERE database_name = 'lake' AND schema_name = 'core' AND view_name = 'fact_identity'
