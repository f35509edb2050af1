//! The HTTP interface, on both engines, through the real router.

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode};
use motcua_store::{Store, demo, storage_test};
use motcua_web::{AppState, router};
use serde_json::Value;
use tower::ServiceExt;

async fn get(store: &Store, uri: &str) -> (StatusCode, String) {
    let app = router(AppState::new(store.clone()));
    let res = app
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let body = to_bytes(res.into_body(), 16 << 20).await.unwrap();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

async fn json(store: &Store, uri: &str) -> (StatusCode, Value) {
    let (s, b) = get(store, uri).await;
    (
        s,
        serde_json::from_str(&b).unwrap_or_else(|e| panic!("{uri}: not JSON ({e}): {b}")),
    )
}

storage_test!(health_and_metrics, |store| {
    assert_eq!(get(store, "/healthz").await, (StatusCode::OK, "ok".into()));
    assert_eq!(get(store, "/readyz").await.0, StatusCode::OK);
    get(store, "/api/fields").await;
    let (s, m) = get(store, "/metrics").await;
    assert_eq!(s, StatusCode::OK);
    assert!(m.contains("http_requests_total"), "{m}");
});

storage_test!(procedure_search_api, |store| {
    demo::load(store).await.unwrap();
    for q in [
        "dang+ky+khai+sinh",
        "%C4%90%C4%82NG+K%C3%9D+KHAI+SINH",
        "khai+sinh",
    ] {
        let (s, v) = json(store, &format!("/api/procedures?q={q}")).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(
            v["items"][0]["name"], "Thủ tục đăng ký khai sinh",
            "{q}: {v}"
        );
        assert_eq!(v["items"][0]["code"], "1.001193");
    }
    let (_, v) = json(
        store,
        "/api/procedures?field=H%E1%BB%99+t%E1%BB%8Bch&per_page=5&page=2",
    )
    .await;
    assert_eq!(
        (
            v["total"].as_i64(),
            v["page"].as_i64(),
            v["items"].as_array().unwrap().len()
        ),
        (Some(24), Some(2), 5)
    );
    let (_, v) = json(store, "/api/procedures?level=province").await;
    assert!(
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["levels"].as_str().unwrap().contains("province"))
    );
    let (s, v) = json(store, "/api/procedures/1.001193").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["procedure"]["name"], "Thủ tục đăng ký khai sinh");
    assert_eq!(v["procedure"]["field"], "Hộ tịch");
    assert!(v["procedure"]["documents"].as_array().unwrap().len() > 5);
    assert_eq!(v["versions"].as_array().unwrap().len(), 1);
    let (_, v) = json(store, "/api/fields").await;
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .any(|f| f["field"] == "Hộ tịch" && f["procedures"] == 24)
    );
});

storage_test!(bad_requests_get_clear_errors, |store| {
    demo::load(store).await.unwrap();
    let cases = [
        ("/api/procedures?page=0", 400, "page"),
        ("/api/procedures?page=abc", 400, "page"),
        ("/api/procedures?per_page=100000", 400, "per_page"),
        ("/api/procedures?level=galaxy", 400, "level"),
        ("/api/procedures?date=2019-02-30", 400, "date"),
        ("/api/procedures?online=maybe", 400, "online"),
        ("/api/procedures/1.999999", 404, "1.999999"),
        ("/api/procedures/abc", 400, "abc"),
        (
            "/api/procedures/1.001193?date=2010-01-01",
            404,
            "2010-01-01",
        ),
        ("/api/units/1234", 400, "1234"),
        ("/api/units/99999", 404, "99999"),
        ("/api/units/169?date=2030-01-01", 404, "2030-01-01"),
        ("/api/units?parent=x", 400, "x"),
        ("/api/agencies?unit=abc", 400, "abc"),
        ("/api/agencies?desk=perhaps", 400, "desk"),
        ("/api/agencies/000.99.21.H55", 404, "000.99.21.H55"),
        ("/api/agencies/H", 400, "H"),
    ];
    for (uri, status, needle) in cases {
        let (s, v) = json(store, uri).await;
        assert_eq!(s.as_u16(), status, "{uri}: {v}");
        assert_eq!(v["error"]["status"], status, "{uri}");
        assert!(
            v["error"]["message"].as_str().unwrap().contains(needle),
            "{uri}: {v}"
        );
    }
});

storage_test!(units_and_agencies_api, |store| {
    demo::load(store).await.unwrap();
    let (s, v) = json(store, "/api/units/169").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["name"], "Huyện Đồng Hỷ");
    assert_eq!(v["parent_code"], "19");
    assert_eq!(v["valid_to"], "2025-07-01");
    let (_, v) = json(store, "/api/units/169?date=2019-05-09").await;
    assert_eq!(v["children"].as_array().unwrap().len(), 15);
    assert_eq!(v["parent_name"], "Tỉnh Thái Nguyên");
    let (_, v) = json(store, "/api/units/169?date=2016-05-09").await;
    assert_eq!(v["children"].as_array().unwrap().len(), 18);
    let (_, v) = json(store, "/api/units/05659?date=2019-05-09").await;
    assert_eq!(
        (v["name"].as_str(), v["parent_code"].as_str()),
        (Some("Phường Chùa Hang"), Some("164"))
    );
    let (_, v) = json(store, "/api/units?parent=169&date=2019-05-09&per_page=5").await;
    assert_eq!(
        (v["total"].as_i64(), v["items"].as_array().unwrap().len()),
        (Some(15), 5)
    );
    let (_, v) = json(store, "/api/agencies?unit=169").await;
    let items = v["items"].as_array().unwrap();
    assert!(items.iter().all(|a| a["unit_code"] == "169"
        && a["code"].is_string()
        && a["name"].is_string()
        && a["desk"].is_boolean()));
    assert_eq!(items.iter().filter(|a| a["desk"] == true).count(), 1);
    let (_, v) = json(store, "/api/agencies/001.01.21.H55").await;
    assert_eq!(v["name"], "Bộ phận Tiếp nhận và Trả kết quả huyện Đồng Hỷ");
    assert_eq!(v["hours"], "Mon-Fri 07:30-11:30 13:30-17:00");
});

storage_test!(openapi_document, |store| {
    let (s, v) = json(store, "/api/openapi.json").await;
    assert_eq!(s, StatusCode::OK);
    assert!(v["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/procedures",
        "/api/procedures/{code}",
        "/api/units/{code}",
        "/api/agencies",
        "/api/units",
        "/api/fields",
    ] {
        assert!(v["paths"][path]["get"].is_object(), "missing {path}");
    }
    assert!(v["components"]["schemas"]["Procedure"].is_object());
    // Issue 18 (schemathesis): a procedure's channels are objects, not the
    // dossier's channel enum; local moments are not RFC 3339 date-times.
    let channels =
        &v["components"]["schemas"]["Procedure"]["properties"]["channels"]["items"]["$ref"];
    assert_eq!(
        channels, "#/components/schemas/ProcedureChannel",
        "{channels}"
    );
    assert!(v["components"]["schemas"]["ProcedureChannel"]["properties"]["time_raw"].is_object());
    let text = v.to_string();
    assert!(
        !text.contains("\"date-time\""),
        "no offset-less moment is declared a date-time"
    );
    let due = &v["components"]["schemas"]["Dossier"]["properties"]["received_at"];
    assert!(due.to_string().contains("pattern"), "{due}");
    let (s, html) = get(store, "/api/docs/").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("swagger"), "{html}");
});

storage_test!(pages_render_in_vietnamese, |store| {
    demo::load(store).await.unwrap();
    let (s, home) = get(store, "/").await;
    assert_eq!(s, StatusCode::OK);
    assert!(home.contains("<html lang=\"vi\">"));
    // The skip link is the first focusable element of every page.
    let first_link = home.find("<a ").unwrap();
    assert!(
        home[first_link..]
            .starts_with("<a class=\"skip\" href=\"#content\">Truy cập nội dung luôn</a>")
    );
    assert!(home.contains("Hộ tịch"));
    let (_, list) = get(store, "/thu-tuc?q=dang+ky+khai+sinh").await;
    assert!(list.contains("Thủ tục đăng ký khai sinh"), "{list}");
    assert!(list.contains("value=\"dang ky khai sinh\""));
    let (_, none) = get(store, "/thu-tuc?q=zzzzqqq").await;
    assert!(none.contains("Không tìm thấy thủ tục nào"));
    let (_, paged) = get(store, "/thu-tuc?field=H%E1%BB%99+t%E1%BB%8Bch&page=2").await;
    assert!(paged.contains("rel=\"prev\""));
    let (s, detail) = get(store, "/thu-tuc/1.001193").await;
    assert_eq!(s, StatusCode::OK);
    assert!(detail.contains("Thành phần hồ sơ") && detail.contains("Giấy khai sinh"));
    let (s, unit) = get(store, "/don-vi/169?date=2016-06-01").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        unit.contains("Thị trấn Chùa Hang")
            && unit.contains("Bộ phận Tiếp nhận và Trả kết quả huyện Đồng Hỷ")
    );
    let (s, err) = get(store, "/thu-tuc/1.999999").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(err.contains("Không tìm thấy thủ tục mã 1.999999"));
    let (s, _) = get(store, "/khong-co").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Text from the database is escaped.
    let (s, esc) = get(store, "/thu-tuc?q=%3Cscript%3E").await;
    assert_eq!(s, StatusCode::OK);
    assert!(!esc.contains("<script>") && esc.contains("&#60;script&#62;"));
});

storage_test!(calendar_year_api_and_page, |store| {
    demo::load(store).await.unwrap();
    let (s, v) = json(store, "/api/calendar/2019").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["tet"], "2019-02-05");
    assert_eq!(v["reception_cutoff"], "15:00");
    let ex = v["exceptions"].as_array().unwrap();
    let day = |d: &str| {
        ex.iter()
            .find(|x| x["date"] == d)
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(day("2019-05-04")["working"], true);
    assert_eq!(day("2019-04-29")["working"], false);
    assert_eq!(day("2019-02-04")["kind"], "holiday");
    assert_eq!(day("2019-02-04")["weekday"], "Mon");
    assert!(day("2019-03-05").is_null());
    // 365 days - 104 weekend days - 12 weekday holidays/compensatory/swap days + 1 working Saturday.
    let (mut off, mut on) = (0, 0);
    for x in ex {
        if x["working"] == true {
            on += 1
        } else {
            off += 1
        }
    }
    assert_eq!(v["working_days"].as_i64().unwrap(), 261 - off + on);
    let (s, v) = json(store, "/api/calendar/2019?agency=000.00.10.H55").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        v["hours"],
        "Mon-Fri 07:30-11:30 13:30-17:00; Sat 07:30-11:30"
    );
    for (uri, status) in [
        ("/api/calendar/1899", 400),
        ("/api/calendar/abc", 400),
        ("/api/calendar/2019?agency=000.99.99.H55", 404),
        ("/api/calendar/2019?agency=x", 400),
    ] {
        assert_eq!(json(store, uri).await.0.as_u16(), status, "{uri}");
    }
    let (s, html) = get(store, "/lich/2019").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("04/05/2019") && html.contains("Làm việc") && html.contains("05/02/2019"),
        "{html}"
    );
    let (s, _) = get(store, "/lich").await;
    assert_eq!(s, StatusCode::SEE_OTHER);
});

storage_test!(public_dossier_lookup_masks_personal_data, |store| {
    motcua_store::demo::load(store).await.unwrap();
    motcua_store::demo::load_dossiers(store).await.unwrap();
    let (s, body) = get(store, "/tra-cuu-ho-so").await;
    assert_eq!(s, StatusCode::OK);
    assert!(body.contains("Tra cứu hồ sơ") && body.contains("name=\"ma\""));
    // Trần Văn Hùng's demo dossier, received at the desk of Xã Đồng Hỷ.
    let (s, body) = get(store, "/tra-cuu-ho-so?ma=H55.305.1-261127-0002").await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert!(body.contains("T*** V** H***"), "masked name");
    assert!(
        !body.contains("Trần Văn Hùng") && !body.contains("019080000202"),
        "no personal data"
    );
    assert!(body.contains("Đã tiếp nhận") && body.contains("27/11/2026"));
    let (s, body) = get(store, "/tra-cuu-ho-so?ma=H55.305.1-261127-0999").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(body.contains("Không tìm thấy hồ sơ mã H55.305.1-261127-0999"));
    let (s, body) = get(store, "/tra-cuu-ho-so?ma=%3Cscript%3E").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(!body.contains("<script>"));
});

async fn visit(st: &AppState, uri: &str, ua: &str) -> String {
    let res = router(st.clone())
        .oneshot(
            Request::get(uri)
                .header("user-agent", ua)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body = to_bytes(res.into_body(), 16 << 20).await.unwrap();
    String::from_utf8(body.to_vec()).unwrap()
}

fn counter(page: &str) -> (String, String) {
    let num = |label: &str| {
        page.split(&format!("{label}: <strong>"))
            .nth(1)
            .and_then(|r| r.split('<').next())
            .unwrap_or_else(|| panic!("no {label} in page"))
            .to_string()
    };
    (num("Đang truy cập"), num("Tổng truy cập"))
}

storage_test!(visit_counter_counts_visits_not_views, |store| {
    demo::load(store).await.unwrap();
    let st = AppState::new(store.clone());
    let phone = "Mozilla/5.0 (Linux; Android 14) Chrome/130 Mobile Safari/537.36";
    let desk = "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0";
    assert_eq!(
        counter(&visit(&st, "/", phone).await),
        ("1".into(), "1".into())
    );
    // The same visitor browsing: one visit.
    assert_eq!(
        counter(&visit(&st, "/thu-tuc?q=khai+sinh", phone).await),
        ("1".into(), "1".into())
    );
    // A robot is not counted; another visitor is.
    assert_eq!(
        counter(&visit(&st, "/", "Googlebot/2.1 (+http://www.google.com/bot.html)").await),
        ("1".into(), "1".into())
    );
    assert_eq!(
        counter(&visit(&st, "/tra-cuu-ho-so", desk).await),
        ("2".into(), "2".into())
    );
    // Every portal page shows it; the total is stored within a second.
    tokio::time::sleep(std::time::Duration::from_millis(1600)).await;
    assert_eq!(store.visit_total().await.unwrap(), 2);
    // A restarted server starts from the stored total.
    let again = AppState::new(store.clone());
    let (_, total) = counter(&visit(&again, "/", "Mozilla/5.0 (Macintosh) Safari/605.1").await);
    assert_eq!(total, "3");
});

/// Issue 18.11: a client that sends its headers too slowly is cut off; a
/// normal one is served, with its address.
#[tokio::test]
async fn slow_headers_are_cut_off() {
    use std::io::{Read, Write};
    let db = motcua_store::testing::TestDb::sqlite().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(motcua_web::serve_with(
        listener,
        AppState::new(db.store.clone()),
        async move {
            let _ = rx.await;
        },
        std::time::Duration::from_millis(500),
    ));
    let outcome = tokio::task::spawn_blocking(move || {
        // Half a request line, then nothing.
        let mut slow = std::net::TcpStream::connect(addr).unwrap();
        slow.set_read_timeout(Some(std::time::Duration::from_secs(5)))
            .unwrap();
        slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            .unwrap();
        let started = std::time::Instant::now();
        let mut buf = Vec::new();
        let _ = slow.read_to_end(&mut buf);
        let closed_after = started.elapsed();
        // A whole request on another connection is answered.
        let mut ok = std::net::TcpStream::connect(addr).unwrap();
        ok.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut answer = String::new();
        ok.read_to_string(&mut answer).unwrap();
        (
            closed_after,
            String::from_utf8_lossy(&buf).into_owned(),
            answer,
        )
    })
    .await
    .unwrap();
    let (closed_after, slow_answer, answer) = outcome;
    assert!(
        closed_after < std::time::Duration::from_secs(4),
        "the slow connection was closed by the server, not by the client's own timeout: {closed_after:?} {slow_answer:?}"
    );
    assert!(!slow_answer.contains("200 OK"), "{slow_answer}");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    tx.send(()).unwrap();
    server.await.unwrap().unwrap();
    db.cleanup().await;
}

storage_test!(
    personal_pages_are_never_cached_and_links_use_public_url,
    |store| {
        // Issue 18.11: Cache-Control no-store on every page with personal data
        // (the visit counter turned two of them into no-cache); HSTS over HTTPS;
        // absolute links from public_url, never from the Host header.
        demo::load(store).await.unwrap();
        motcua_store::demo::load_news(store).await.unwrap();
        let send = |store: Store, uri: &'static str, host: &'static str| async move {
            let res = router(AppState::new(store))
                .oneshot(
                    Request::get(uri)
                        .header("host", host)
                        .body(Body::empty())
                        .unwrap(),
                )
                .await
                .unwrap();
            let headers = res.headers().clone();
            let body = to_bytes(res.into_body(), 16 << 20).await.unwrap();
            (headers, String::from_utf8_lossy(&body).into_owned())
        };
        let cache = |h: &axum::http::HeaderMap| {
            h.get("cache-control")
                .map(|v| v.to_str().unwrap().to_string())
                .unwrap_or_default()
        };
        for uri in [
            "/tra-cuu-ho-so?ma=H55.305.1-261127-0001",
            "/nop-truc-tuyen/1.001193",
            "/login",
            "/workspace/",
            "/tai-khoan",
        ] {
            let (h, _) = send(store.clone(), uri, "x").await;
            assert_eq!(cache(&h), "no-store", "{uri}");
            assert!(
                h.get("strict-transport-security").is_none(),
                "plain HTTP: no HSTS"
            );
        }
        let (h, _) = send(store.clone(), "/thu-tuc", "x").await;
        assert_eq!(cache(&h), "no-cache", "public pages revalidate");
        let public = store
            .clone()
            .with_portal_url("https://dichvucong.thainguyen.example.vn");
        let (h, feed) = send(public.clone(), "/tin-tuc/feed.atom", "evil.example").await;
        assert!(h.get("strict-transport-security").is_some(), "HTTPS: HSTS");
        assert!(
            feed.contains("https://dichvucong.thainguyen.example.vn/tin-tuc/"),
            "{feed}"
        );
        assert!(!feed.contains("evil.example"), "{feed}");
        let (_, map) = send(public, "/sitemap.xml", "evil.example").await;
        assert!(
            !map.contains("evil.example")
                && map.contains("https://dichvucong.thainguyen.example.vn/"),
            "{map}"
        );
    }
);
