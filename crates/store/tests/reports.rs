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
