-- Running totals of the reports (issue 7, docs/reports.md): signed counts per
-- series (receiving desk, procedure, channel) and bucket of days (grain d =
-- a day, m = a month, y = a year; bucket = its first day), maintained in the
-- same transaction as every dossier change from the difference of the
-- dossier's contributions before and after (motcua_core::report). A report
-- reads a few buckets per series, never the dossiers. On a distributed
-- PostgreSQL the table goes with the receiving unit (unit_code, last in the
-- key so that the agency prefix still serves the reports).
CREATE TABLE stat_bucket (
    agency TEXT NOT NULL,
    grain TEXT NOT NULL,
    bucket DATE NOT NULL,
    procedure_code TEXT NOT NULL,
    channel TEXT NOT NULL,
    unit_code TEXT NOT NULL,
    received BIGINT NOT NULL,
    early BIGINT NOT NULL,
    on_time BIGINT NOT NULL,
    overdue BIGINT NOT NULL,
    returned BIGINT NOT NULL,
    withdrawn BIGINT NOT NULL,
    overdue_open BIGINT NOT NULL,
    PRIMARY KEY (agency, grain, bucket, procedure_code, channel, unit_code)
);

-- The one-statement write path (migration 0008) gains a `stat` column: the
-- JSON array of bucket changes [grain, bucket, received, early, on_time,
-- overdue, returned, withdrawn, overdue_open] its trigger adds up.
DROP TRIGGER dossier_intake_insert;
DROP VIEW dossier_intake;
DROP TRIGGER dossier_transition_insert;
DROP VIEW dossier_transition;

CREATE VIEW dossier_intake AS SELECT
    NULL AS code, NULL AS unit_code, NULL AS receiving_agency, NULL AS current_agency,
    NULL AS procedure_code, NULL AS state, NULL AS channel, NULL AS received_at, NULL AS due_at,
    NULL AS version, NULL AS last_hash, NULL AS data, NULL AS updated_at, NULL AS assignee,
    NULL AS seq_day, NULL AS seq,
    NULL AS ev_action, NULL AS ev_to, NULL AS ev_at, NULL AS ev_data, NULL AS ev_prev,
    NULL AS mail_id, NULL AS mail_recipient, NULL AS mail_subject, NULL AS mail_body,
    NULL AS sms_id, NULL AS sms_recipient, NULL AS sms_body,
    NULL AS idem_user, NULL AS idem_key, NULL AS idem_hash, NULL AS idem_status, NULL AS idem_body,
    NULL AS now, NULL AS stat
WHERE 0;

CREATE TRIGGER dossier_intake_insert INSTEAD OF INSERT ON dossier_intake
BEGIN
    INSERT INTO dossier_counter (agency_code, day, last_seq) VALUES (NEW.receiving_agency, NEW.seq_day, NEW.seq)
        ON CONFLICT (agency_code, day) DO UPDATE SET last_seq = MAX(last_seq, excluded.last_seq);
    INSERT INTO dossier (code, unit_code, receiving_agency, current_agency, procedure_code, state, channel,
                         received_at, due_at, version, last_hash, data, updated_at, assignee)
        VALUES (NEW.code, NEW.unit_code, NEW.receiving_agency, NEW.current_agency, NEW.procedure_code, NEW.state,
                NEW.channel, NEW.received_at, NEW.due_at, NEW.version, NEW.last_hash, NEW.data, NEW.updated_at, NEW.assignee);
    INSERT INTO dossier_event (dossier_code, version, action, to_state, at, data, prev_hash, hash)
        VALUES (NEW.code, NEW.version, NEW.ev_action, NEW.ev_to, NEW.ev_at, NEW.ev_data, NEW.ev_prev, NEW.last_hash);
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

CREATE VIEW dossier_transition AS SELECT
    NULL AS code, NULL AS old_version,
    NULL AS current_agency, NULL AS state, NULL AS received_at, NULL AS due_at,
    NULL AS version, NULL AS last_hash, NULL AS data, NULL AS updated_at, NULL AS assignee,
    NULL AS ev_action, NULL AS ev_to, NULL AS ev_at, NULL AS ev_data, NULL AS ev_prev,
    NULL AS mail_id, NULL AS mail_recipient, NULL AS mail_subject, NULL AS mail_body,
    NULL AS sms_id, NULL AS sms_recipient, NULL AS sms_body,
    NULL AS idem_user, NULL AS idem_key, NULL AS idem_hash, NULL AS idem_status, NULL AS idem_body,
    NULL AS now, NULL AS stat
WHERE 0;

CREATE TRIGGER dossier_transition_insert INSTEAD OF INSERT ON dossier_transition
BEGIN
    SELECT RAISE(ABORT, 'motcua: stale version')
        WHERE NOT EXISTS (SELECT 1 FROM dossier WHERE code = NEW.code AND version = NEW.old_version);
    UPDATE dossier SET current_agency = NEW.current_agency, state = NEW.state, received_at = NEW.received_at,
        due_at = NEW.due_at, version = NEW.version, last_hash = NEW.last_hash, data = NEW.data,
        updated_at = NEW.updated_at, assignee = NEW.assignee
        WHERE code = NEW.code;
    INSERT INTO dossier_event (dossier_code, version, action, to_state, at, data, prev_hash, hash)
        VALUES (NEW.code, NEW.version, NEW.ev_action, NEW.ev_to, NEW.ev_at, NEW.ev_data, NEW.ev_prev, NEW.last_hash);
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
