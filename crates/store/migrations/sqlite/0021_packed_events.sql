-- An event's JSON is stored packed (zstd with a dictionary trained on
-- events; crates/store/src/event_codec.rs). SQLite keeps a BLOB as it is in
-- the TEXT-declared `data` column (a column's affinity never converts a
-- BLOB), so nothing changes here: new rows hold BLOBs, rows written before
-- keep their text (read as they are: they start with `{`). What the hash
-- covers is still the JSON text. (PostgreSQL's column becomes BYTEA.)
SELECT 1;
