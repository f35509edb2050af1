-- Transactional outbox of notifications: written in the same transaction as
-- the dossier event that causes it (id = dossier code / event version, so an
-- event enqueues at most one message), delivered by a background worker.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    dossier_code TEXT NOT NULL,
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    sent_at TIMESTAMPTZ,
    last_error TEXT
);
CREATE INDEX outbox_pending ON outbox (sent_at, next_attempt_at);
