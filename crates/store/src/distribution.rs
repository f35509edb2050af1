//! Where each table goes on a distributed PostgreSQL (Citus-style; issue 4,
//! docs/ARCHITECTURE.md, Scale-out). The tables of a dossier are
//! distributed by the receiving unit (`unit_code`) and colocated, so that a
//! dossier's rows are on one node and a province's or a district's reports
//! run on the nodes holding its units; queues and inboxes are distributed
//! by their own key; the catalogue and configuration are small reference
//! tables copied to every node. A test checks the PostgreSQL schema
//! against this list (every table placed; every primary, unique and
//! foreign key of a distributed table holds its distribution column), so a
//! new table or key cannot break the plan unnoticed.

/// How a table is placed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// Copied to every node (small, read everywhere).
    Reference,
    /// Split by this column; tables with the same `colocate_with` share
    /// shards (their rows of one key are on one node).
    Distributed {
        column: &'static str,
        colocate_with: &'static str,
    },
}

const fn by_unit() -> Placement {
    Placement::Distributed {
        column: "unit_code",
        colocate_with: "dossier",
    }
}

const fn own(column: &'static str, table: &'static str) -> Placement {
    Placement::Distributed {
        column,
        colocate_with: table,
    }
}

/// Every table of the schema and its placement.
pub const TABLES: &[(&str, Placement)] = &[
    // Reference data and configuration.
    ("admin_unit", Placement::Reference),
    ("agency", Placement::Reference),
    ("procedure_version", Placement::Reference),
    ("procedure_word", Placement::Reference),
    ("calendar_day", Placement::Reference),
    ("process_version", Placement::Reference),
    ("notice_template", Placement::Reference),
    ("app_user", Placement::Reference),
    ("api_token", Placement::Reference),
    ("web_session", Placement::Reference),
    ("news_article", Placement::Reference),
    ("visit_counter", Placement::Reference),
    ("installation_key", Placement::Reference),
    ("peer", Placement::Reference),
    ("peer_agency", Placement::Reference),
    ("webhook", Placement::Reference),
    // A dossier and everything of it, by its receiving unit.
    ("dossier", by_unit()),
    ("dossier_event", by_unit()),
    ("dossier_document", by_unit()),
    ("dossier_peer", by_unit()),
    ("overdue_cause", by_unit()),
    ("satisfaction", by_unit()),
    ("stat_bucket", by_unit()),
    ("feed_dossier", by_unit()),
    ("dossier_read", by_unit()),
    // Queues, counters and inboxes, by their own key (a dossier change
    // touching them is a transaction over two shard groups).
    ("dossier_counter", own("agency_code", "dossier_counter")),
    ("idempotency", own("username", "idempotency")),
    ("outbox", own("id", "outbox")),
    ("webhook_outbox", own("id", "webhook_outbox")),
    ("peer_outbox", own("peer", "peer_outbox")),
    ("peer_inbox", own("peer", "peer_outbox")),
    ("citizen_login", own("token_hash", "citizen_login")),
    ("citizen_session", own("id_hash", "citizen_session")),
    ("citizen_dossier", own("email", "citizen_dossier")),
];

/// The placement of a table, if listed.
pub fn placement(table: &str) -> Option<Placement> {
    TABLES.iter().find(|(t, _)| *t == table).map(|(_, p)| *p)
}

/// The statements that distribute a migrated schema on a Citus cluster
/// (run once, after `motcua migrate`, before the data is loaded).
pub fn citus_plan() -> String {
    let mut out = String::new();
    for (t, p) in TABLES {
        if *p == Placement::Reference {
            out.push_str(&format!("SELECT create_reference_table('{t}');\n"));
        }
    }
    for (t, p) in TABLES {
        if let Placement::Distributed {
            column,
            colocate_with,
        } = p
        {
            if colocate_with == t {
                out.push_str(&format!(
                    "SELECT create_distributed_table('{t}', '{column}');\n"
                ));
            } else {
                out.push_str(&format!(
                    "SELECT create_distributed_table('{t}', '{column}', colocate_with => '{colocate_with}');\n"
                ));
            }
        }
    }
    out
}

/// A problem of the schema for the plan: `(table, what)`.
pub type PlanProblem = (String, String);

/// A key of the schema: table, kind (`p` primary, `u` unique, `f`
/// foreign), its columns, and for a foreign key the table and columns it
/// refers to.
pub type Key = (String, char, Vec<String>, Option<String>, Vec<String>);

/// Checks keys against the plan. `keys` are the schema's constraints:
/// `(table, kind p|u|f, columns, referenced table, referenced columns)`;
/// `tables` every table of the schema.
pub fn check(tables: &[String], keys: &[Key]) -> Vec<PlanProblem> {
    let mut problems = Vec::new();
    for t in tables {
        if placement(t).is_none() {
            problems.push((t.clone(), "not placed in distribution::TABLES".into()));
        }
    }
    for (t, kind, cols, ref_table, ref_cols) in keys {
        let Some(Placement::Distributed {
            column,
            colocate_with,
        }) = placement(t)
        else {
            if *kind == 'f'
                && let Some(r) = ref_table
                && matches!(placement(r), Some(Placement::Distributed { .. }))
            {
                problems.push((
                    t.clone(),
                    format!("reference table refers to distributed {r}"),
                ));
            }
            continue;
        };
        match kind {
            'p' | 'u' if !cols.iter().any(|c| c == column) => {
                problems.push((
                    t.clone(),
                    format!("key ({}) lacks {column}", cols.join(", ")),
                ));
            }
            'f' => {
                let Some(r) = ref_table else { continue };
                if let Some(Placement::Distributed {
                    column: rc,
                    colocate_with: rw,
                }) = placement(r)
                {
                    let pos = cols.iter().position(|c| c == column);
                    let ok = rw == colocate_with
                        && pos.is_some_and(|i| ref_cols.get(i).is_some_and(|x| x == rc));
                    if !ok {
                        problems.push((
                            t.clone(),
                            format!("foreign key to {r} not on the distribution column"),
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    problems
}

impl crate::Store {
    /// The problems of this database's schema for the plan (PostgreSQL;
    /// nothing to check on SQLite, a single node).
    pub async fn distribution_problems(&self) -> Result<Vec<PlanProblem>, crate::StoreError> {
        let crate::db::Db::Pg(pool) = &self.db else {
            return Ok(Vec::new());
        };
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() \
             AND tablename NOT IN ('_sqlx_migrations', 'bench_raw') ORDER BY 1",
        )
        .fetch_all(pool)
        .await?;
        type Row = (String, String, Vec<String>, Option<String>, Vec<String>);
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT c.conrelid::regclass::text, c.contype::text, \
                ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, i) \
                      JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i), \
                CASE WHEN c.contype = 'f' THEN c.confrelid::regclass::text END, \
                ARRAY(SELECT a.attname::text FROM unnest(COALESCE(c.confkey, '{}'::smallint[])) WITH ORDINALITY k(n, i) \
                      JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i) \
             FROM pg_constraint c WHERE c.connamespace = current_schema()::regnamespace \
             AND c.contype IN ('p', 'u', 'f') ORDER BY 1, 2",
        )
        .fetch_all(pool)
        .await?;
        let keys: Vec<_> = rows
            .into_iter()
            .filter(|r| r.0 != "_sqlx_migrations")
            .map(|(t, k, cols, rt, rc)| (t, k.chars().next().unwrap_or('?'), cols, rt, rc))
            .collect();
        Ok(check(&tables, &keys))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_names_every_table_once() {
        let plan = citus_plan();
        for (t, _) in TABLES {
            assert_eq!(plan.matches(&format!("('{t}'")).count(), 1, "{t}");
        }
        assert!(plan.contains(
            "create_distributed_table('dossier_event', 'unit_code', colocate_with => 'dossier')"
        ));
    }

    #[test]
    fn keys_without_the_distribution_column_are_found() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let keys = vec![
            ("dossier".to_string(), 'p', s(&["code"]), None, vec![]),
            (
                "dossier_event".to_string(),
                'f',
                s(&["dossier_code"]),
                Some("dossier".to_string()),
                s(&["code"]),
            ),
            (
                "agency".to_string(),
                'f',
                s(&["code"]),
                Some("dossier".to_string()),
                s(&["code"]),
            ),
            (
                "dossier_document".to_string(),
                'f',
                s(&["unit_code", "dossier_code"]),
                Some("dossier".to_string()),
                s(&["unit_code", "code"]),
            ),
        ];
        let p = check(&["dossier".to_string(), "mystery".to_string()], &keys);
        assert_eq!(p.len(), 4, "{p:?}");
        assert!(p.iter().any(|(t, _)| t == "mystery"));
    }
}
