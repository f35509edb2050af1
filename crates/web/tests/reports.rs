//! The reports through the router: the JSON API (and its downloads) for
//! leaders only and within their unit, and the workspace dashboard, on both
//! engines, over a generated year of dossiers.

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use motcua_core::codes::AgencyCode;
use motcua_core::dossier::Role;
use motcua_store::{Store, demo, storage_test};
use motcua_web::{AppState, router};
use serde_json::Value;
use tower::ServiceExt;

async fn get(st: &AppState, uri: &str, auth: (&str, &str)) -> (StatusCode, String, Vec<u8>) {
    let res = router(st.clone())
        .oneshot(
            Request::get(uri)
                .header(auth.0, auth.1)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let s = res.status();
    let ct = res
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (
        s,
        ct,
        to_bytes(res.into_body(), 64 << 20).await.unwrap().to_vec(),
    )
}

async fn generate_year(store: &Store) {
    motcua_store::testing::import_generated_2018(store, 400, 3, 0.06)
        .await
        .unwrap();
}

storage_test!(leaders_read_reports_within_their_unit, |store| {
    demo::load(store).await.unwrap();
    generate_year(store).await;
    let st = AppState::new(store.clone());
    let district = AgencyCode::new("000.00.21.H55").unwrap();
    store
        .create_user("lanhdao", "", &district, &[Role::SigningLeader], None)
        .await
        .unwrap();
    store
        .create_user("chuyenvien", "", &district, &[Role::Specialist], None)
        .await
        .unwrap();
    let leader = format!("Bearer {}", store.create_token("lanhdao").await.unwrap());
    let officer = format!("Bearer {}", store.create_token("chuyenvien").await.unwrap());
    let q = "/api/reports/statistics?from=2018-01-01&to=2018-12-31&group_by=level";
    let (s, ct, body) = get(&st, q, ("authorization", &leader)).await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    assert!(ct.starts_with("application/json"));
    let v: Value = serde_json::from_slice(&body).unwrap();
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{v}");
    assert!(rows.iter().any(|r| r["level"] == "district"));
    let total = &v["total"];
    assert_eq!(total["received_new"], 400);
    let done = [
        "resolved_early",
        "resolved_on_time",
        "resolved_overdue",
        "returned",
        "withdrawn",
        "in_progress_within_time",
        "in_progress_overdue",
    ]
    .iter()
    .map(|k| total[k].as_u64().unwrap())
    .sum::<u64>();
    assert_eq!(done, 400, "every dossier once: {total}");
    // The downloads.
    for (fmt, want) in [
        ("csv", "text/csv"),
        ("xlsx", "application/vnd.openxmlformats"),
        ("pdf", "application/pdf"),
    ] {
        let (s, ct, bytes) = get(
            &st,
            &format!("{q}&format={fmt}"),
            ("authorization", &leader),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{fmt}");
        assert!(ct.starts_with(want), "{fmt}: {ct}");
        assert!(bytes.len() > 100);
    }
    // Causes add up to the overdue column.
    let (s, _, body) = get(
        &st,
        "/api/reports/causes?from=2018-01-01&to=2018-12-31",
        ("authorization", &leader),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let c: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(c["total"], total["resolved_overdue"]);
    assert!(c["total"].as_u64().unwrap() > 5, "{c}");
    // The Decision 766 components: progress from the same figures.
    let (s, _, body) = get(
        &st,
        "/api/reports/index?from=2018-01-01&to=2018-12-31",
        ("authorization", &leader),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let ix: Value = serde_json::from_slice(&body).unwrap();
    let comp = |code: &str| {
        ix["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["code"] == code)
            .unwrap()
            .clone()
    };
    let handled = total["received_new"].as_u64().unwrap() + total["carried_over"].as_u64().unwrap();
    let in_time = total["resolved_early"].as_u64().unwrap()
        + total["resolved_on_time"].as_u64().unwrap()
        + total["in_progress_within_time"].as_u64().unwrap();
    let want = (20.0 * in_time as f64 / handled as f64 * 100.0).round() / 100.0;
    assert_eq!(comp("PROGRESS")["score"].as_f64().unwrap(), want, "{ix}");
    assert!(comp("ONLINE_PAYMENT")["score"].is_null());
    // Refusals: no token, a specialist, the province from a district, bad input.
    assert_eq!(
        get(&st, q, ("x-none", "")).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        get(&st, q, ("authorization", &officer)).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        get(&st, &format!("{q}&unit=19"), ("authorization", &leader))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    for bad in [
        "from=2018-13-01",
        "from=2019-01-01&to=2018-01-01",
        "group_by=color",
        "format=doc",
        "level=planet",
    ] {
        let (s, _, body) = get(
            &st,
            &format!("/api/reports/statistics?{bad}"),
            ("authorization", &leader),
        )
        .await;
        assert_eq!(
            s,
            StatusCode::BAD_REQUEST,
            "{bad}: {}",
            String::from_utf8_lossy(&body)
        );
    }
    // A commune of the district is inside its scope.
    let (s, _, body) = get(
        &st,
        "/api/reports/statistics?from=2018-01-01&to=2018-12-31&unit=05656",
        ("authorization", &leader),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["agencies"].as_array().unwrap().len(), 1, "{v}");
});

storage_test!(the_dashboard_draws_three_charts_with_tables, |store| {
    demo::load(store).await.unwrap();
    generate_year(store).await;
    let st = AppState::new(store.clone());
    let district = AgencyCode::new("000.00.21.H55").unwrap();
    store
        .create_user("lanhdao", "", &district, &[Role::SigningLeader], None)
        .await
        .unwrap();
    store
        .set_password("lanhdao", "mat-khau-du-dai")
        .await
        .unwrap();
    let secret = match store
        .login("lanhdao", "mat-khau-du-dai", chrono::Utc::now())
        .await
        .unwrap()
    {
        motcua_store::LoginOutcome::Ok { secret, .. } => secret,
        _ => panic!("sign-in failed"),
    };
    let cookie = format!("motcua_session={secret}");
    let (s, _, body) = get(
        &st,
        "/workspace/bao-cao?from=2018-01-01&to=2018-12-31",
        ("cookie", &cookie),
    )
    .await;
    let page = String::from_utf8_lossy(&body);
    assert_eq!(s, StatusCode::OK, "{page}");
    assert_eq!(page.matches("<svg role=\"img\"").count(), 3, "{page}");
    assert!(page.contains("Tỷ lệ giải quyết đúng hạn theo tháng"));
    assert!(page.contains("12/2018") && page.contains("01/2018"));
    assert!(page.contains("<polyline"));
    assert!(page.contains("Nguyên nhân hồ sơ quá hạn"));
    assert!(page.contains("Bộ phận Tiếp nhận và Trả kết quả huyện Đồng Hỷ"));
    assert!(page.contains("Quyết định 766/QĐ-TTg") && page.contains("Tiến độ giải quyết"));
    let (s, ct, _) = get(
        &st,
        "/workspace/bao-cao/tai-ve?from=2018-01-01&to=2018-12-31&kind=causes&format=pdf",
        ("cookie", &cookie),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(ct, "application/pdf");
});
