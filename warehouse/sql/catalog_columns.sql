-- The columns of the mart views, in column order, with their types and comments.
SELECT table_name, column_name, data_type, comment FROM duckdb_columns()
WHERE schema_name = 'mart' ORDER BY table_name, column_index
