-- The staff workspace: sign-in state on users, web sessions, and the
-- dossier's assignee as a column so that "assigned to me" is an index scan.
-- On a distributed PostgreSQL, web_session is a small reference table keyed
-- by its hash; dossier keeps its distribution column (unit_code).

ALTER TABLE app_user ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE app_user ADD COLUMN locked_until TIMESTAMPTZ;
ALTER TABLE app_user ADD COLUMN password_set_at TIMESTAMPTZ;
ALTER TABLE app_user ADD COLUMN active BOOLEAN NOT NULL DEFAULT TRUE;

-- A signed-in browser: the cookie holds a random secret, the table only its
-- SHA-256; csrf is the form token of the session.
CREATE TABLE web_session (
    id_hash TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES app_user (username),
    csrf TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX web_session_user ON web_session (username);

ALTER TABLE dossier ADD COLUMN assignee TEXT;
UPDATE dossier SET assignee = (data::jsonb) ->> 'assignee';
CREATE INDEX dossier_assignee ON dossier (assignee, state);
CREATE INDEX dossier_current_due ON dossier (current_agency, due_at);
