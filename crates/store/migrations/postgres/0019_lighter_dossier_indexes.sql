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
