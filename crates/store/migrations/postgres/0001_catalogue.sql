-- Reference data: administrative units, agencies, procedure catalogue.
-- On a distributed PostgreSQL these are reference tables (replicated to every
-- node); dossier tables will be distributed by administrative unit.

CREATE TABLE admin_unit (
    code TEXT NOT NULL,
    valid_from DATE NOT NULL,
    valid_to DATE,
    scheme TEXT NOT NULL,
    name TEXT NOT NULL,
    name_fold TEXT NOT NULL,
    kind TEXT NOT NULL,
    level TEXT NOT NULL,
    parent_code TEXT,
    date_precision TEXT NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (code, valid_from)
);
CREATE INDEX admin_unit_parent ON admin_unit (parent_code, valid_from);

CREATE TABLE agency (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_fold TEXT NOT NULL,
    parent_code TEXT REFERENCES agency (code),
    unit_code TEXT NOT NULL,
    level TEXT NOT NULL,
    kind TEXT NOT NULL,
    desk BOOLEAN NOT NULL,
    hours TEXT NOT NULL,
    address TEXT NOT NULL,
    phone TEXT NOT NULL,
    email TEXT NOT NULL,
    valid_from DATE,
    valid_to DATE
);
CREATE INDEX agency_unit ON agency (unit_code);
CREATE INDEX agency_parent ON agency (parent_code);

CREATE TABLE procedure_version (
    code TEXT NOT NULL,
    valid_from DATE NOT NULL,
    valid_to DATE,
    version INTEGER NOT NULL,
    name TEXT NOT NULL,
    name_fold TEXT NOT NULL,
    field TEXT NOT NULL,
    field_fold TEXT NOT NULL,
    levels TEXT NOT NULL,
    online BOOLEAN NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (code, valid_from)
);
CREATE INDEX procedure_version_field ON procedure_version (field_fold);

-- Inverted index of the folded words of each version (name and other
-- published text), searched by prefix range on both engines. Byte order
-- (COLLATE "C" on PostgreSQL) keeps prefix ranges exact.
CREATE TABLE procedure_word (
    word TEXT COLLATE "C" NOT NULL,
    code TEXT NOT NULL,
    valid_from DATE NOT NULL,
    in_name BOOLEAN NOT NULL,
    PRIMARY KEY (word, code, valid_from),
    FOREIGN KEY (code, valid_from) REFERENCES procedure_version (code, valid_from) ON DELETE CASCADE
);
CREATE INDEX procedure_word_version ON procedure_word (code, valid_from);
