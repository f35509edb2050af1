-- Distribution keys (issue 4; docs/ARCHITECTURE.md, Scale-out). On a
-- distributed PostgreSQL (Citus) the tables that go with a dossier are
-- distributed by its receiving unit (unit_code) and colocated, so that a
-- dossier's rows live on one node; the distribution column must then be in
-- every primary and unique key and in the foreign keys between them
-- (motcua_store::distribution lists every table's placement; a test checks
-- these keys against it). A dossier code names its receiving agency, whose
-- unit is fixed, so (unit_code, code) is as unique as the code was.
-- Lookups by code alone keep an index of their own.

ALTER TABLE dossier_event DROP CONSTRAINT dossier_event_dossier_code_fkey;
ALTER TABLE dossier_document DROP CONSTRAINT dossier_document_dossier_code_fkey;
ALTER TABLE dossier DROP CONSTRAINT dossier_pkey;
ALTER TABLE dossier ADD PRIMARY KEY (unit_code, code);
CREATE INDEX dossier_by_code ON dossier (code);

ALTER TABLE dossier_event ADD COLUMN unit_code TEXT;
UPDATE dossier_event e SET unit_code = d.unit_code FROM dossier d WHERE d.code = e.dossier_code;
ALTER TABLE dossier_event ALTER COLUMN unit_code SET NOT NULL;
ALTER TABLE dossier_event DROP CONSTRAINT dossier_event_pkey;
ALTER TABLE dossier_event ADD PRIMARY KEY (unit_code, dossier_code, version);
ALTER TABLE dossier_event ADD FOREIGN KEY (unit_code, dossier_code) REFERENCES dossier (unit_code, code);
CREATE INDEX dossier_event_by_code ON dossier_event (dossier_code, version);

ALTER TABLE dossier_document ADD COLUMN unit_code TEXT;
UPDATE dossier_document x SET unit_code = d.unit_code FROM dossier d WHERE d.code = x.dossier_code;
ALTER TABLE dossier_document ALTER COLUMN unit_code SET NOT NULL;
ALTER TABLE dossier_document DROP CONSTRAINT dossier_document_pkey;
ALTER TABLE dossier_document ADD PRIMARY KEY (unit_code, dossier_code, sha256);
ALTER TABLE dossier_document ADD FOREIGN KEY (unit_code, dossier_code) REFERENCES dossier (unit_code, code);
CREATE INDEX dossier_document_by_code ON dossier_document (dossier_code);

ALTER TABLE dossier_peer ADD COLUMN unit_code TEXT;
UPDATE dossier_peer x SET unit_code = d.unit_code FROM dossier d WHERE d.code = x.dossier_code;
ALTER TABLE dossier_peer ALTER COLUMN unit_code SET NOT NULL;
ALTER TABLE dossier_peer DROP CONSTRAINT dossier_peer_pkey;
ALTER TABLE dossier_peer ADD PRIMARY KEY (unit_code, dossier_code, peer);
CREATE INDEX dossier_peer_by_code ON dossier_peer (dossier_code);

ALTER TABLE overdue_cause DROP CONSTRAINT overdue_cause_pkey;
ALTER TABLE overdue_cause ADD PRIMARY KEY (unit_code, dossier_code);
CREATE INDEX overdue_cause_by_code ON overdue_cause (dossier_code);

ALTER TABLE satisfaction DROP CONSTRAINT satisfaction_pkey;
ALTER TABLE satisfaction ADD PRIMARY KEY (unit_code, dossier_code);
CREATE INDEX satisfaction_by_code ON satisfaction (dossier_code);

ALTER TABLE feed_dossier DROP CONSTRAINT feed_dossier_pkey;
ALTER TABLE feed_dossier ADD PRIMARY KEY (unit_code, code);
CREATE INDEX feed_dossier_by_code ON feed_dossier (code);

-- Messages between installations go with their peer.
ALTER TABLE peer_outbox DROP CONSTRAINT peer_outbox_message_id_key;
ALTER TABLE peer_outbox ADD UNIQUE (peer, message_id);
ALTER TABLE peer_inbox DROP CONSTRAINT peer_inbox_message_id_key;
ALTER TABLE peer_inbox ADD UNIQUE (peer, message_id);
