-- As attach_lake.sql, read-only: nothing is written to the lake, no snapshot is made.
CREATE OR REPLACE TEMPORARY SECRET newsledger_lake (
    TYPE ducklake,
    METADATA_PATH getvariable('newsledger_catalog'),
    DATA_PATH getvariable('newsledger_data_path')
);
ATTACH 'ducklake:newsledger_lake' AS lake (READ_ONLY);
USE lake;
