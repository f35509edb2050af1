-- SQLite-only: the one-statement write path of dossiers (views with
-- INSTEAD OF triggers, see the SQLite folder). PostgreSQL writes dossiers
-- statement by statement in a transaction (crates/store/src/dossiers.rs);
-- this migration keeps the two folders numbered alike.
SELECT 1;
