-- An installation's own wording of the notices to applicants, by action
-- (docs/notifications.md). Without a row, the built-in text is used.
CREATE TABLE notice_template (
    action TEXT PRIMARY KEY,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    sms TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
