-- A lighter dossier row (issue 4, intake speed; docs/benchmarks.md): the
-- work queues filter a desk's dossiers by state and due moment, so one
-- index (current agency, state, due moment) replaces the two of migrations
-- 0003 and 0006; and a dossier has no assignee at reception, so the
-- assignee index holds only the assigned ones (a query `assignee = ?`
-- implies `assignee IS NOT NULL` and still uses it).
DROP INDEX dossier_current;
DROP INDEX dossier_current_due;
CREATE INDEX dossier_current ON dossier (current_agency, state, due_at);
DROP INDEX dossier_assignee;
CREATE INDEX dossier_assignee ON dossier (assignee, state) WHERE assignee IS NOT NULL;

-- Receptions are written in batches (sqlite_writes.rs): one autocommit
-- statement of several rows, the last carrying in `stat` the summed report
-- totals of the whole batch, each element naming its series in full:
-- [agency, grain, bucket, procedure, channel, unit, received, early,
-- on_time, overdue, returned, withdrawn, overdue_open]; and only each
-- desk's last row carries its number (`seq`) for the day's counter.
DROP TRIGGER dossier_intake_insert;
CREATE TRIGGER dossier_intake_insert INSTEAD OF INSERT ON dossier_intake
BEGIN
    INSERT INTO dossier_counter (agency_code, day, last_seq) SELECT NEW.receiving_agency, NEW.seq_day, NEW.seq
        WHERE NEW.seq IS NOT NULL ON CONFLICT (agency_code, day) DO UPDATE SET last_seq = MAX(last_seq, excluded.last_seq);
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
        SELECT json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'), json_extract(j.value, '$[2]'), json_extract(j.value, '$[3]'), json_extract(j.value, '$[4]'), json_extract(j.value, '$[5]'),
               json_extract(j.value, '$[6]'), json_extract(j.value, '$[7]'), json_extract(j.value, '$[8]'), json_extract(j.value, '$[9]'), json_extract(j.value, '$[10]'), json_extract(j.value, '$[11]'), json_extract(j.value, '$[12]')
        FROM json_each(NEW.stat) AS j WHERE NEW.stat IS NOT NULL
        ON CONFLICT (agency, grain, bucket, procedure_code, channel, unit_code) DO UPDATE SET
        received = received + excluded.received, early = early + excluded.early,
        on_time = on_time + excluded.on_time, overdue = overdue + excluded.overdue,
        returned = returned + excluded.returned, withdrawn = withdrawn + excluded.withdrawn,
        overdue_open = overdue_open + excluded.overdue_open;
END;
