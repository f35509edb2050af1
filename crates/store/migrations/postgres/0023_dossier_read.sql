-- Who opened a dossier's personal data (issue 18.4): every read by an
-- officer (who, their agency, when, which page or API call, for which
-- action), shown to the applicant on the portal. Append-only: the
-- application never updates or deletes a row, and the database refuses to.
-- Distributed by the dossier's receiving unit, beside the dossier.
CREATE TABLE dossier_read (
    unit_code TEXT NOT NULL,
    id TEXT NOT NULL,
    dossier_code TEXT NOT NULL,
    username TEXT NOT NULL,
    agency_code TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    via TEXT NOT NULL,
    purpose TEXT,
    PRIMARY KEY (unit_code, id)
);
CREATE INDEX dossier_read_by_dossier ON dossier_read (dossier_code, at);

CREATE FUNCTION motcua_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER dossier_read_append_only BEFORE UPDATE OR DELETE ON dossier_read
    FOR EACH ROW EXECUTE FUNCTION motcua_append_only();
