//! Storage tests: every test runs on SQLite and on PostgreSQL (`storage_test!`).

use chrono::NaiveDate;
use motcua_core::calendar::{DayKind, DayRule};
use motcua_core::catalogue::{Procedure, parse_procedures_json};
use motcua_core::codes::{AgencyCode, Level, ProcedureCode, UnitCode};
use motcua_core::units::parse_units_csv;
use motcua_store::{
    AgencyFilter, Paging, ProcedureFilter, Store, StoreError, UnitFilter, demo, storage_test,
};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn code(s: &str) -> UnitCode {
    UnitCode::new(s).unwrap()
}

async fn search(store: &Store, q: &str) -> Vec<String> {
    let f = ProcedureFilter {
        q: Some(q.into()),
        ..Default::default()
    };
    store
        .search_procedures(&f, Paging::new(1, 50).unwrap())
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|h| h.name)
        .collect()
}

storage_test!(demo_loads_and_is_idempotent, |store| {
    assert!(store.is_empty().await.unwrap());
    let s = demo::load(store).await.unwrap();
    assert_eq!((s.units, s.procedures, s.day_rules), (15454, 64, 174));
    assert!(!store.is_empty().await.unwrap());
    let again = demo::load(store).await.unwrap();
    assert_eq!(again.units, s.units);
    assert_eq!(store.all_units().await.unwrap().len(), 15454);
    assert_eq!(store.all_procedures(true).await.unwrap().len(), 64);
    assert_eq!(store.all_agencies().await.unwrap().len(), s.agencies);
    assert_eq!(store.day_rules().await.unwrap().len(), 174);
});

storage_test!(unit_history_of_dong_hy, |store| {
    demo::load(store).await.unwrap();
    let u = store
        .unit_on(&code("169"), d("2019-05-09"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(u.name, "Huyện Đồng Hỷ");
    assert_eq!(u.parent_code, Some(code("19")));
    let children = |date: &str| {
        let f = UnitFilter {
            parent: Some(code("169")),
            date: Some(d(date)),
            ..Default::default()
        };
        async move { store.list_units(&f, Paging::all()).await.unwrap().items }
    };
    assert_eq!(children("2016-06-30").await.len(), 18);
    let c2019 = children("2019-05-09").await;
    assert_eq!(c2019.len(), 15);
    assert!(c2019.iter().all(|u| {
        !["Xã Linh Sơn", "Xã Huống Thượng", "Thị trấn Chùa Hang"].contains(&u.name.as_str())
    }));
    // Chùa Hang: a town of Đồng Hỷ, then a ward of Thái Nguyên city from 2017-08-18.
    let h = store.unit_history(&code("05659")).await.unwrap();
    assert_eq!(h.len(), 2);
    assert_eq!(
        (
            h[0].name.as_str(),
            h[0].parent_code.as_ref().unwrap().as_str()
        ),
        ("Thị trấn Chùa Hang", "169")
    );
    assert_eq!(
        (
            h[1].name.as_str(),
            h[1].parent_code.as_ref().unwrap().as_str()
        ),
        ("Phường Chùa Hang", "164")
    );
    assert_eq!(h[1].valid_from, d("2017-08-18"));
    // The district no longer exists in the two-level scheme; the code 05662 is reused.
    assert!(
        store
            .unit_on(&code("169"), d("2025-07-01"))
            .await
            .unwrap()
            .is_none()
    );
    let trai_cau = store
        .unit_on(&code("05662"), d("2026-01-01"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            trai_cau.name.as_str(),
            trai_cau.parent_code.unwrap().as_str()
        ),
        ("Xã Trại Cau", "19")
    );
    let f = UnitFilter {
        q: Some("dong hy".into()),
        date: Some(d("2019-01-01")),
        ..Default::default()
    };
    let found = store
        .list_units(&f, Paging::new(1, 10).unwrap())
        .await
        .unwrap();
    assert_eq!(found.total, 1);
    assert_eq!(found.items[0].code.as_str(), "169");
});

storage_test!(unit_import_is_all_or_nothing, |store| {
    demo::load(store).await.unwrap();
    let before = store.all_units().await.unwrap();
    // A new version of 169 that overlaps the stored one is refused as a whole,
    // together with the valid row before it.
    let csv = "code,name,type,parent_code,level,valid_from,valid_to\n\
               99,Tỉnh Thử,Tỉnh,,1,2016-01-01,\n\
               169,Huyện Đồng Hỷ mới,Huyện,19,2,2018-01-01,2020-01-01\n";
    let units = parse_units_csv("bad.csv", csv.as_bytes(), &|_, _| true).unwrap();
    let err = store.import_units("bad.csv", &units).await.unwrap_err();
    assert!(
        matches!(err, StoreError::Import(ref e) if e.file == "bad.csv" && e.reason.contains("169")),
        "{err}"
    );
    assert_eq!(store.all_units().await.unwrap(), before);
});

storage_test!(agencies_by_unit_and_desk, |store| {
    demo::load(store).await.unwrap();
    let f = AgencyFilter {
        unit: Some(code("169")),
        ..Default::default()
    };
    let page = store.list_agencies(&f, Paging::all()).await.unwrap();
    assert!(
        page.items
            .iter()
            .any(|a| a.name == "Ủy ban nhân dân huyện Đồng Hỷ")
    );
    let desks = store
        .list_agencies(
            &AgencyFilter {
                unit: Some(code("169")),
                desk: Some(true),
                ..Default::default()
            },
            Paging::all(),
        )
        .await
        .unwrap()
        .items;
    assert_eq!(desks.len(), 1);
    assert_eq!(
        desks[0].name,
        "Bộ phận Tiếp nhận và Trả kết quả huyện Đồng Hỷ"
    );
    assert_eq!(
        desks[0].parent_code.as_ref().unwrap().as_str(),
        "000.01.21.H55"
    );
    // Every commune of 2019 has a desk.
    let on = d("2019-05-09");
    let all = store
        .list_agencies(
            &AgencyFilter {
                desk: Some(true),
                level: Some(Level::Commune),
                date: Some(on),
                ..Default::default()
            },
            Paging::all(),
        )
        .await
        .unwrap();
    assert_eq!(all.total, 15);
    let a = store
        .agency(&AgencyCode::new("000.00.21.H55").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(a.unit_code.as_str(), "169");
    assert!(
        store
            .agency(&AgencyCode::new("000.99.21.H55").unwrap())
            .await
            .unwrap()
            .is_none()
    );
});

storage_test!(search_is_diacritics_insensitive_and_ranked, |store| {
    demo::load(store).await.unwrap();
    for q in [
        "dang ky khai sinh",
        "ĐĂNG KÝ KHAI SINH",
        "Đăng ký khai sinh",
        "khai sinh",
        "  dang   KY khai-sinh ",
    ] {
        let names = search(store, q).await;
        assert_eq!(
            names.first().map(String::as_str),
            Some("Thủ tục đăng ký khai sinh"),
            "query {q:?}: {names:?}"
        );
    }
    // đ/Đ match d; a word must start a word (no match inside "ngày").
    assert!(
        search(store, "dat dai")
            .await
            .iter()
            .any(|n| n.contains("đất đai"))
    );
    assert!(
        search(store, "Đất Đai")
            .await
            .iter()
            .any(|n| n.contains("đất đai"))
    );
    assert!(search(store, "zzzz khai").await.is_empty());
    // Name matches come before matches in the legal basis or results only.
    let names = search(store, "khai sinh").await;
    let first_other = names
        .iter()
        .position(|n| !n.to_lowercase().contains("khai sinh"))
        .unwrap_or(names.len());
    assert!(
        names[..first_other]
            .iter()
            .all(|n| n.to_lowercase().contains("khai sinh"))
    );
    // Punctuation (LIKE wildcards included) is not searchable: `%` alone is an
    // empty query and lists the catalogue, `khai%sinh` means `khai sinh`.
    let all = ProcedureFilter {
        q: Some("%_".into()),
        ..Default::default()
    };
    assert_eq!(
        store
            .search_procedures(&all, Paging::new(1, 10).unwrap())
            .await
            .unwrap()
            .total,
        64
    );
    assert_eq!(
        search(store, "khai%sinh").await,
        search(store, "khai sinh").await
    );
    // Filters and paging.
    let f = ProcedureFilter {
        field: Some("ho tich".into()),
        ..Default::default()
    };
    let page = store
        .search_procedures(&f, Paging::new(1, 10).unwrap())
        .await
        .unwrap();
    assert_eq!(page.total, 24);
    assert_eq!(page.items.len(), 10);
    let p3 = store
        .search_procedures(&f, Paging::new(3, 10).unwrap())
        .await
        .unwrap();
    assert_eq!(p3.items.len(), 4);
    let f = ProcedureFilter {
        level: Some(Level::Province),
        ..Default::default()
    };
    let prov = store.search_procedures(&f, Paging::all()).await.unwrap();
    assert!(prov.total >= 3 && prov.items.iter().all(|h| h.levels.contains("province")));
    let fields = store.procedure_fields().await.unwrap();
    assert_eq!(fields.iter().map(|f| f.1).sum::<i64>(), 64);
});

fn birth() -> Procedure {
    let ps = parse_procedures_json("p.json", demo::PROCEDURES_JSON).unwrap();
    ps.into_iter()
        .find(|p| p.code.as_str() == "1.001193")
        .unwrap()
}

storage_test!(procedure_versions, |store| {
    let code = ProcedureCode::new("1.001193").unwrap();
    let mut old = birth();
    old.level = "Cấp xã".into();
    old.valid_from = Some(d("2016-01-01"));
    old.name = "Đăng ký khai sinh (phiên bản 2016)".into();
    let mut new = birth();
    new.valid_from = Some(d("2025-07-01"));
    let s = store
        .import_procedures(&[new.clone()], d("2000-01-01"))
        .await
        .unwrap();
    assert_eq!((s.inserted, s.updated, s.unchanged), (1, 0, 0));
    // An older version imported later is chained before the newer one.
    store
        .import_procedures(&[old.clone()], d("2000-01-01"))
        .await
        .unwrap();
    let vs = store.procedure_versions(&code).await.unwrap();
    assert_eq!(vs.len(), 2);
    assert_eq!(
        (vs[0].version, vs[0].valid_from, vs[0].valid_to),
        (1, d("2016-01-01"), Some(d("2025-07-01")))
    );
    assert_eq!((vs[1].version, vs[1].valid_to), (2, None));
    let on2019 = store
        .procedure(&code, Some(d("2019-05-09")))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(on2019.procedure.name, old.name);
    assert_eq!(
        store
            .procedure(&code, None)
            .await
            .unwrap()
            .unwrap()
            .procedure
            .name,
        new.name
    );
    assert!(
        store
            .procedure(&code, Some(d("2010-01-01")))
            .await
            .unwrap()
            .is_none()
    );
    // Search on a date finds the version in force then.
    let f = ProcedureFilter {
        q: Some("phien ban 2016".into()),
        date: Some(d("2018-01-01")),
        ..Default::default()
    };
    assert_eq!(
        store
            .search_procedures(&f, Paging::all())
            .await
            .unwrap()
            .total,
        1
    );
    assert_eq!(search(store, "phien ban 2016").await.len(), 0);
    // Re-importing the same record changes nothing; a corrected record updates.
    let s = store
        .import_procedures(&[new.clone()], d("2000-01-01"))
        .await
        .unwrap();
    assert_eq!(s.unchanged, 1);
    let mut fixed = new.clone();
    fixed.fee_direct_raw = "Miễn lệ phí".into();
    let s = store
        .import_procedures(&[fixed.clone()], d("2000-01-01"))
        .await
        .unwrap();
    assert_eq!(s.updated, 1);
    // Export of every version is lossless.
    let all = store.all_procedures(true).await.unwrap();
    assert_eq!(all, vec![old, fixed]);
});

storage_test!(catalogue_export_round_trip, |store| {
    demo::load(store).await.unwrap();
    let exported = store.all_procedures(false).await.unwrap();
    let json = motcua_core::catalogue::write_procedures_json(&exported);
    let back = parse_procedures_json("export.json", json.as_bytes()).unwrap();
    assert_eq!(back, exported);
    let csv = motcua_core::catalogue::write_procedures_csv(&exported);
    let back = motcua_core::catalogue::parse_procedures_csv("export.csv", csv.as_bytes()).unwrap();
    assert_eq!(back, exported);
    let s = store
        .import_procedures(&back, d("2000-01-01"))
        .await
        .unwrap();
    assert_eq!(s.unchanged, 64);
});

storage_test!(calendar_rules_and_agency_hours, |store| {
    demo::load(store).await.unwrap();
    let t = |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap();
    let days = motcua_core::calendar::ProcessingTime::WorkingDays(1);
    // Installation calendar: Friday 2027-01-08 + 1 working day = Monday.
    let cal = store.calendar(None).await.unwrap();
    assert_eq!(
        cal.due(t("2027-01-08T09:00"), days).unwrap(),
        t("2027-01-11T09:00")
    );
    // A stored year replaces the derived one: make 2027-01-11 a day off.
    let rule = DayRule {
        date: d("2027-01-11"),
        kind: DayKind::Holiday,
        name: "Ngày nghỉ thử".into(),
        note: "test".into(),
    };
    store
        .import_day_rules(std::slice::from_ref(&rule))
        .await
        .unwrap();
    let stored = store.day_rules().await.unwrap();
    assert_eq!(stored.len(), 175);
    assert!(stored.contains(&rule));
    let cal = store.calendar(None).await.unwrap();
    assert!(!cal.is_working_day(d("2027-01-11")));
    assert_eq!(
        cal.due(t("2027-01-08T09:00"), days).unwrap(),
        t("2027-01-12T09:00")
    );
    // An agency whose desk opens on Saturday morning has its own calendar.
    let desk = AgencyCode::new("000.00.10.H55").unwrap();
    let cal = store.calendar(Some(&desk)).await.unwrap();
    assert!(cal.is_working_day(d("2027-01-09")));
    assert!(
        store
            .calendar(Some(&AgencyCode::new("000.99.99.H55").unwrap()))
            .await
            .is_err()
    );
});

/// The PostgreSQL schema fits the distribution plan (docs/ARCHITECTURE.md,
/// Scale-out): every table placed, every key of a distributed table on
/// its distribution column.
#[tokio::test]
async fn the_schema_fits_the_distribution_plan() {
    let Some(db) = motcua_store::testing::TestDb::postgres().await else {
        return;
    };
    let problems = db.store.distribution_problems().await.unwrap();
    assert!(problems.is_empty(), "{problems:#?}");
    db.cleanup().await;
}

/// Issue 18.12: an acknowledged dossier survives a power cut by default
/// (SQLite `synchronous=FULL`, as PostgreSQL's default is durable);
/// `normal` is a setting for those who accept the risk.
#[tokio::test]
async fn sqlite_is_durable_against_power_loss_by_default() {
    use motcua_store::SqliteDurability;
    let db = motcua_store::testing::TestDb::sqlite().await;
    assert_eq!(
        db.store.sqlite_synchronous().await.unwrap(),
        Some(2),
        "FULL"
    );
    db.cleanup().await;
    let db = motcua_store::testing::TestDb::sqlite_with(SqliteDurability::Normal).await;
    assert_eq!(
        db.store.sqlite_synchronous().await.unwrap(),
        Some(1),
        "NORMAL"
    );
    db.cleanup().await;
    assert_eq!(
        "FULL".parse::<SqliteDurability>().unwrap(),
        SqliteDurability::Full
    );
    assert!("off".parse::<SqliteDurability>().is_err());
    if let Some(pg) = motcua_store::testing::TestDb::postgres().await {
        assert_eq!(pg.store.sqlite_synchronous().await.unwrap(), None);
        pg.cleanup().await;
    }
}

storage_test!(passwords_are_at_least_twelve_characters, |store| {
    // ASVS V2.1.1: at least 12 characters on every path that sets one.
    demo::load(store).await.unwrap();
    let agency = AgencyCode::new("H55.305.1").unwrap();
    store
        .create_user(
            "mk12",
            "",
            &agency,
            &[motcua_core::dossier::Role::Specialist],
            None,
        )
        .await
        .unwrap();
    for short in ["", "mat-khau", "mat-khau-11"] {
        assert!(
            matches!(store.set_password("mk12", short).await, Err(StoreError::Invalid(m)) if m.contains("12")),
            "{short:?}"
        );
    }
    assert!(!store.password_matches("mk12", "mat-khau-11").await.unwrap());
    store.set_password("mk12", "mat-khau-12c").await.unwrap();
    assert!(
        store
            .password_matches("mk12", "mat-khau-12c")
            .await
            .unwrap()
    );
    let long = "x".repeat(257);
    assert!(store.set_password("mk12", &long).await.is_err());
});
