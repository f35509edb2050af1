//! The running totals of the reports against the dossiers, on both engines.

use chrono::{Duration, NaiveDate};
use motcua_core::calendar::to_local;
use motcua_core::stats::{Period, Tally};
use motcua_store::reports::{GroupBy, Scope};
use motcua_store::{demo, storage_test};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

storage_test!(reports_from_running_totals_equal_the_dossiers, |store| {
    demo::load(store).await.unwrap();
    demo::load_dossiers(store).await.unwrap();
    // Maintained on every write: nothing to repair.
    let diff = store.verify_stats(false).await.unwrap();
    assert!(diff.is_empty(), "{diff:#?}");
    let now = to_local(chrono::Utc::now());
    let rows = store.stat_rows(chrono::Utc::now()).await.unwrap();
    assert!(rows.len() >= 10);
    let today = now.date();
    let periods = [
        (d("2026-01-01"), d("2026-12-31")),
        (d("2026-11-01"), today),
        (d("2026-11-20"), d("2026-11-25")),
        (today - Duration::days(3), today - Duration::days(1)),
        (d("2019-01-01"), d("2019-12-31")),
    ];
    for (from, to) in periods {
        let p = Period::new(from, to).unwrap();
        for g in GroupBy::ALL {
            let r = store.report(&Scope::default(), &p, g, now).await.unwrap();
            let mut direct = Tally::default();
            for row in &rows {
                direct.add(&row.facts, &p, now);
            }
            assert_eq!(r.total, direct, "{from}..{to} by {g:?}");
            let mut sum = Tally::default();
            for row in &r.rows {
                sum.merge(&row.tally);
            }
            assert_eq!(sum, r.total, "rows add up to the total");
        }
    }
    // By desk: each desk's row equals its own dossiers.
    let p = Period::new(d("2026-01-01"), today).unwrap();
    let r = store
        .report(&Scope::default(), &p, GroupBy::Agency, now)
        .await
        .unwrap();
    for row in &r.rows {
        let mut direct = Tally::default();
        for x in rows.iter().filter(|x| x.receiving_agency == row.key) {
            direct.add(&x.facts, &p, now);
        }
        assert_eq!(row.tally, direct, "{}", row.key);
        assert!(!row.label.is_empty());
    }
    // A unit scope: the district code covers its communes' desks.
    let dong_hy = motcua_core::codes::UnitCode::new("169").unwrap();
    let scoped = store
        .scope_agencies(&Scope {
            unit: Some(dong_hy),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        scoped
            .iter()
            .any(|a| a.level == motcua_core::codes::Level::District)
    );
    assert!(
        scoped
            .iter()
            .any(|a| a.level == motcua_core::codes::Level::Commune)
    );
    assert!(scoped.iter().all(|a| a.desk));
    // A damaged total is found, and repaired.
    store.damage_stats_for_tests().await.unwrap();
    let diff = store.verify_stats(true).await.unwrap();
    assert_eq!(diff.len(), 1, "{diff:#?}");
    assert!(store.verify_stats(false).await.unwrap().is_empty());
});

/// Eleven historical dossiers at the Đồng Hỷ district desk (D) and the
/// Sông Cầu desk (C), each at a boundary of the first quarter of 2019.
const FIXTURE: &str = "code,procedure_code,receiving_unit,channel,received_at,due_at,finished_at,outcome,returned_at
001.01.21.H55-190102-0001,1.001193,001.01.21.H55,direct,2019-01-02T08:00,2019-01-10T17:00,2019-01-08T10:00,approved,2019-01-09T08:00
001.01.21.H55-190102-0002,1.001193,001.01.21.H55,online,2019-01-02T09:00,2019-01-10T17:00,2019-01-10T16:00,approved,
001.01.21.H55-190103-0001,1.001193,001.01.21.H55,direct,2019-01-03T08:00,2019-01-10T17:00,2019-01-10T17:30,approved,
001.01.21.H55-181220-0001,1.001193,001.01.21.H55,postal,2018-12-20T08:00,2019-01-03T17:00,2019-01-03T10:00,rejected,
001.01.21.H55-181201-0001,1.001193,001.01.21.H55,direct,2018-12-01T08:00,2018-12-10T17:00,2018-12-09T10:00,approved,
001.01.21.H55-190325-0001,1.001193,001.01.21.H55,direct,2019-03-25T08:00,2019-04-05T17:00,,,
001.01.21.H55-190301-0001,1.001193,001.01.21.H55,direct,2019-03-01T08:00,2019-03-29T17:00,2019-04-02T08:00,approved,
001.11.21.H55-190201-0001,1.001193,001.11.21.H55,direct,2019-02-01T08:00,2019-02-05T17:00,2019-02-04T08:00,returned,
001.11.21.H55-190201-0002,1.001193,001.11.21.H55,online,2019-02-01T09:00,2019-02-05T17:00,2019-02-02T08:00,withdrawn,
001.11.21.H55-190401-0001,1.001193,001.11.21.H55,direct,2019-04-01T08:00,2019-04-10T17:00,,,
001.11.21.H55-181228-0001,1.001193,001.11.21.H55,direct,2018-12-28T08:00,2019-01-07T17:00,,,
";

storage_test!(a_hand_computed_quarter_at_every_boundary, |store| {
    demo::load(store).await.unwrap();
    let rows = motcua_core::dossier::parse_history_csv("fixture.csv", FIXTURE.as_bytes()).unwrap();
    let mut items = Vec::new();
    for h in &rows {
        let desk = motcua_core::codes::AgencyCode::new(&h.receiving_unit).unwrap();
        let unit = store.agency(&desk).await.unwrap().unwrap().unit_code;
        let pr = motcua_core::dossier::ProcedureRef {
            code: h.procedure.clone(),
            valid_from: None,
        };
        let (dossier, event) = h
            .to_dossier(
                &desk,
                pr,
                motcua_core::calendar::ProcessingTime::WorkingDays(5),
            )
            .unwrap();
        items.push(motcua_store::ImportedDossier {
            dossier,
            events: vec![event],
            unit,
        });
    }
    let seen = std::sync::atomic::AtomicUsize::new(0);
    let n = store
        .import_dossiers(&items, &|k| {
            seen.store(k, std::sync::atomic::Ordering::Relaxed)
        })
        .await
        .unwrap();
    assert_eq!(n, 11);
    assert_eq!(seen.load(std::sync::atomic::Ordering::Relaxed), 11);
    // The same file again: every code exists, nothing changes.
    assert!(store.import_dossiers(&items[..1], &|_| {}).await.is_err());
    assert!(store.verify_stats(false).await.unwrap().is_empty());
    let p = Period::new(d("2019-01-01"), d("2019-03-31")).unwrap();
    let now = to_local(chrono::Utc::now());
    let r = store
        .report(&Scope::default(), &p, GroupBy::Level, now)
        .await
        .unwrap();
    let by: std::collections::HashMap<&str, &Tally> =
        r.rows.iter().map(|x| (x.key.as_str(), &x.tally)).collect();
    assert_eq!(
        *by["district"],
        Tally {
            received_online: 1,
            received_direct: 4,
            carried_over: 1,
            resolved_early: 1,
            resolved_on_time: 2,
            resolved_overdue: 1,
            returned: 0,
            withdrawn: 0,
            in_progress_within: 1,
            in_progress_overdue: 1,
        }
    );
    assert_eq!(
        *by["commune"],
        Tally {
            received_online: 1,
            received_direct: 1,
            carried_over: 1,
            returned: 1,
            withdrawn: 1,
            in_progress_overdue: 1,
            ..Default::default()
        }
    );
    // The unit scope 169 (the district, its communes) gives the same total.
    let dong_hy = motcua_core::codes::UnitCode::new("169").unwrap();
    let scoped = store
        .report(
            &Scope {
                unit: Some(dong_hy),
                ..Default::default()
            },
            &p,
            GroupBy::Channel,
            now,
        )
        .await
        .unwrap();
    assert_eq!(scoped.total, r.total);
    assert_eq!(
        scoped
            .rows
            .iter()
            .find(|x| x.key == "postal")
            .unwrap()
            .tally
            .carried_over,
        1
    );
    // The next quarter: what was in progress is carried over.
    let q2 = Period::new(d("2019-04-01"), d("2019-06-30")).unwrap();
    let r2 = store
        .report(&Scope::default(), &q2, GroupBy::Level, now)
        .await
        .unwrap();
    assert_eq!(r2.total.carried_over, r.total.in_progress());
    assert_eq!(r2.total.received(), 1);
});

storage_test!(
    a_generated_history_imports_with_valid_chains_and_totals,
    |store| {
        demo::load(store).await.unwrap();
        motcua_store::testing::import_generated_2018(store, 300, 11, 0.05)
            .await
            .unwrap();
        let code = |s: &str| motcua_core::codes::AgencyCode::new(s).unwrap();
        let audit = store.verify_audit().await.unwrap();
        assert_eq!(audit.dossiers, 300);
        assert!(audit.events > 1500, "{audit:?}");
        assert_eq!(audit.broken, None);
        assert!(store.verify_stats(false).await.unwrap().is_empty());
        assert!(store.verify_causes(false).await.unwrap().is_empty());
        // Every dossier resolved late in the year has its cause.
        let year = Period::new(d("2018-01-01"), d("2018-12-31")).unwrap();
        let desks = [code("001.01.21.H55"), code("001.11.21.H55")];
        let causes = store.overdue_causes(&desks, &year).await.unwrap();
        let yr = store
            .report(
                &Scope::default(),
                &year,
                GroupBy::Level,
                to_local(chrono::Utc::now()),
            )
            .await
            .unwrap();
        assert!(yr.total.resolved_overdue > 3, "{:?}", yr.total);
        assert_eq!(
            causes.iter().map(|c| c.dossiers).sum::<i64>() as u64,
            yr.total.resolved_overdue
        );
        assert!(causes.iter().any(|c| !c.reason.is_empty()), "{causes:?}");
        assert!(
            causes
                .iter()
                .all(|c| !c.step.is_empty() && c.lost_minutes > 0),
            "{causes:?}"
        );
        let rows = store.stat_rows(chrono::Utc::now()).await.unwrap();
        let now = to_local(chrono::Utc::now());
        // The dashboard's months read in one go equal the report of each month.
        let months: Vec<Period> = [
            ("2018-01-01", "2018-01-31"),
            ("2018-02-10", "2018-02-28"),
            ("2018-06-01", "2018-07-20"),
        ]
        .iter()
        .map(|(a, b)| Period::new(d(a), d(b)).unwrap())
        .collect();
        let sums = store.sums_by_period(&desks, &months).await.unwrap();
        for (m, per) in months.iter().zip(&sums) {
            let r = store
                .report(&Scope::default(), m, GroupBy::Agency, now)
                .await
                .unwrap();
            for row in &r.rows {
                let c = per.get(&row.key).copied().unwrap_or_default();
                assert_eq!(
                    (c.early, c.on_time, c.overdue, c.received),
                    (
                        row.tally.resolved_early as i64,
                        row.tally.resolved_on_time as i64,
                        row.tally.resolved_overdue as i64,
                        row.tally.received() as i64
                    ),
                    "{} {}..{}",
                    row.key,
                    m.from(),
                    m.to()
                );
            }
        }
        for (from, to) in [
            ("2018-01-01", "2018-12-31"),
            ("2018-03-15", "2018-07-04"),
            ("2018-12-20", "2019-01-10"),
        ] {
            let p = Period::new(d(from), d(to)).unwrap();
            let r = store
                .report(&Scope::default(), &p, GroupBy::Level, now)
                .await
                .unwrap();
            let mut direct = Tally::default();
            for row in &rows {
                direct.add(&row.facts, &p, now);
            }
            assert_eq!(r.total, direct, "{from}..{to}");
        }
    }
);
