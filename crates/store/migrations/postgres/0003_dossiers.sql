-- Users, API tokens, dossiers and their hash-chained events, idempotency.
-- On a distributed PostgreSQL, dossier, dossier_event and dossier_counter are
-- distributed by the receiving agency's administrative unit (unit_code);
-- app_user and api_token are small reference tables.

CREATE TABLE app_user (
    username TEXT PRIMARY KEY,
    full_name TEXT NOT NULL,
    agency_code TEXT NOT NULL REFERENCES agency (code),
    roles TEXT NOT NULL,
    password_hash TEXT,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE api_token (
    token_hash TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES app_user (username),
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX api_token_user ON api_token (username);

-- Daily sequence of dossier codes per receiving agency (Circular 01/2018 Art 19).
CREATE TABLE dossier_counter (
    agency_code TEXT NOT NULL,
    day DATE NOT NULL,
    last_seq BIGINT NOT NULL,
    PRIMARY KEY (agency_code, day)
);

CREATE TABLE dossier (
    code TEXT PRIMARY KEY,
    unit_code TEXT NOT NULL,
    receiving_agency TEXT NOT NULL,
    current_agency TEXT NOT NULL,
    procedure_code TEXT NOT NULL,
    state TEXT NOT NULL,
    channel TEXT NOT NULL,
    received_at TIMESTAMPTZ,
    due_at TIMESTAMPTZ,
    version BIGINT NOT NULL,
    last_hash TEXT NOT NULL,
    data TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX dossier_receiving ON dossier (receiving_agency, state);
CREATE INDEX dossier_current ON dossier (current_agency, state);

-- Append-only; hash = sha256(prev_hash || "\n" || data).
CREATE TABLE dossier_event (
    dossier_code TEXT NOT NULL REFERENCES dossier (code),
    version BIGINT NOT NULL,
    action TEXT NOT NULL,
    to_state TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    data TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (dossier_code, version)
);

-- The first answer to a POST with an Idempotency-Key, per user.
CREATE TABLE idempotency (
    username TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (username, idem_key)
);
