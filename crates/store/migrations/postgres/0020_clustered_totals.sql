-- SQLite only (WITHOUT ROWID tables for the report totals and code
-- counters); PostgreSQL's tables are unchanged. Kept so both engines' migrations
-- carry the same numbers.
SELECT 1;
