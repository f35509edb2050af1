-- The desk's returning-applicant lookup (the reception form fills itself
-- from the latest dossier of the same ID number at that desk) read every
-- dossier of the desk: 4 s at a commune desk of 478 thousand dossiers (10
-- million generated; docs/benchmarks.md), 5 ms with this index. Its
-- expression is the query's (dossiers.rs, `latest_applicant`), so the
-- planner uses it. It costs each reception one more index entry.
CREATE INDEX dossier_applicant ON dossier (receiving_agency, ((data::jsonb) -> 'applicant' ->> 'id_number'));
