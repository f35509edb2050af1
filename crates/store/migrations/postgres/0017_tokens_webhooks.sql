-- Machine access (issue 8 §4, docs/federation.md): API tokens limited to
-- scopes (NULL: every right of the user), and webhooks to third parties
-- (payment, SMS providers…): each dossier change recorded here queues one
-- delivery per matching webhook, in the same transaction; a worker posts
-- them signed (HMAC-SHA256 under the webhook's secret) with retries.

ALTER TABLE api_token ADD COLUMN scopes TEXT;

CREATE TABLE webhook (
    name TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    -- Space-separated action names, or '*' for every change.
    events TEXT NOT NULL,
    -- Only dossiers received at or held by this agency (NULL: all).
    agency TEXT,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE webhook_outbox (
    id TEXT PRIMARY KEY,
    webhook TEXT NOT NULL,
    event TEXT NOT NULL,
    dossier_code TEXT,
    body TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    last_error TEXT,
    delivered_at TIMESTAMPTZ,
    dead_at TIMESTAMPTZ
);
CREATE INDEX webhook_outbox_pending ON webhook_outbox (delivered_at, next_attempt_at);
