-- An event's JSON is stored packed (zstd with a dictionary trained on
-- events; crates/store/src/event_codec.rs): the column holds bytes. Rows
-- written before keep their text, as UTF-8 bytes (read as they are: they
-- start with `{`). What the hash covers is still the JSON text.
ALTER TABLE dossier_event ALTER COLUMN data TYPE BYTEA USING convert_to(data, 'UTF8');
