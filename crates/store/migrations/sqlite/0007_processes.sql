-- Internal processes (quy trình nội bộ) as data: per procedure, for every
-- agency ('') or one agency, versioned by the day they apply from.
-- A small reference table on a distributed PostgreSQL.
CREATE TABLE process_version (
    procedure_code TEXT NOT NULL,
    agency_code TEXT NOT NULL,
    valid_from DATE NOT NULL,
    steps TEXT NOT NULL,
    note TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (procedure_code, agency_code, valid_from)
);
