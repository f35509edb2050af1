-- Federation, the sender's side and shared dossiers (issue 8,
-- docs/federation.md). A peer may host agencies (a dossier transferred to
-- one of them goes to that installation) or be an upper level that takes
-- the status feed. Messages to peers are written to peer_outbox in the
-- transaction of the change that causes them, numbered per peer (out_seq)
-- and signed; a worker delivers them in order with retries. dossier_peer
-- records which installations hold a copy of a dossier and up to which
-- version they were sent; dossier.home names the installation where a
-- copy's dossier was received (NULL: here). feed_dossier is the upper
-- level's latest status record of each dossier under it.

ALTER TABLE peer ADD COLUMN upstream INTEGER NOT NULL DEFAULT 0;
ALTER TABLE peer ADD COLUMN out_seq BIGINT NOT NULL DEFAULT 0;

CREATE TABLE peer_agency (
    agency_code TEXT PRIMARY KEY,
    peer TEXT NOT NULL
);

CREATE TABLE peer_outbox (
    peer TEXT NOT NULL,
    seq BIGINT NOT NULL,
    message_id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    dossier_code TEXT,
    body TEXT NOT NULL,
    signature TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    last_error TEXT,
    delivered_at TIMESTAMPTZ,
    dead_at TIMESTAMPTZ,
    PRIMARY KEY (peer, seq)
);
CREATE INDEX peer_outbox_pending ON peer_outbox (peer, delivered_at, seq);

CREATE TABLE dossier_peer (
    dossier_code TEXT NOT NULL,
    peer TEXT NOT NULL,
    sent_version BIGINT NOT NULL,
    sent_docs TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (dossier_code, peer)
);

ALTER TABLE dossier ADD COLUMN home TEXT;

CREATE TABLE feed_dossier (
    code TEXT PRIMARY KEY,
    installation TEXT NOT NULL,
    unit_code TEXT NOT NULL,
    agency TEXT NOT NULL,
    procedure_code TEXT NOT NULL,
    channel TEXT NOT NULL,
    state TEXT NOT NULL,
    received_at TIMESTAMPTZ,
    due_at TIMESTAMPTZ,
    version BIGINT NOT NULL,
    record TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX feed_dossier_agency ON feed_dossier (agency, state);
