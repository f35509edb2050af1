//! Dossier storage on both engines: codes, optimistic concurrency,
//! idempotency, the hash-chained audit trail.

use chrono::{NaiveDate, NaiveDateTime};
use motcua_core::calendar::{ProcessingTime, WorkCalendar};
use motcua_core::codes::{AgencyCode, ProcedureCode, UnitCode};
use motcua_core::dossier::{
    Actor, Applicant, ApplicantKind, Channel, Command, CommandAction, Dossier, DossierCode, Event,
    NewDossier, ProcedureRef, Role, State, TransitionError,
};
use motcua_store::{Idempotency, Reply, Store, StoreError, demo, storage_test};

fn t(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap()
}

fn desk() -> AgencyCode {
    AgencyCode::new("H55.305.1").unwrap()
}

fn officer() -> Actor {
    Actor::officer("ttb", Role::ReceptionOfficer, &desk())
}

fn new_dossier(code: DossierCode) -> NewDossier {
    NewDossier {
        code,
        procedure: ProcedureRef {
            code: ProcedureCode::new("1.001193").unwrap(),
            valid_from: NaiveDate::from_ymd_opt(2025, 7, 1),
        },
        processing_time: ProcessingTime::WorkingDays(3),
        applicant: Applicant::new(
            ApplicantKind::Citizen,
            "Nguyễn Văn A",
            "019203001234",
            Some("0912345678"),
            None,
            "Xã Đồng Hỷ",
        )
        .unwrap(),
        channel: Channel::Direct,
        agency: desk(),
        process: None,
    }
}

fn ok_reply(d: &Dossier) -> Result<Reply, StoreError> {
    Ok(Reply {
        status: 200,
        body: format!("{}@{}", d.code, d.version),
        replayed: false,
    })
}

async fn receive(
    store: &Store,
    at: NaiveDateTime,
    idem: Option<&Idempotency>,
) -> Result<Reply, StoreError> {
    let cal = WorkCalendar::standard();
    store
        .create_dossier(
            &desk(),
            &UnitCode::new("05692").unwrap(),
            at.date(),
            idem,
            |code| Dossier::receive_new(new_dossier(code), &officer(), at, &cal),
            ok_reply,
        )
        .await
}

async fn act(
    store: &Store,
    code: &DossierCode,
    cmd: Command,
    at: NaiveDateTime,
) -> Result<Reply, StoreError> {
    let cal = WorkCalendar::standard();
    store
        .apply_to_dossier(
            code,
            None,
            |d| d.apply(&cmd, &officer(), at, &cal),
            ok_reply,
        )
        .await
}

/// Another writer (a process, an import) stores a dossier numbered `code`
/// without this process's counter knowing.
async fn take_behind_our_back(store: &Store, code: &str) {
    store
        .execute_unchecked(&format!(
            "INSERT INTO dossier (code, unit_code, receiving_agency, current_agency, procedure_code, state, channel, version, last_hash, data, updated_at) \
             SELECT '{code}', unit_code, receiving_agency, current_agency, procedure_code, state, channel, version, last_hash, data, updated_at \
             FROM dossier WHERE code = 'H55.305.1-261130-0001'"
        ))
        .await
        .unwrap();
}

storage_test!(codes_sequence_per_desk_and_day, |store| {
    demo::load(store).await.unwrap();
    let a = receive(store, t("2026-11-30T08:00"), None).await.unwrap();
    let b = receive(store, t("2026-11-30T09:00"), None).await.unwrap();
    let c = receive(store, t("2026-12-01T09:00"), None).await.unwrap();
    assert_eq!(a.body, "H55.305.1-261130-0001@1");
    assert_eq!(b.body, "H55.305.1-261130-0002@1");
    assert_eq!(c.body, "H55.305.1-261201-0001@1");
    // A refused reception uses no number.
    let cal = WorkCalendar::standard();
    let bad = store
        .create_dossier(
            &desk(),
            &UnitCode::new("05692").unwrap(),
            t("2026-11-30T10:00").date(),
            None,
            |code| {
                let actor = Actor::officer("x", Role::Specialist, &desk());
                Dossier::receive_new(new_dossier(code), &actor, t("2026-11-30T10:00"), &cal)
            },
            ok_reply,
        )
        .await;
    assert!(
        matches!(
            bad,
            Err(StoreError::Transition(TransitionError::Forbidden { .. }))
        ),
        "{bad:?}"
    );
    let d = receive(store, t("2026-11-30T11:00"), None).await.unwrap();
    assert_eq!(d.body, "H55.305.1-261130-0003@1");
});

storage_test!(
    transitions_are_versioned_and_refusals_change_nothing,
    |store| {
        demo::load(store).await.unwrap();
        receive(store, t("2026-11-30T08:00"), None).await.unwrap();
        let code = DossierCode::parse("H55.305.1-261130-0001").unwrap();
        let r = act(
            store,
            &code,
            Command::new(
                1,
                CommandAction::Forward {
                    to: None,
                    note: None,
                },
            ),
            t("2026-11-30T09:00"),
        )
        .await
        .unwrap();
        assert_eq!(r.body, format!("{code}@2"));
        let before = store.dossier(&code).await.unwrap().unwrap();
        assert_eq!(before.dossier.state, State::InProcessing);
        assert_eq!(before.events.len(), 2);
        // Stale version: 409, nothing changes.
        let stale = act(
            store,
            &code,
            Command::new(
                1,
                CommandAction::Forward {
                    to: None,
                    note: None,
                },
            ),
            t("2026-11-30T09:05"),
        )
        .await;
        assert!(
            matches!(
                stale,
                Err(StoreError::Transition(TransitionError::StaleVersion { .. }))
            ),
            "{stale:?}"
        );
        // Not allowed in this state: 409, nothing changes.
        let bad = act(
            store,
            &code,
            Command::new(
                2,
                CommandAction::ReturnResult {
                    delivery: Default::default(),
                    note: None,
                },
            ),
            t("2026-11-30T09:06"),
        )
        .await;
        assert!(
            matches!(bad, Err(StoreError::Transition(ref e)) if e.refusal() == motcua_core::dossier::Refusal::Conflict),
            "{bad:?}"
        );
        let after = store.dossier(&code).await.unwrap().unwrap();
        assert_eq!(
            serde_json::to_value(&after.dossier).unwrap(),
            serde_json::to_value(&before.dossier).unwrap()
        );
        assert_eq!(after.events.len(), 2);
        assert!(
            store
                .dossier(&DossierCode::parse("H55.305.1-261130-0099").unwrap())
                .await
                .unwrap()
                .is_none()
        );
    }
);

storage_test!(concurrent_edits_never_lose_one_another, |store| {
    demo::load(store).await.unwrap();
    receive(store, t("2026-11-30T08:00"), None).await.unwrap();
    let code = DossierCode::parse("H55.305.1-261130-0001").unwrap();
    // Two officers act on version 1 at the same time: exactly one wins.
    let (a, b) = tokio::join!(
        act(
            store,
            &code,
            Command::new(
                1,
                CommandAction::Forward {
                    to: None,
                    note: None
                }
            ),
            t("2026-11-30T09:00")
        ),
        act(
            store,
            &code,
            Command::new(
                1,
                CommandAction::Withdraw {
                    reason: Some("xin rút".into())
                }
            ),
            t("2026-11-30T09:00")
        ),
    );
    assert_eq!(a.is_ok() as u8 + b.is_ok() as u8, 1, "{a:?} {b:?}");
    let loser = if a.is_ok() { b } else { a };
    assert!(
        matches!(
            loser,
            Err(StoreError::Transition(TransitionError::StaleVersion { .. }))
        ),
        "{loser:?}"
    );
    let rec = store.dossier(&code).await.unwrap().unwrap();
    assert_eq!((rec.dossier.version, rec.events.len()), (2, 2));
    assert_eq!(store.verify_audit().await.unwrap().broken, None);
});

storage_test!(idempotent_create_returns_the_first_answer, |store| {
    demo::load(store).await.unwrap();
    let key = Idempotency::new("ttb", "abc", "POST", "/api/dossiers", b"{\"same\":1}");
    let first = receive(store, t("2026-11-30T08:00"), Some(&key))
        .await
        .unwrap();
    let again = receive(store, t("2026-11-30T08:01"), Some(&key))
        .await
        .unwrap();
    assert_eq!((first.replayed, again.replayed), (false, true));
    assert_eq!(first.body, again.body);
    // Only one dossier was made: the next gets number 2.
    let next = receive(store, t("2026-11-30T08:02"), None).await.unwrap();
    assert_eq!(next.body, "H55.305.1-261130-0002@1");
    // The same key with another request is refused.
    let other = Idempotency::new("ttb", "abc", "POST", "/api/dossiers", b"{\"other\":2}");
    assert!(matches!(
        receive(store, t("2026-11-30T08:03"), Some(&other)).await,
        Err(StoreError::KeyReused(_))
    ));
    // Keys are per user.
    let mine = Idempotency::new(
        "someone-else",
        "abc",
        "POST",
        "/api/dossiers",
        b"{\"same\":1}",
    );
    assert!(
        !receive(store, t("2026-11-30T08:04"), Some(&mine))
            .await
            .unwrap()
            .replayed
    );
});

storage_test!(audit_chain_detects_tampering, |store| {
    demo::load(store).await.unwrap();
    receive(store, t("2026-11-30T08:00"), None).await.unwrap();
    let code = DossierCode::parse("H55.305.1-261130-0001").unwrap();
    act(
        store,
        &code,
        Command::new(
            1,
            CommandAction::Forward {
                to: None,
                note: None,
            },
        ),
        t("2026-11-30T09:00"),
    )
    .await
    .unwrap();
    act(
        store,
        &code,
        Command::new(
            2,
            CommandAction::Assign {
                assignee: "ttb".into(),
                note: None,
            },
        ),
        t("2026-11-30T09:30"),
    )
    .await
    .unwrap_err();
    let ok = store.verify_audit().await.unwrap();
    assert_eq!((ok.dossiers, ok.events, ok.broken), (1, 2, None));
    // Replace the first event's stored data by the second's: the chain
    // breaks there.
    store
        .execute_unchecked("CREATE TABLE kept AS SELECT data FROM dossier_event WHERE version = 1")
        .await
        .unwrap();
    let n = store
        .execute_unchecked(
            "UPDATE dossier_event SET data = (SELECT e.data FROM dossier_event e WHERE e.version = 2) WHERE version = 1",
        )
        .await
        .unwrap();
    assert_eq!(n, 1);
    let broken = store.verify_audit().await.unwrap().broken.unwrap();
    assert_eq!((broken.0.as_str(), broken.1), ("H55.305.1-261130-0001", 1));
    assert!(broken.2.contains("băm không khớp"), "{}", broken.2);
    // Damaged stored bytes (a cut frame) are named too.
    store
        .execute_unchecked(
            "UPDATE dossier_event SET data = SUBSTR((SELECT data FROM kept), 1, 12) WHERE version = 1",
        )
        .await
        .unwrap();
    let broken = store.verify_audit().await.unwrap().broken.unwrap();
    assert_eq!(broken.1, 1);
    assert!(broken.2.contains("không giải nén được"), "{}", broken.2);
    // Deleting the last event is detected too.
    store
        .execute_unchecked(
            "UPDATE dossier_event SET data = (SELECT data FROM kept) WHERE version = 1",
        )
        .await
        .unwrap();
    assert_eq!(store.verify_audit().await.unwrap().broken, None);
    store
        .execute_unchecked("DELETE FROM dossier_event WHERE version = 2")
        .await
        .unwrap();
    assert!(store.verify_audit().await.unwrap().broken.is_some());
});

storage_test!(users_and_tokens, |store| {
    demo::load(store).await.unwrap();
    let u = store
        .create_user(
            "ttb",
            "Trần Thị B",
            &desk(),
            &[Role::Specialist, Role::ReceptionOfficer],
            None,
        )
        .await
        .unwrap();
    assert_eq!(u.roles, vec![Role::ReceptionOfficer, Role::Specialist]);
    let tok = store.create_token("ttb").await.unwrap();
    assert_eq!(store.user_by_token(&tok).await.unwrap(), Some(u));
    assert_eq!(store.user_by_token("mc_wrong").await.unwrap(), None);
    for (name, agency, roles) in [
        ("ttb", "H55.305.1", vec![Role::Specialist]),
        ("x", "H55.305.1", vec![Role::Specialist]),
        ("new-user", "H55.999", vec![Role::Specialist]),
        ("new-user", "H55.305.1", vec![]),
    ] {
        let r = store
            .create_user(name, "", &AgencyCode::new(agency).unwrap(), &roles, None)
            .await;
        assert!(
            matches!(r, Err(StoreError::Invalid(_))),
            "{name} {agency}: {r:?}"
        );
    }
    assert!(store.create_token("nobody").await.is_err());
});

storage_test!(demo_dossiers_cover_every_state, |store| {
    demo::load(store).await.unwrap();
    assert_eq!(demo::load_dossiers(store).await.unwrap(), 13);
    assert_eq!(demo::load_dossiers(store).await.unwrap(), 0, "loaded once");
    let rows = store.dossiers_at(&desk()).await.unwrap();
    let mut states: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
    states.sort();
    states.dedup();
    let mut all: Vec<&str> = State::ALL.iter().map(|s| s.as_str()).collect();
    all.sort();
    assert_eq!(states, all);
    let audit = store.verify_audit().await.unwrap();
    assert_eq!((audit.dossiers, audit.broken), (13, None));
});

storage_test!(processes_are_versioned_data, |store| {
    let summary = demo::load(store).await.unwrap();
    // Every procedure with a processing time has a stored process.
    assert_eq!(summary.processes, 63);
    let cert = ProcedureCode::new("2.000815").unwrap();
    let desk = AgencyCode::new("H55.305.1").unwrap();
    let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    let general = store.process_for(&cert, &desk, day).await.unwrap().unwrap();
    assert_eq!(general.agency, None);
    assert_eq!(general.process.steps.len(), 4, "the curated one");
    // A desk's own version wins from its first day, not before.
    let mut own = general.process.clone();
    own.steps.remove(1);
    let from = chrono::NaiveDate::from_ymd_opt(2026, 12, 15).unwrap();
    store
        .save_process(&cert, Some(&desk), from, &own, "QĐ 12/QĐ-UBND", "qt")
        .await
        .unwrap();
    assert_eq!(
        store
            .process_for(&cert, &desk, day)
            .await
            .unwrap()
            .unwrap()
            .process
            .steps
            .len(),
        4
    );
    let v = store
        .process_for(&cert, &desk, from)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (v.process.steps.len(), v.agency.as_deref()),
        (3, Some("H55.305.1"))
    );
    // Another desk still has the general one.
    let other = AgencyCode::new("H55.301.1").unwrap();
    assert_eq!(
        store
            .process_for(&cert, &other, from)
            .await
            .unwrap()
            .unwrap()
            .agency,
        None
    );
    let versions = store.process_versions(&cert).await.unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0].note, "QĐ 12/QĐ-UBND");
});

storage_test!(codes_stay_unique_when_another_writer_took_one, |store| {
    demo::load(store).await.unwrap();
    let at = t("2026-11-30T08:00");
    assert!(
        receive(store, at, None)
            .await
            .unwrap()
            .body
            .starts_with("H55.305.1-261130-0001")
    );
    // Another process receives -0002 behind this one's back.
    take_behind_our_back(store, "H55.305.1-261130-0002").await;
    store
        .execute_unchecked("UPDATE dossier_counter SET last_seq = 2")
        .await
        .unwrap();
    // This process never hands out -0002 twice: at worst one refusal, then -0003.
    let first = receive(store, at, None).await;
    let body = match first {
        Ok(r) => r.body,
        Err(_) => receive(store, at, None).await.unwrap().body,
    };
    assert!(body.starts_with("H55.305.1-261130-0003"), "{body}");
});

storage_test!(text_with_quotes_and_sql_is_stored_verbatim, |store| {
    demo::load(store).await.unwrap();
    let at = t("2026-11-30T08:00");
    let cal = WorkCalendar::standard();
    let name = "Lò Văn O'Brien'); DROP TABLE dossier; -- \\ \" ' X'00'";
    let mut new = None;
    store
        .create_dossier(
            &desk(),
            &UnitCode::new("05692").unwrap(),
            at.date(),
            None,
            |code| {
                let mut n = new_dossier(code);
                n.applicant.full_name = name.to_string();
                new = Some(n.code.clone());
                Dossier::receive_new(n, &officer(), at, &cal)
            },
            ok_reply,
        )
        .await
        .unwrap();
    let code = new.unwrap();
    let rec = store.dossier(&code).await.unwrap().unwrap();
    assert_eq!(rec.dossier.applicant.full_name, name);
    assert_eq!(store.verify_audit().await.unwrap().broken, None);
    // Due moments are stored so that the queues compare them with bound values.
    assert_eq!(store.count_dossiers_at(&desk()).await.unwrap(), 1);
});

storage_test!(
    a_burst_of_receptions_is_written_whole_even_when_one_fails,
    |store| {
        // Concurrent receptions at one desk: on SQLite they are written in
        // batches (several rows per statement). A number another writer took
        // meanwhile makes one batch fail; its other rows must still be written,
        // once each, with their report totals.
        demo::load(store).await.unwrap();
        let at = t("2026-11-30T08:00");
        receive(store, at, None).await.unwrap();
        take_behind_our_back(store, "H55.305.1-261130-0006").await;
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..24 {
            let store = store.clone();
            set.spawn(async move { receive(&store, at, None).await });
        }
        let results = set.join_all().await;
        let ok: Vec<String> = results
            .iter()
            .filter_map(|r| r.as_ref().ok().map(|r| r.body.clone()))
            .collect();
        let failed = results.iter().filter(|r| r.is_err()).count();
        // At most the reception already given the taken number fails, with a
        // conflict to try again (on PostgreSQL the number is taken in the
        // transaction, which skips a used one: none fails).
        assert!(failed <= 1, "{failed} failed: {results:?}");
        assert!(
            results
                .iter()
                .all(|r| matches!(r, Ok(_) | Err(StoreError::Conflict(_)))),
            "{results:?}"
        );
        // And the desk goes on receiving.
        let next = receive(store, at, None).await.unwrap();
        assert!(next.body.starts_with("H55.305.1-261130-00"), "{next:?}");
        let ok: Vec<String> = ok.into_iter().chain([next.body]).collect();
        let mut codes = ok.clone();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), ok.len(), "a code answered twice: {ok:?}");
        assert!(
            !ok.iter().any(|c| c.starts_with("H55.305.1-261130-0006")),
            "{ok:?}"
        );
        for c in &ok {
            let code = DossierCode::parse(c.split('@').next().unwrap()).unwrap();
            let stored = store
                .dossier(&code)
                .await
                .unwrap()
                .expect("answered, so stored");
            assert_eq!(stored.events.len(), 1);
        }
        // The planted row (no event, no totals) goes; the report totals then
        // count each stored reception once.
        store
            .execute_unchecked("DELETE FROM dossier WHERE code = 'H55.305.1-261130-0006'")
            .await
            .unwrap();
        // The report totals count each stored reception once.
        assert!(store.verify_stats(false).await.unwrap().is_empty());
        let audit = store.verify_audit().await.unwrap();
        assert_eq!(audit.broken, None);
        assert_eq!(audit.events, 1 + ok.len());
    }
);

storage_test!(
    stored_form_reads_back_whole_and_old_rows_still_read,
    |store| {
        demo::load(store).await.unwrap();
        // Every kind of history: supplements, transfers, late ones with and
        // without apologies, withdrawals, returns, rejections, open ones.
        let mix = motcua_core::generate::Mix {
            online: 0.3,
            postal: 0.1,
            supplement: 0.3,
            transfer: 0.3,
            withdraw: 0.05,
            return_unresolved: 0.05,
            reject: 0.1,
            late: 0.3,
            apology: 0.5,
        };
        let batch = motcua_store::testing::generated_2018(store, 120, 5, mix)
            .await
            .unwrap();
        store.import_dossiers(&batch, &|_| {}).await.unwrap();
        let mut with = std::collections::BTreeSet::new();
        for x in &batch {
            let rec = store.dossier(&x.dossier.code).await.unwrap().unwrap();
            assert_eq!(rec.dossier, x.dossier, "{}", x.dossier.code);
            let events: Vec<Event> = rec.events.into_iter().map(|e| e.event).collect();
            assert_eq!(events, x.events, "{}", x.dossier.code);
            let d = &x.dossier;
            for (kind, has) in [
                ("supplement", !d.supplements.is_empty()),
                ("transfer", !d.transfers.is_empty()),
                ("apology", !d.apologies.is_empty()),
                ("pause", !d.pauses.is_empty()),
            ] {
                if has {
                    with.insert(kind);
                }
            }
            // A dossier stored before this form (with its nulls and empty lists)
            // reads the same.
            let old = serde_json::to_string(d).unwrap();
            assert!(old.contains("null") || old.contains("[]"));
            assert_eq!(&serde_json::from_str::<Dossier>(&old).unwrap(), d);
        }
        for kind in ["supplement", "transfer", "apology", "pause"] {
            assert!(
                with.contains(kind),
                "no generated dossier with {kind}: {with:?}"
            );
        }
        // Open dossiers in every state, written by the live paths (reception,
        // transitions), are stored in the same form.
        demo::load_dossiers(store).await.unwrap();
        // Nothing stored says nothing (outside an event's free-form payload).
        let texts = store
            .texts_unchecked("SELECT data FROM dossier")
            .await
            .unwrap();
        assert_eq!(texts.len(), batch.len() + 13);
        for t in &texts {
            assert!(!t.contains(":null") && !t.contains(":[]"), "{t}");
        }
        let texts = store.event_texts_unchecked().await.unwrap();
        assert!(texts.len() > batch.iter().map(|x| x.events.len()).sum::<usize>());
        // Events are stored packed: a fraction of their text.
        let text_bytes: usize = texts.iter().map(|t| t.len()).sum();
        let stored_bytes: usize = store
            .texts_unchecked("SELECT CAST(SUM(LENGTH(data)) AS TEXT) FROM dossier_event")
            .await
            .unwrap()[0]
            .parse()
            .unwrap();
        assert!(
            stored_bytes * 3 < text_bytes,
            "{stored_bytes} of {text_bytes}"
        );
        for t in &texts {
            let mut v: serde_json::Value = serde_json::from_str(t).unwrap();
            v.as_object_mut().unwrap().remove("payload");
            let rest = v.to_string();
            assert!(!rest.contains(":null") && !rest.contains(":[]"), "{t}");
        }
        let audit = store.verify_audit().await.unwrap();
        assert_eq!((audit.dossiers, audit.broken), (batch.len() + 13, None));
    }
);

storage_test!(returning_applicant_is_found_through_its_index, |store| {
    demo::load(store).await.unwrap();
    let first = receive(store, t("2026-11-30T08:00"), None).await.unwrap();
    let latest = receive(store, t("2026-12-01T09:00"), None).await.unwrap();
    assert_ne!(first.body, latest.body);
    let (code, applicant) = store
        .latest_applicant(&desk(), "019203001234")
        .await
        .unwrap()
        .expect("a returning applicant");
    // The latest of the two, with the applicant as received.
    assert_eq!(format!("{code}@1"), latest.body);
    assert_eq!(applicant.full_name, "Nguyễn Văn A");
    assert_eq!(applicant.phone.as_deref(), Some("0912345678"));
    // Nobody by that number here, nor at another desk.
    assert!(
        store
            .latest_applicant(&desk(), "001099000001")
            .await
            .unwrap()
            .is_none()
    );
    let other = AgencyCode::new("H55.301.1").unwrap();
    assert!(
        store
            .latest_applicant(&other, "019203001234")
            .await
            .unwrap()
            .is_none()
    );
    // The lookup's expression is indexed (migration 0022), on both engines.
    let def = match store.engine() {
        "sqlite" => "SELECT sql FROM sqlite_master WHERE name = 'dossier_applicant'",
        _ => "SELECT indexdef FROM pg_indexes WHERE indexname = 'dossier_applicant'",
    };
    let def = store.texts_unchecked(def).await.unwrap().join(" ");
    assert!(def.contains("receiving_agency"), "{def}");
    assert!(def.contains("id_number"), "{def}");
});

storage_test!(queue_sql_is_the_core_rule, |store| {
    // The store's SQL for each queue selects exactly what core's rule holds
    // (one home for the rule: `Queue::rule`), on the demo's dossiers.
    use motcua_core::calendar::{to_local, to_utc};
    use motcua_core::dossier::{Queue, QueueMoments};
    use motcua_store::{QueueScope, QueueSort};
    use std::collections::{BTreeSet, HashMap};
    demo::load(store).await.unwrap();
    demo::load_dossiers(store).await.unwrap();
    let desk = AgencyCode::new("H55.305.1").unwrap();
    let mut dossiers = Vec::new();
    for (code, _) in store.dossiers_at(&desk).await.unwrap() {
        let code = DossierCode::parse(&code).unwrap();
        dossiers.push(store.dossier(&code).await.unwrap().unwrap().dossier);
    }
    assert!(dossiers.len() >= 10, "{}", dossiers.len());
    let mut by_user: HashMap<&str, usize> = HashMap::new();
    for d in &dossiers {
        if let Some(a) = &d.assignee {
            *by_user.entry(a.as_str()).or_default() += 1;
        }
    }
    let user = by_user
        .into_iter()
        .max_by_key(|(_, n)| *n)
        .map(|(u, _)| u.to_string())
        .unwrap_or_default();
    // Real now, and two hours before each due moment (so that every window
    // of the day holds something at some moment).
    let mut moments = vec![to_local(chrono::Utc::now())];
    moments.extend(
        dossiers
            .iter()
            .filter_map(|d| d.due_at)
            .map(|t| t - chrono::Duration::hours(2)),
    );
    let ours: BTreeSet<String> = dossiers.iter().map(|d| d.code.to_string()).collect();
    let mut seen = HashMap::new();
    for now in moments {
        let t = QueueMoments {
            now,
            tonight: now + chrono::Duration::hours(8),
            soon: now + chrono::Duration::days(3),
        };
        let scope = QueueScope {
            agency: desk.clone(),
            username: user.clone(),
            now: to_utc(t.now),
            tonight: to_utc(t.tonight),
            soon: to_utc(t.soon),
        };
        for q in Queue::ALL {
            let page = store
                .queue(
                    q,
                    &scope,
                    QueueSort::Code,
                    None,
                    motcua_store::Paging::new(1, 500).unwrap(),
                )
                .await
                .unwrap();
            let sql: BTreeSet<String> = page
                .items
                .iter()
                .map(|d| d.code.to_string())
                .filter(|c| ours.contains(c))
                .collect();
            let rule: BTreeSet<String> = dossiers
                .iter()
                .filter(|d| q.holds(d, d.assignee.as_deref(), &user, &desk, t))
                .map(|d| d.code.to_string())
                .collect();
            assert_eq!(sql, rule, "{q:?} at {now}");
            *seen.entry(q).or_insert(0) += rule.len();
        }
    }
    // Every queue but the inter-connected one holds a demo dossier at some moment.
    for q in Queue::ALL {
        assert!(
            q == Queue::Transferred || seen[&q] > 0,
            "{q:?} never held anything"
        );
    }
});
