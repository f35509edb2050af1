-- The portal's total of visits (docs/portal.md): one row, increased by the
-- visits each server counted since its last write (at most a second ago).
CREATE TABLE visit_counter (
    id INTEGER PRIMARY KEY,
    total BIGINT NOT NULL
);
INSERT INTO visit_counter (id, total) VALUES (1, 0);
