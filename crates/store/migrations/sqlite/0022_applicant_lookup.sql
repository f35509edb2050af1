-- The desk's returning-applicant lookup (the reception form fills itself
-- from the latest dossier of the same ID number at that desk) read every
-- dossier of the desk: 4 s at a commune desk of 478 thousand dossiers
-- (PostgreSQL, 10 million generated; docs/benchmarks.md). An index on the
-- same expression as the query's (dossiers.rs, `latest_applicant`) makes
-- it one index probe. It costs each reception one more index entry.
CREATE INDEX dossier_applicant ON dossier (receiving_agency, json_extract(data, '$.applicant.id_number'));
