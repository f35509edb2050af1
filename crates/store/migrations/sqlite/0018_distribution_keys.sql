-- Distribution keys (issue 4; docs/ARCHITECTURE.md, Scale-out): on a
-- distributed PostgreSQL the tables that go with a dossier are distributed
-- by its receiving unit (unit_code), which must then be part of every
-- primary and unique key and of the keys between them. SQLite is one node
-- and keeps its keys; it gains the same columns, so that one SQL text
-- serves both engines, and the unique indexes the shared upserts name.
-- The write triggers of migration 0013 are recreated to fill the event's
-- unit.

ALTER TABLE dossier_event ADD COLUMN unit_code TEXT;
UPDATE dossier_event SET unit_code = (SELECT d.unit_code FROM dossier d WHERE d.code = dossier_event.dossier_code);
ALTER TABLE dossier_document ADD COLUMN unit_code TEXT;
UPDATE dossier_document SET unit_code = (SELECT d.unit_code FROM dossier d WHERE d.code = dossier_document.dossier_code);
ALTER TABLE dossier_peer ADD COLUMN unit_code TEXT;
UPDATE dossier_peer SET unit_code = (SELECT d.unit_code FROM dossier d WHERE d.code = dossier_peer.dossier_code);
CREATE UNIQUE INDEX dossier_peer_unit ON dossier_peer (unit_code, dossier_code, peer);
CREATE UNIQUE INDEX feed_dossier_unit ON feed_dossier (unit_code, code);

DROP TRIGGER dossier_intake_insert;
DROP TRIGGER dossier_transition_insert;

CREATE TRIGGER dossier_intake_insert INSTEAD OF INSERT ON dossier_intake
BEGIN
    INSERT INTO dossier_counter (agency_code, day, last_seq) VALUES (NEW.receiving_agency, NEW.seq_day, NEW.seq)
        ON CONFLICT (agency_code, day) DO UPDATE SET last_seq = MAX(last_seq, excluded.last_seq);
    INSERT INTO dossier (code, unit_code, receiving_agency, current_agency, procedure_code, state, channel,
                         received_at, due_at, version, last_hash, data, updated_at, assignee)
        VALUES (NEW.code, NEW.unit_code, NEW.receiving_agency, NEW.current_agency, NEW.procedure_code, NEW.state,
                NEW.channel, NEW.received_at, NEW.due_at, NEW.version, NEW.last_hash, NEW.data, NEW.updated_at, NEW.assignee);
    INSERT INTO dossier_event (dossier_code, unit_code, version, action, to_state, at, data, prev_hash, hash)
        VALUES (NEW.code, NEW.unit_code, NEW.version, NEW.ev_action, NEW.ev_to, NEW.ev_at, NEW.ev_data, NEW.ev_prev, NEW.last_hash);
    INSERT INTO outbox (id, dossier_code, channel, recipient, subject, body, created_at, attempts, next_attempt_at)
        SELECT NEW.mail_id, NEW.code, 'email', NEW.mail_recipient, NEW.mail_subject, NEW.mail_body, NEW.now, 0, NEW.now
        WHERE NEW.mail_id IS NOT NULL ON CONFLICT (id) DO NOTHING;
    INSERT INTO outbox (id, dossier_code, channel, recipient, subject, body, created_at, attempts, next_attempt_at)
        SELECT NEW.sms_id, NEW.code, 'sms', NEW.sms_recipient, '', NEW.sms_body, NEW.now, 0, NEW.now
        WHERE NEW.sms_id IS NOT NULL ON CONFLICT (id) DO NOTHING;
    INSERT INTO idempotency (username, idem_key, request_hash, status, body, created_at)
        SELECT NEW.idem_user, NEW.idem_key, NEW.idem_hash, NEW.idem_status, NEW.idem_body, NEW.now
        WHERE NEW.idem_user IS NOT NULL;
    INSERT INTO stat_bucket (agency, grain, bucket, procedure_code, channel, unit_code,
                             received, early, on_time, overdue, returned, withdrawn, overdue_open)
        SELECT NEW.receiving_agency, json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'), NEW.procedure_code, NEW.channel, NEW.unit_code,
               json_extract(j.value, '$[2]'), json_extract(j.value, '$[3]'), json_extract(j.value, '$[4]'), json_extract(j.value, '$[5]'), json_extract(j.value, '$[6]'), json_extract(j.value, '$[7]'), json_extract(j.value, '$[8]')
        FROM json_each(NEW.stat) AS j WHERE NEW.stat IS NOT NULL
        ON CONFLICT (agency, grain, bucket, procedure_code, channel, unit_code) DO UPDATE SET
        received = received + excluded.received, early = early + excluded.early,
        on_time = on_time + excluded.on_time, overdue = overdue + excluded.overdue,
        returned = returned + excluded.returned, withdrawn = withdrawn + excluded.withdrawn,
        overdue_open = overdue_open + excluded.overdue_open;
END;

CREATE TRIGGER dossier_transition_insert INSTEAD OF INSERT ON dossier_transition
BEGIN
    SELECT RAISE(ABORT, 'motcua: stale version')
        WHERE NOT EXISTS (SELECT 1 FROM dossier WHERE code = NEW.code AND version = NEW.old_version);
    UPDATE dossier SET current_agency = NEW.current_agency, state = NEW.state, received_at = NEW.received_at,
        due_at = NEW.due_at, version = NEW.version, last_hash = NEW.last_hash, data = NEW.data,
        updated_at = NEW.updated_at, assignee = NEW.assignee
        WHERE code = NEW.code;
    INSERT INTO dossier_event (dossier_code, unit_code, version, action, to_state, at, data, prev_hash, hash)
        SELECT NEW.code, d.unit_code, NEW.version, NEW.ev_action, NEW.ev_to, NEW.ev_at, NEW.ev_data, NEW.ev_prev, NEW.last_hash
        FROM dossier d WHERE d.code = NEW.code;
    INSERT INTO outbox (id, dossier_code, channel, recipient, subject, body, created_at, attempts, next_attempt_at)
        SELECT NEW.mail_id, NEW.code, 'email', NEW.mail_recipient, NEW.mail_subject, NEW.mail_body, NEW.now, 0, NEW.now
        WHERE NEW.mail_id IS NOT NULL ON CONFLICT (id) DO NOTHING;
    INSERT INTO outbox (id, dossier_code, channel, recipient, subject, body, created_at, attempts, next_attempt_at)
        SELECT NEW.sms_id, NEW.code, 'sms', NEW.sms_recipient, '', NEW.sms_body, NEW.now, 0, NEW.now
        WHERE NEW.sms_id IS NOT NULL ON CONFLICT (id) DO NOTHING;
    INSERT INTO idempotency (username, idem_key, request_hash, status, body, created_at)
        SELECT NEW.idem_user, NEW.idem_key, NEW.idem_hash, NEW.idem_status, NEW.idem_body, NEW.now
        WHERE NEW.idem_user IS NOT NULL;
    INSERT INTO stat_bucket (agency, grain, bucket, procedure_code, channel, unit_code,
                             received, early, on_time, overdue, returned, withdrawn, overdue_open)
        SELECT d.receiving_agency, json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'), d.procedure_code, d.channel, d.unit_code,
               json_extract(j.value, '$[2]'), json_extract(j.value, '$[3]'), json_extract(j.value, '$[4]'), json_extract(j.value, '$[5]'), json_extract(j.value, '$[6]'), json_extract(j.value, '$[7]'), json_extract(j.value, '$[8]')
        FROM json_each(NEW.stat) AS j JOIN dossier d ON d.code = NEW.code WHERE NEW.stat IS NOT NULL
        ON CONFLICT (agency, grain, bucket, procedure_code, channel, unit_code) DO UPDATE SET
        received = received + excluded.received, early = early + excluded.early,
        on_time = on_time + excluded.on_time, overdue = overdue + excluded.overdue,
        returned = returned + excluded.returned, withdrawn = withdrawn + excluded.withdrawn,
        overdue_open = overdue_open + excluded.overdue_open;
END;
