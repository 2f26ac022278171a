-- The mart macros and table macros, with their parameters and comments.
SELECT DISTINCT function_name, parameters, comment FROM duckdb_functions()
WHERE schema_name = 'mart' AND function_type IN ('macro', 'table_macro') ORDER BY function_name
