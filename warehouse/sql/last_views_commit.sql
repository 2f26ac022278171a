-- The commit message of the latest DuckLake snapshot that created the views ('views <digest>').
SELECT commit_message
FROM ducklake_snapshots($catalog)
WHERE author = 'newsledger' AND starts_with(commit_message, 'views ')
ORDER BY snapshot_id DESC
LIMIT 1
