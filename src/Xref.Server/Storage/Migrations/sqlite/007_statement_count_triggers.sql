-- PostgreSQL only: its count triggers become statement-level (see postgres/007). SQLite keeps its row triggers,
-- which run in-process and cost no round trip. The file keeps the two dialects' migration numbers in step.
SELECT 1;
