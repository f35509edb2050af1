-- Why overdue dossiers ran late (issue 7 §2, docs/reports.md §Causes): one
-- row per dossier resolved after its due moment, written in the transaction
-- that resolved it (or imported it), from its last apology's reason and its
-- control sheet (motcua_core::causes). A causes report reads the rows of
-- its desks and period only. On a distributed PostgreSQL it goes with the
-- receiving unit, like the dossier.
CREATE TABLE overdue_cause (
    dossier_code TEXT PRIMARY KEY,
    agency TEXT NOT NULL,
    unit_code TEXT NOT NULL,
    procedure_code TEXT NOT NULL,
    finished_at TIMESTAMP NOT NULL,
    reason TEXT NOT NULL,
    step TEXT NOT NULL,
    step_agency TEXT NOT NULL,
    lost_minutes BIGINT NOT NULL
);
CREATE INDEX overdue_cause_agency ON overdue_cause (agency, finished_at);
