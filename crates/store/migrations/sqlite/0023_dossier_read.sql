-- Who opened a dossier's personal data (issue 18.4): every read by an
-- officer (who, their agency, when, which page or API call, for which
-- action), shown to the applicant on the portal. Append-only: the
-- application never updates or deletes a row, and the database refuses to.
CREATE TABLE dossier_read (
    unit_code TEXT NOT NULL,
    id TEXT NOT NULL,
    dossier_code TEXT NOT NULL,
    username TEXT NOT NULL,
    agency_code TEXT NOT NULL,
    at TIMESTAMP NOT NULL,
    via TEXT NOT NULL,
    purpose TEXT,
    PRIMARY KEY (unit_code, id)
);
CREATE INDEX dossier_read_by_dossier ON dossier_read (dossier_code, at);

CREATE TRIGGER dossier_read_no_update BEFORE UPDATE ON dossier_read
BEGIN
    SELECT RAISE(ABORT, 'dossier_read is append-only');
END;
CREATE TRIGGER dossier_read_no_delete BEFORE DELETE ON dossier_read
BEGIN
    SELECT RAISE(ABORT, 'dossier_read is append-only');
END;
