-- The mart views and their comments, for the data dictionary.
SELECT view_name, comment FROM duckdb_views() WHERE schema_name = 'mart' AND NOT internal
ORDER BY view_name
