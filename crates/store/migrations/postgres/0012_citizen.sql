-- Optional citizen accounts of the portal (docs/portal.md §Citizen account):
-- an account is an e-mail address proven by a one-time sign-in link; no
-- password is kept. Small tables; on a distributed PostgreSQL, reference
-- tables keyed by their hashes (citizen_dossier by e-mail).

-- A sign-in link sent by e-mail: the link holds a random secret, the table
-- only its SHA-256; used once, within its lifetime.
CREATE TABLE citizen_login (
    token_hash TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ
);
CREATE INDEX citizen_login_email ON citizen_login (email, created_at);

-- A signed-in browser of a citizen (cookie secret hashed, like web_session).
CREATE TABLE citizen_session (
    id_hash TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    csrf TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);

-- The dossiers an account follows: submitted online while signed in, or
-- added with the code and the applicant's ID number.
CREATE TABLE citizen_dossier (
    email TEXT NOT NULL,
    dossier_code TEXT NOT NULL,
    added_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (email, dossier_code)
);
