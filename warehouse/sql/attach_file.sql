-- Attach the warehouse file for writing as the session's default catalog {alias}, with
-- new row groups of {row_group_size} rows (warehouse.db.ROW_GROUP_SIZE, 4,096): a checkpoint
-- rewrites the row group a load appended to, so this bounds a load's memory. ATTACH takes no
-- bound parameters: {path} is replaced by the file's path quoted as an SQL string literal,
-- {row_group_size} by the integer, {alias} by warehouse.db.WRITE_ALIAS.
ATTACH {path} AS {alias} (ROW_GROUP_SIZE {row_group_size});
USE {alias}.main;
