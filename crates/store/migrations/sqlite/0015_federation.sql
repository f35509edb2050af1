-- Federation between installations (issue 8, docs/federation.md): this
-- installation's name and ed25519 key pair, its peers, and the messages
-- received from each (applied once, in the sender's order). Small tables;
-- reference tables on a distributed PostgreSQL.

CREATE TABLE installation_key (
    id TEXT PRIMARY KEY,
    installation TEXT NOT NULL,
    secret_hex TEXT NOT NULL,
    public_hex TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE peer (
    installation TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    public_hex TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- Every message applied, by sender and sequence; the id is unique so that
-- a message replayed under another number is refused as well.
CREATE TABLE peer_inbox (
    peer TEXT NOT NULL,
    seq BIGINT NOT NULL,
    message_id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    dossier_code TEXT,
    body TEXT NOT NULL,
    received_at TIMESTAMP NOT NULL,
    PRIMARY KEY (peer, seq)
);
