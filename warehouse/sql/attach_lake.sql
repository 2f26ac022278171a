-- Attach a DuckLake (created when new) as the session's default catalog `lake`, so that the
-- migrations, views and loads written for a DuckDB file apply unchanged. ATTACH takes no
-- bound parameters: the catalog and data path reach it through a session-scoped secret
-- built from the variables newsledger_catalog and newsledger_data_path.
CREATE OR REPLACE TEMPORARY SECRET newsledger_lake (
    TYPE ducklake,
    METADATA_PATH getvariable('newsledger_catalog'),
    DATA_PATH getvariable('newsledger_data_path')
);
ATTACH 'ducklake:newsledger_lake' AS lake;
USE lake;
