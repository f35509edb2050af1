-- Running totals of the reports (issue 7, docs/reports.md): signed counts per
-- series (receiving desk, procedure, channel) and bucket of days (grain d =
-- a day, m = a month, y = a year; bucket = its first day), maintained in the
-- same transaction as every dossier change from the difference of the
-- dossier's contributions before and after (motcua_core::report). A report
-- reads a few buckets per series, never the dossiers. On a distributed
-- PostgreSQL the table goes with the receiving unit (unit_code, last in the
-- key so that the agency prefix still serves the reports).
CREATE TABLE stat_bucket (
    agency TEXT NOT NULL,
    grain TEXT NOT NULL,
    bucket DATE NOT NULL,
    procedure_code TEXT NOT NULL,
    channel TEXT NOT NULL,
    unit_code TEXT NOT NULL,
    received BIGINT NOT NULL,
    early BIGINT NOT NULL,
    on_time BIGINT NOT NULL,
    overdue BIGINT NOT NULL,
    returned BIGINT NOT NULL,
    withdrawn BIGINT NOT NULL,
    overdue_open BIGINT NOT NULL,
    PRIMARY KEY (agency, grain, bucket, procedure_code, channel, unit_code)
);
