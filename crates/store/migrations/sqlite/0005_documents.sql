-- Documents attached to a dossier (scans received at the desk, uploads,
-- results); the content is in the file store under its SHA-256.
CREATE TABLE dossier_document (
    dossier_code TEXT NOT NULL REFERENCES dossier (code),
    sha256 TEXT NOT NULL,
    name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at TIMESTAMP NOT NULL,
    PRIMARY KEY (dossier_code, sha256)
);
