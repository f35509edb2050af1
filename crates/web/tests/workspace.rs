//! The staff workspace through the real router, on both engines: sign-in,
//! sessions, CSRF, lockout, the desk, the dossier page and its actions,
//! scope between agencies, administration.

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use chrono::{Duration, Utc};
use motcua_core::codes::AgencyCode;
use motcua_core::dossier::Role;
use motcua_store::{LoginOutcome, demo, storage_test};
use motcua_web::{AppState, router};
use tower::ServiceExt;

mod common;
use common::{Res, cookie_value, hidden, person, send, sign_in};

const PW: &str = "mat-khau-du-dai";

storage_test!(sign_in_sessions_and_lockout, |store| {
    demo::load(store).await.unwrap();
    let st = AppState::new(store.clone());
    person(store, "tn1", "H55.305.1", &[Role::ReceptionOfficer], PW).await;
    // Without a session: to the sign-in page, remembering where.
    let r = send(&st, "GET", "/workspace/?hang=qua-han", "", None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location, "/login?next=%2Fworkspace%2F%3Fhang%3Dqua-han");
    let page = send(&st, "GET", "/login", "", None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("<form method=\"post\" action=\"/login\"")
    );
    assert!(page.body.contains("name=\"username\"") && page.body.contains("name=\"password\""));
    let csrf = hidden(&page.body, "csrf");
    let login = format!(
        "motcua_login={}",
        cookie_value(&page.cookies, "motcua_login").unwrap()
    );
    // A form without its token is refused, even with the right password.
    let r = send(
        &st,
        "POST",
        "/login",
        "",
        Some(&[("csrf", &csrf), ("username", "tn1"), ("password", PW)]),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(cookie_value(&r.cookies, "motcua_session").is_none());
    // A wrong password: a clear message, no session, the name kept, escaped.
    let r = send(
        &st,
        "POST",
        "/login",
        &login,
        Some(&[
            ("csrf", &csrf),
            ("username", "tn1<b>"),
            ("password", "sai-mat-khau"),
        ]),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("Tên đăng nhập hoặc mật khẩu không đúng"));
    assert!(
        r.body.contains("tn1&#60;b&#62;") || r.body.contains("tn1&lt;b&gt;"),
        "{}",
        r.body
    );
    assert!(!r.body.contains("tn1<b>"));
    assert!(cookie_value(&r.cookies, "motcua_session").is_none());
    // The right one: a session, then the workspace with its queues.
    let s = sign_in(&st, "tn1", PW).await;
    let w = send(&st, "GET", "/workspace/", &s, None).await;
    assert_eq!(w.status, StatusCode::OK, "{}", w.body);
    assert!(w.body.contains("Được giao cho tôi") && w.body.contains("Quá hạn"));
    assert!(w.body.contains("Tiếp nhận hồ sơ"));
    // Security headers on every page.
    let csp = w
        .headers
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"));
    assert_eq!(w.headers.get("x-content-type-options").unwrap(), "nosniff");
    assert!(w.headers.get("referrer-policy").is_some());
    // Sign-out ends the session server-side.
    let csrf = hidden(&w.body, "csrf");
    let r = send(&st, "POST", "/logout", &s, Some(&[("csrf", &csrf)])).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        send(&st, "GET", "/workspace/", &s, None).await.status,
        StatusCode::SEE_OTHER
    );
    // Wrong passwords never lock the account (issue 18.6: a stranger could
    // keep an officer out); sign-in is slowed per account and address.
    let now = Utc::now();
    for _ in 0..20 {
        assert!(matches!(
            store.login("tn1", "wrong-password", now).await.unwrap(),
            LoginOutcome::BadCredentials
        ));
    }
    assert!(matches!(
        store.login("tn1", PW, now).await.unwrap(),
        LoginOutcome::Ok { .. }
    ));
    // Sessions expire after 30 idle minutes.
    let LoginOutcome::Ok { secret, .. } = store.login("tn1", PW, now).await.unwrap() else {
        panic!("sign-in")
    };
    assert!(
        store
            .session(&secret, now + Duration::minutes(29))
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        store
            .session(&secret, now + Duration::minutes(60))
            .await
            .unwrap()
            .is_none()
    );
    // A hash is stored, never the password.
    let users = store.users(None).await.unwrap();
    assert!(
        users
            .iter()
            .any(|u| u.user.username == "tn1" && u.has_password)
    );
});

fn code_of(location: &str) -> String {
    location
        .trim_start_matches("/workspace/ho-so/")
        .split('?')
        .next()
        .unwrap()
        .to_string()
}

storage_test!(the_desk_receives_and_the_dossier_page_acts, |store| {
    demo::load(store).await.unwrap();
    let st = AppState::new(store.clone()).with_files(motcua_store::files::Files::local(
        std::env::temp_dir().join(format!("motcua-ws-{}", std::process::id())),
    ));
    person(store, "desk", "H55.305.1", &[Role::ReceptionOfficer], PW).await;
    person(store, "spec", "H55.305.1", &[Role::Specialist], PW).await;
    person(store, "other", "H55.301.1", &[Role::ReceptionOfficer], PW).await;
    let s = sign_in(&st, "desk", PW).await;
    // Find the procedure without diacritics.
    let r = send(
        &st,
        "GET",
        "/workspace/tiep-nhan?q=dang+ky+khai+sinh",
        &s,
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains("/workspace/tiep-nhan/1.001193"),
        "{}",
        r.body
    );
    let form = send(&st, "GET", "/workspace/tiep-nhan/1.001193", &s, None).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body.contains("bắt buộc"),
        "the required form is marked"
    );
    let csrf = hidden(&form.body, "csrf");
    // The index of the required form in the checklist.
    let pv = store
        .procedure(
            &motcua_core::codes::ProcedureCode::new("1.001193").unwrap(),
            None,
        )
        .await
        .unwrap()
        .unwrap();
    let req = pv
        .procedure
        .documents
        .iter()
        .position(|d| d.required)
        .unwrap()
        .to_string();
    let applicant = [
        ("kind", "citizen"),
        ("full_name", "Lò Văn A"),
        ("id_number", "019203001234"),
        ("phone", "0912345678"),
        // A name may not hold markup (issue 18.7); an address may, escaped.
        ("address", "<script>alert(1)</script> Xã Đồng Hỷ"),
        ("channel", "direct"),
    ];
    // Without the required document: refused, what was typed is kept (escaped).
    let mut f: Vec<(&str, &str)> = vec![("csrf", &csrf)];
    f.extend(applicant);
    let r = send(&st, "POST", "/workspace/tiep-nhan/1.001193", &s, Some(&f)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("thiếu giấy tờ bắt buộc"), "{}", r.body);
    assert!(!r.body.contains("<script>alert(1)</script>"));
    assert!(r.body.contains("Lò Văn A"));
    assert_eq!(
        store
            .count_dossiers_at(&AgencyCode::new("H55.305.1").unwrap())
            .await
            .unwrap(),
        0
    );
    // A bad CSRF token changes nothing either.
    let mut bad: Vec<(&str, &str)> = vec![("csrf", "nope"), ("doc", &req)];
    bad.extend(applicant);
    let r = send(&st, "POST", "/workspace/tiep-nhan/1.001193", &s, Some(&bad)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // With it: received, to the dossier page.
    f.push(("doc", &req));
    let r = send(&st, "POST", "/workspace/tiep-nhan/1.001193", &s, Some(&f)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let code = code_of(&r.location);
    let page = send(&st, "GET", &r.location, &s, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&code) && page.body.contains("Đã tiếp nhận"));
    assert!(
        page.body
            .contains(&format!("/api/dossiers/{code}/slips/receipt.pdf"))
    );
    // The receipt prints with the session (GET through the API).
    let pdf = send(
        &st,
        "GET",
        &format!("/api/dossiers/{code}/slips/receipt.pdf"),
        &s,
        None,
    )
    .await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert!(pdf.body.starts_with("%PDF"));
    // Forward to processing; the version guards against a stale form.
    let version = hidden(&page.body, "version");
    let csrf = hidden(&page.body, "csrf");
    let forward = [
        ("csrf", csrf.as_str()),
        ("action", "forward"),
        ("version", version.as_str()),
    ];
    let r = send(
        &st,
        "POST",
        &format!("/workspace/ho-so/{code}"),
        &s,
        Some(&forward),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = send(
        &st,
        "POST",
        &format!("/workspace/ho-so/{code}"),
        &s,
        Some(&forward),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "the same form twice");
    assert!(r.body.contains("role=\"alert\""));
    // The specialist sees it in the agency's queue and may complete the step only.
    let sp = sign_in(&st, "spec", PW).await;
    let q = send(&st, "GET", "/workspace/?hang=tat-ca", &sp, None).await;
    assert!(q.body.contains(&code));
    let page = send(&st, "GET", &format!("/workspace/ho-so/{code}"), &sp, None).await;
    assert!(
        page.body.contains("value=\"complete_step\""),
        "{}",
        page.body
    );
    assert!(!page.body.contains("value=\"resolve\""));
    // The reception officer may not resolve: 403, nothing changed.
    let page = send(&st, "GET", &format!("/workspace/ho-so/{code}"), &s, None).await;
    let v = hidden(&page.body, "version");
    let csrf = hidden(&page.body, "csrf");
    let r = send(
        &st,
        "POST",
        &format!("/workspace/ho-so/{code}"),
        &s,
        Some(&[("csrf", &csrf), ("action", "resolve"), ("version", &v)]),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let d = store
        .dossier(&motcua_core::dossier::DossierCode::parse(&code).unwrap())
        .await
        .unwrap()
        .unwrap()
        .dossier;
    assert_eq!(d.version.to_string(), v);
    // Another commune's officer does not see it.
    let o = sign_in(&st, "other", PW).await;
    assert_eq!(
        send(&st, "GET", &format!("/workspace/ho-so/{code}"), &o, None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert!(
        !send(&st, "GET", "/workspace/?hang=tat-ca", &o, None)
            .await
            .body
            .contains(&code)
    );
    // The search box goes straight to a whole code.
    let r = send(&st, "GET", &format!("/workspace/tim?ma={code}"), &s, None).await;
    assert_eq!(r.location, format!("/workspace/ho-so/{code}"));
});

storage_test!(administration_of_users, |store| {
    demo::load(store).await.unwrap();
    let st = AppState::new(store.clone());
    person(store, "qtri", "H55.305.1", &[Role::Administrator], PW).await;
    person(store, "tn2", "H55.305.1", &[Role::ReceptionOfficer], PW).await;
    person(store, "xa-khac", "H55.301.1", &[Role::ReceptionOfficer], PW).await;
    let s = sign_in(&st, "qtri", PW).await;
    let page = send(&st, "GET", "/workspace/quan-tri/nguoi-dung", &s, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("tn2") && !page.body.contains("xa-khac"),
        "own agency only"
    );
    let csrf = hidden(&page.body, "csrf");
    // Create a specialist with a password; they can sign in.
    let r = send(
        &st,
        "POST",
        "/workspace/quan-tri/nguoi-dung",
        &s,
        Some(&[
            ("csrf", &csrf),
            ("op", "create"),
            ("username", "cv.moi"),
            ("name", "Chuyên viên mới"),
            ("agency", "H55.305.1"),
            ("role", "specialist"),
            ("password", "mat-khau-moi-123"),
        ]),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    sign_in(&st, "cv.moi", "mat-khau-moi-123").await;
    // Another agency is out of scope.
    let r = send(
        &st,
        "POST",
        "/workspace/quan-tri/nguoi-dung",
        &s,
        Some(&[
            ("csrf", &csrf),
            ("op", "password"),
            ("username", "xa-khac"),
            ("password", "12345678910"),
        ]),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Reset a password: the old one stops working, sessions end.
    let old = sign_in(&st, "tn2", PW).await;
    let r = send(
        &st,
        "POST",
        "/workspace/quan-tri/nguoi-dung",
        &s,
        Some(&[
            ("csrf", &csrf),
            ("op", "password"),
            ("username", "tn2"),
            ("password", "mat-khau-dat-lai"),
        ]),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        send(&st, "GET", "/workspace/", &old, None).await.status,
        StatusCode::SEE_OTHER
    );
    assert!(matches!(
        store.login("tn2", PW, Utc::now()).await.unwrap(),
        LoginOutcome::BadCredentials
    ));
    // Disable: no sign-in, no API token.
    let token = store.create_token("tn2").await.unwrap();
    let r = send(
        &st,
        "POST",
        "/workspace/quan-tri/nguoi-dung",
        &s,
        Some(&[("csrf", &csrf), ("op", "disable"), ("username", "tn2")]),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(matches!(
        store
            .login("tn2", "mat-khau-dat-lai", Utc::now())
            .await
            .unwrap(),
        LoginOutcome::Disabled
    ));
    assert!(store.user_by_token(&token).await.unwrap().is_none());
    // A non-administrator is refused.
    let t = sign_in(&st, "cv.moi", "mat-khau-moi-123").await;
    assert_eq!(
        send(&st, "GET", "/workspace/quan-tri/nguoi-dung", &t, None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
});

storage_test!(
    the_process_editor_checks_budgets_and_reception_uses_it,
    |store| {
        demo::load(store).await.unwrap();
        let st = AppState::new(store.clone());
        person(store, "qtri", "H55.305.1", &[Role::Administrator], PW).await;
        person(store, "desk", "H55.305.1", &[Role::ReceptionOfficer], PW).await;
        let s = sign_in(&st, "qtri", PW).await;
        let r = send(
            &st,
            "GET",
            "/workspace/quan-tri/quy-trinh?q=chung+thuc+ban+sao",
            &s,
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body.contains("/workspace/quan-tri/quy-trinh/2.000815"),
            "{}",
            r.body
        );
        let page = send(
            &st,
            "GET",
            "/workspace/quan-tri/quy-trinh/2.000815",
            &s,
            None,
        )
        .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains("Đối chiếu bản sao với bản chính"),
            "the curated steps"
        );
        assert!(
            !page.body.contains("value=\"all\""),
            "a commune admin edits only their agency's version"
        );
        let csrf = hidden(&page.body, "csrf");
        let steps = |h2: &str| {
            vec![
                ("csrf".to_string(), csrf.clone()),
                ("name_0".into(), "Tiếp nhận".into()),
                ("role_0".into(), "reception_officer".into()),
                ("agency_0".into(), "".into()),
                ("hours_0".into(), "0,5".into()),
                ("name_1".into(), "Ký chứng thực".into()),
                ("role_1".into(), "signing_leader".into()),
                ("agency_1".into(), "".into()),
                ("hours_1".into(), h2.to_string()),
                ("name_2".into(), "Trả kết quả".into()),
                ("role_2".into(), "reception_officer".into()),
                ("agency_2".into(), "".into()),
                ("hours_2".into(), "0.5".into()),
                ("name_3".into(), "".into()),
                ("valid_from".into(), "2020-01-01".into()),
                ("scope".into(), "agency".into()),
                ("note".into(), "QĐ 7/QĐ-UBND".into()),
            ]
        };
        fn form(v: &[(String, String)]) -> Vec<(&str, &str)> {
            v.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect()
        }
        // Over the same-day budget (7.5 h): refused, what was typed is kept.
        let over = steps("7");
        let r = send(
            &st,
            "POST",
            "/workspace/quan-tri/quy-trinh/2.000815",
            &s,
            Some(&form(&over)),
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.body.contains("vượt quá thời hạn"), "{}", r.body);
        assert!(r.body.contains("value=\"Ký chứng thực\""));
        // The general scope is refused to a commune administrator.
        let mut all = steps("2");
        all.retain(|(k, _)| k != "scope");
        all.push(("scope".into(), "all".into()));
        let r = send(
            &st,
            "POST",
            "/workspace/quan-tri/quy-trinh/2.000815",
            &s,
            Some(&form(&all)),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let ok = steps("6,5");
        let r = send(
            &st,
            "POST",
            "/workspace/quan-tri/quy-trinh/2.000815",
            &s,
            Some(&form(&ok)),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(
            r.body.contains("đã lưu quy trình 3 bước, 7.5 giờ"),
            "{}",
            r.body
        );
        // A reception at this desk follows it.
        let token = { store.create_token("desk").await.unwrap() };
        let req = Request::builder()
        .method("POST")
        .uri("/api/dossiers")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::from(
            serde_json::json!({"procedure_code": "2.000815", "channel": "direct",
                "applicant": {"kind": "citizen", "full_name": "Hà Văn B", "id_number": "019203001234"}})
            .to_string(),
        ))
        .unwrap();
        let res = router(st.clone()).oneshot(req).await.unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
        let v: serde_json::Value =
            serde_json::from_slice(&to_bytes(res.into_body(), 1 << 20).await.unwrap()).unwrap();
        let names: Vec<&str> = v["dossier"]["process"]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["Tiếp nhận", "Ký chứng thực", "Trả kết quả"]);
    }
);

storage_test!(calendar_and_agency_administration, |store| {
    use chrono::NaiveDate;
    demo::load(store).await.unwrap();
    let st = AppState::new(store.clone());
    person(
        store,
        "qt.tinh",
        "000.00.00.H55",
        &[Role::Administrator],
        PW,
    )
    .await;
    person(store, "qt.xa", "H55.305.1", &[Role::Administrator], PW).await;
    let root = sign_in(&st, "qt.tinh", PW).await;
    let page = send(&st, "GET", "/workspace/quan-tri/lich?nam=2028", &root, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Tết Nguyên Đán"),
        "derived holidays shown"
    );
    let csrf = hidden(&page.body, "csrf");
    // A swapped day off in a year with no stored rules yet keeps Tết.
    let d = NaiveDate::from_ymd_opt(2028, 6, 2).unwrap();
    assert!(store.calendar(None).await.unwrap().is_working_day(d));
    let r = send(
        &st,
        "POST",
        "/workspace/quan-tri/lich",
        &root,
        Some(&[
            ("csrf", &csrf),
            ("op", "set"),
            ("date", "2028-06-02"),
            ("kind", "swap-dayoff"),
            ("name", "Nghỉ hoán đổi dịp 30/4-1/5"),
            ("note", "Thông báo 1234/TB-BNV"),
        ]),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let cal = store.calendar(None).await.unwrap();
    assert!(!cal.is_working_day(d));
    let tet = motcua_core::calendar::lunar::tet(2028).unwrap();
    assert!(!cal.is_working_day(tet), "Tết 2028 is still a holiday");
    // Bad input changes nothing.
    let r = send(
        &st,
        "POST",
        "/workspace/quan-tri/lich",
        &root,
        Some(&[
            ("csrf", &csrf),
            ("op", "set"),
            ("date", "2028-13-01"),
            ("kind", "holiday"),
            ("name", "x"),
        ]),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // Removing it makes the day a working day again.
    let r = send(
        &st,
        "POST",
        "/workspace/quan-tri/lich",
        &root,
        Some(&[("csrf", &csrf), ("op", "remove"), ("date", "2028-06-02")]),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(store.calendar(None).await.unwrap().is_working_day(d));
    // A commune administrator changes only their own desk's calendar and hours.
    let xa = sign_in(&st, "qt.xa", PW).await;
    let page = send(&st, "GET", "/workspace/quan-tri/co-quan", &xa, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("H55.305.1"));
    let csrf = hidden(&page.body, "csrf");
    let desk = AgencyCode::new("H55.305.1").unwrap();
    let sat = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
    assert!(
        !store
            .calendar(Some(&desk))
            .await
            .unwrap()
            .is_working_day(sat)
    );
    let r = send(
        &st,
        "POST",
        "/workspace/quan-tri/co-quan",
        &xa,
        Some(&[
            ("csrf", &csrf),
            ("code", "H55.305.1"),
            ("hours", "Mon-Fri 07:30-11:30 13:30-17:00; Sat 07:30-11:30"),
            ("desk", "1"),
            ("address", "Xóm Mỏ Đá, xã Đồng Hỷ"),
        ]),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        store
            .calendar(Some(&desk))
            .await
            .unwrap()
            .is_working_day(sat)
    );
    let r = send(
        &st,
        "POST",
        "/workspace/quan-tri/co-quan",
        &xa,
        Some(&[
            ("csrf", &csrf),
            ("code", "H55.305.1"),
            ("hours", "Mon-Fri 25:00-26:00"),
            ("desk", "1"),
        ]),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("giờ làm việc không hợp lệ"));
    let r = send(
        &st,
        "POST",
        "/workspace/quan-tri/co-quan",
        &xa,
        Some(&[
            ("csrf", &csrf),
            ("code", "H55.301.1"),
            ("hours", "Mon-Fri 07:30-11:30"),
            ("desk", "1"),
        ]),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let page = send(&st, "GET", "/workspace/quan-tri/lich?nam=2026", &xa, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("Trung tâm Phục vụ hành chính công xã Đồng Hỷ")
    );
});

storage_test!(the_catalogue_admin_marks_required_documents, |store| {
    demo::load(store).await.unwrap();
    let st = AppState::new(store.clone());
    person(
        store,
        "qt.tinh",
        "000.00.00.H55",
        &[Role::Administrator],
        PW,
    )
    .await;
    person(store, "qt.xa", "H55.305.1", &[Role::Administrator], PW).await;
    let xa = sign_in(&st, "qt.xa", PW).await;
    assert_eq!(
        send(
            &st,
            "GET",
            "/workspace/quan-tri/thu-tuc/1.001193",
            &xa,
            None
        )
        .await
        .status,
        StatusCode::FORBIDDEN,
        "the catalogue is the installation's"
    );
    let s = sign_in(&st, "qt.tinh", PW).await;
    let r = send(
        &st,
        "GET",
        "/workspace/quan-tri/thu-tuc?q=khai+sinh",
        &s,
        None,
    )
    .await;
    assert!(r.body.contains("/workspace/quan-tri/thu-tuc/1.001193"));
    let page = send(&st, "GET", "/workspace/quan-tri/thu-tuc/1.001193", &s, None).await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = hidden(&page.body, "csrf");
    let pcode = motcua_core::codes::ProcedureCode::new("1.001193").unwrap();
    let pv = store.procedure(&pcode, None).await.unwrap().unwrap();
    let form = pv
        .procedure
        .documents
        .iter()
        .position(|d| d.required)
        .unwrap()
        .to_string();
    let cert = pv
        .procedure
        .documents
        .iter()
        .position(|d| d.name.starts_with("Giấy chứng sinh"))
        .unwrap()
        .to_string();
    let before = store.procedure_versions(&pcode).await.unwrap().len();
    let r = send(
        &st,
        "POST",
        "/workspace/quan-tri/thu-tuc/1.001193",
        &s,
        Some(&[
            ("csrf", &csrf),
            ("doc", &form),
            ("doc", &cert),
            ("valid_from", "2026-01-01"),
        ]),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("2 giấy tờ bắt buộc"));
    let versions = store.procedure_versions(&pcode).await.unwrap();
    assert_eq!(versions.len(), before + 1, "a new version");
    let now = store.procedure(&pcode, None).await.unwrap().unwrap();
    assert_eq!(
        now.procedure
            .documents
            .iter()
            .filter(|d| d.required)
            .count(),
        2
    );
    // A bad index changes nothing.
    let r = send(
        &st,
        "POST",
        "/workspace/quan-tri/thu-tuc/1.001193",
        &s,
        Some(&[
            ("csrf", &csrf),
            ("doc", "999"),
            ("valid_from", "2026-02-01"),
        ]),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        store.procedure_versions(&pcode).await.unwrap().len(),
        before + 1
    );
});

storage_test!(notice_templates_reword_the_outbox, |store| {
    demo::load(store).await.unwrap();
    let st = AppState::new(store.clone());
    person(
        store,
        "qt.tinh",
        "000.00.00.H55",
        &[Role::Administrator],
        PW,
    )
    .await;
    person(store, "desk", "H55.305.1", &[Role::ReceptionOfficer], PW).await;
    let s = sign_in(&st, "qt.tinh", PW).await;
    let page = send(&st, "GET", "/workspace/quan-tri/thong-bao", &s, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("{ma_ho_so}"));
    let csrf = hidden(&page.body, "csrf");
    let r = send(
        &st,
        "POST",
        "/workspace/quan-tri/thong-bao",
        &s,
        Some(&[
            ("csrf", &csrf),
            ("op", "save"),
            ("action", "receive"),
            ("subject", "UBND xã Đồng Hỷ đã nhận hồ sơ {ma}"),
            ("body", "x"),
            ("sms", ""),
        ]),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "unknown placeholder");
    let r = send(
        &st,
        "POST",
        "/workspace/quan-tri/thong-bao",
        &s,
        Some(&[
            ("csrf", &csrf),
            ("op", "save"),
            ("action", "receive"),
            ("subject", "UBND xã Đồng Hỷ đã nhận hồ sơ {ma_ho_so}"),
            ("body", "Kính gửi {ho_ten}, hẹn trả kết quả {han_tra}."),
            ("sms", ""),
        ]),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let token = store.create_token("desk").await.unwrap();
    let req = Request::builder()
        .method("POST")
        .uri("/api/dossiers")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::from(
            serde_json::json!({"procedure_code": "1.001193", "channel": "direct",
                "applicant": {"kind": "citizen", "full_name": "Hà Thị C", "id_number": "019203001234", "email": "c@example.vn"}})
            .to_string(),
        ))
        .unwrap();
    let res = router(st.clone()).oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let outbox = store.outbox().await.unwrap();
    let m = outbox.last().unwrap();
    assert!(
        m.subject
            .starts_with("UBND xã Đồng Hỷ đã nhận hồ sơ H55.305.1-"),
        "{}",
        m.subject
    );
    assert!(
        m.body.starts_with("Kính gửi Hà Thị C, hẹn trả kết quả "),
        "{}",
        m.body
    );
    let r = send(
        &st,
        "POST",
        "/workspace/quan-tri/thong-bao",
        &s,
        Some(&[("csrf", &csrf), ("op", "reset"), ("action", "receive")]),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(store.notice_templates().await.unwrap().is_empty());
});

storage_test!(the_desk_looks_up_a_returning_applicant, |store| {
    demo::load(store).await.unwrap();
    demo::load_dossiers(store).await.unwrap();
    let st = AppState::new(store.clone());
    person(store, "desk", "H55.305.1", &[Role::ReceptionOfficer], PW).await;
    person(store, "desk2", "H55.301.1", &[Role::ReceptionOfficer], PW).await;
    let s = sign_in(&st, "desk", PW).await;
    // Trần Văn Hùng has a demo dossier at this desk.
    let r = send(
        &st,
        "GET",
        "/workspace/tiep-nhan/1.001193?cccd=019080000202",
        &s,
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("value=\"Trần Văn Hùng\""), "{}", r.body);
    assert!(
        r.body
            .contains("Đã điền thông tin người nộp từ hồ sơ H55.305.1-")
    );
    let r = send(
        &st,
        "GET",
        "/workspace/tiep-nhan/1.001193?cccd=019999999999",
        &s,
        None,
    )
    .await;
    assert!(r.body.contains("Chưa có hồ sơ nào của người nộp này"));
    // Another desk does not see this desk's applicants.
    let o = sign_in(&st, "desk2", PW).await;
    let r = send(
        &st,
        "GET",
        "/workspace/tiep-nhan/1.001193?cccd=019080000202",
        &o,
        None,
    )
    .await;
    assert!(!r.body.contains("Trần Văn Hùng"));
});

storage_test!(the_desk_refuses_a_walk_in_dossier_with_a_slip, |store| {
    demo::load(store).await.unwrap();
    let st = AppState::new(store.clone());
    person(store, "desk", "H55.305.1", &[Role::ReceptionOfficer], PW).await;
    let s = sign_in(&st, "desk", PW).await;
    let form = send(&st, "GET", "/workspace/tiep-nhan/1.001193", &s, None).await;
    let csrf = hidden(&form.body, "csrf");
    let base = [
        ("csrf", csrf.as_str()),
        ("kind", "citizen"),
        ("full_name", "Vi Văn D"),
        ("id_number", "019203001234"),
        ("channel", "direct"),
        ("op", "refuse"),
    ];
    // A refusal needs its reason.
    let r = send(
        &st,
        "POST",
        "/workspace/tiep-nhan/1.001193",
        &s,
        Some(&base),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let mut f = base.to_vec();
    f.push((
        "refusal_reason",
        "Người yêu cầu không có giấy chứng sinh và không có người làm chứng",
    ));
    let r = send(&st, "POST", "/workspace/tiep-nhan/1.001193", &s, Some(&f)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(r.location.ends_with("?xong=refuse"));
    let code = code_of(&r.location);
    let page = send(&st, "GET", &r.location, &s, None).await;
    assert!(page.body.contains("Từ chối tiếp nhận"));
    assert!(
        page.body
            .contains(&format!("/api/dossiers/{code}/slips/refusal.pdf"))
    );
    let pdf = send(
        &st,
        "GET",
        &format!("/api/dossiers/{code}/slips/refusal.pdf"),
        &s,
        None,
    )
    .await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert!(pdf.body.starts_with("%PDF"));
    let d = store
        .dossier(&motcua_core::dossier::DossierCode::parse(&code).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(d.dossier.received_at, None);
    assert_eq!(d.events.len(), 1);
});

storage_test!(huge_and_hostile_forms_are_refused_cleanly, |store| {
    demo::load(store).await.unwrap();
    let st = AppState::new(store.clone());
    person(store, "desk", "H55.305.1", &[Role::ReceptionOfficer], PW).await;
    let s = sign_in(&st, "desk", PW).await;
    let form = send(&st, "GET", "/workspace/tiep-nhan/1.001193", &s, None).await;
    let csrf = hidden(&form.body, "csrf");
    // A 300 KB field: refused with a message, nothing received.
    let huge = "A".repeat(300 * 1024);
    let r = send(
        &st,
        "POST",
        "/workspace/tiep-nhan/1.001193",
        &s,
        Some(&[("csrf", &csrf), ("full_name", &huge)]),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        &r.body[..r.body.len().min(300)]
    );
    assert!(r.body.contains("biểu mẫu quá lớn"));
    // A long name (over the applicant limit) and markup: a clear 400, escaped.
    let long = format!("<img src=x onerror=alert(1)>{}", "B".repeat(400));
    let r = send(
        &st,
        "POST",
        "/workspace/tiep-nhan/1.001193",
        &s,
        Some(&[
            ("csrf", &csrf),
            ("kind", "citizen"),
            ("full_name", &long),
            ("id_number", "019203001234"),
        ]),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(!r.body.contains("<img src=x"));
    assert_eq!(
        store
            .count_dossiers_at(&AgencyCode::new("H55.305.1").unwrap())
            .await
            .unwrap(),
        0
    );
});

/// POSTs a multipart form with the session cookie.
async fn send_multipart(
    st: &AppState,
    uri: &str,
    cookie: &str,
    parts: &[(&str, &str)],
    image: Option<&[u8]>,
) -> Res {
    let mut b = Vec::new();
    for (n, v) in parts {
        b.extend_from_slice(
            format!("--XB\r\nContent-Disposition: form-data; name=\"{n}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    if let Some(img) = image {
        b.extend_from_slice(
            b"--XB\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n",
        );
        b.extend_from_slice(img);
        b.extend_from_slice(b"\r\n");
    }
    b.extend_from_slice(b"--XB--\r\n");
    let req = Request::post(uri)
        .header(header::CONTENT_TYPE, "multipart/form-data; boundary=XB")
        .header(header::COOKIE, cookie)
        .body(Body::from(b))
        .unwrap();
    common::request(st, req).await
}

const PNG: &[u8] = &[
    0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, b'I', b'H', b'D', b'R',
];

storage_test!(news_editors_publish_schedule_and_sanitise, |store| {
    demo::load(store).await.unwrap();
    let st = AppState::new(store.clone()).with_files(motcua_store::files::Files::local(
        std::env::temp_dir().join(format!("motcua-news-{}", std::process::id())),
    ));
    person(store, "bt1", "H55.305.1", &[Role::Editor], PW).await;
    person(store, "cv1", "H55.305.1", &[Role::Specialist], PW).await;
    let cv = sign_in(&st, "cv1", PW).await;
    assert_eq!(
        send(&st, "GET", "/workspace/tin-tuc", &cv, None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let ed = sign_in(&st, "bt1", PW).await;
    let list = send(&st, "GET", "/workspace/tin-tuc", &ed, None).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let form = send(&st, "GET", "/workspace/tin-tuc/moi", &ed, None).await;
    let csrf = hidden(&form.body, "csrf");
    let article = |title: &'static str, publish: &'static str, at: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("title", title.to_string()),
            ("summary", "Lịch tiếp công dân tháng 12.".to_string()),
            (
                "body",
                "## Lịch\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) **Thứ Năm**"
                    .to_string(),
            ),
            ("category", "thong-bao".to_string()),
            ("author", "Ban biên tập".to_string()),
            ("image_caption", "Trụ sở UBND xã".to_string()),
            ("publish", publish.to_string()),
            ("publish_at", at.to_string()),
        ]
    };
    async fn post(
        st: &AppState,
        uri: &str,
        ed: &str,
        v: &[(&'static str, String)],
        img: Option<&[u8]>,
    ) -> Res {
        let p: Vec<(&str, &str)> = v.iter().map(|(k, x)| (*k, x.as_str())).collect();
        send_multipart(st, uri, ed, &p, img).await
    }
    // Published now, with an image: public, sanitised, with Open Graph tags.
    let r = post(
        &st,
        "/workspace/tin-tuc/moi",
        &ed,
        &article("Thông báo lịch tiếp công dân", "now", ""),
        Some(PNG),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        r.location,
        "/workspace/tin-tuc/thong-bao-lich-tiep-cong-dan?xong=1"
    );
    let page = send(
        &st,
        "GET",
        "/tin-tuc/thong-bao-lich-tiep-cong-dan",
        "",
        None,
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<h1>Thông báo lịch tiếp công dân</h1>"));
    assert!(
        page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("<script>alert"));
    assert!(page.body.contains(r##"<a href="#">x</a>"##));
    assert!(page.body.contains("<strong>Thứ Năm</strong>"));
    assert!(
        page.body
            .contains(r#"<meta property="og:title" content="Thông báo lịch tiếp công dân">"#)
    );
    let sha = page
        .body
        .split("/tin-tuc/anh/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    assert!(
        page.body
            .contains("<figcaption>Trụ sở UBND xã</figcaption>")
    );
    let img = send(&st, "GET", &format!("/tin-tuc/anh/{sha}"), "", None).await;
    assert_eq!(img.status, StatusCode::OK);
    assert_eq!(img.headers[header::CONTENT_TYPE], "image/png");
    // Scheduled: invisible until its moment, listed for the editors.
    let r = post(
        &st,
        "/workspace/tin-tuc/moi",
        &ed,
        &article("Lịch nghỉ Tết Nguyên đán", "at", "2099-01-20T08:00"),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        send(&st, "GET", "/tin-tuc/lich-nghi-tet-nguyen-dan", "", None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let public = send(&st, "GET", "/tin-tuc", "", None).await;
    assert!(
        public.body.contains("Thông báo lịch tiếp công dân")
            && !public.body.contains("Lịch nghỉ Tết")
    );
    let feed = send(&st, "GET", "/tin-tuc/feed.atom", "", None).await;
    assert_eq!(
        feed.headers[header::CONTENT_TYPE],
        "application/atom+xml; charset=utf-8"
    );
    assert!(
        feed.body
            .contains("<title>Thông báo lịch tiếp công dân</title>")
            && !feed.body.contains("Lịch nghỉ Tết")
    );
    let list = send(&st, "GET", "/workspace/tin-tuc", &ed, None).await;
    assert!(
        list.body
            .contains("Lịch nghỉ Tết Nguyên đán</a></td><td>Hẹn giờ đăng"),
        "{}",
        list.body
    );
    let sitemap = send(&st, "GET", "/sitemap.xml", "", None).await;
    assert!(
        sitemap
            .body
            .contains("/tin-tuc/thong-bao-lich-tiep-cong-dan</loc>")
            && !sitemap.body.contains("lich-nghi-tet")
    );
    // Bad input changes nothing.
    let before = store
        .all_articles(motcua_store::Paging::new(1, 100).unwrap())
        .await
        .unwrap()
        .total;
    let mut bad = article("", "now", "");
    let r = post(&st, "/workspace/tin-tuc/moi", &ed, &bad, None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("Tiêu đề không được để trống"), "{}", r.body);
    bad = article("Thông báo lịch tiếp công dân", "now", "");
    assert_eq!(
        post(&st, "/workspace/tin-tuc/moi", &ed, &bad, None)
            .await
            .status,
        StatusCode::CONFLICT
    );
    let r = post(
        &st,
        "/workspace/tin-tuc/moi",
        &ed,
        &article("Ảnh giả", "now", ""),
        Some(b"GIF89a not a png"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", r.body);
    bad = article("Không có CSRF", "now", "");
    bad[0].1 = "sai".into();
    assert_eq!(
        post(&st, "/workspace/tin-tuc/moi", &ed, &bad, None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let after = store
        .all_articles(motcua_store::Paging::new(1, 100).unwrap())
        .await
        .unwrap()
        .total;
    assert_eq!(before, after);
    // Withdrawn (back to a draft): gone from the portal.
    let r = post(
        &st,
        "/workspace/tin-tuc/thong-bao-lich-tiep-cong-dan",
        &ed,
        &article("Thông báo lịch tiếp công dân", "draft", ""),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        send(
            &st,
            "GET",
            "/tin-tuc/thong-bao-lich-tiep-cong-dan",
            "",
            None
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        send(&st, "GET", &format!("/tin-tuc/anh/{sha}"), "", None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
});

storage_test!(one_bad_calendar_row_never_stops_a_desk, |store| {
    // Issue 18.1: a day outside the supported range was stored by the form
    // (answered 400), and then every page of the desk answered 500.
    demo::load(store).await.unwrap();
    demo::load_dossiers(store).await.unwrap();
    let st = AppState::new(store.clone());
    person(store, "qt.xa", "H55.305.1", &[Role::Administrator], PW).await;
    person(store, "tn.xa", "H55.305.1", &[Role::ReceptionOfficer], PW).await;
    let desk = AgencyCode::new("H55.305.1").unwrap();
    let admin = sign_in(&st, "qt.xa", PW).await;
    let page = send(
        &st,
        "GET",
        "/workspace/quan-tri/lich?nam=2026",
        &admin,
        None,
    )
    .await;
    let csrf = hidden(&page.body, "csrf");
    // Every path refuses a bad rule and stores nothing: the form...
    for (date, name) in [
        ("2101-01-01", "Gõ nhầm năm"),
        ("2026-12-07", "Tên\u{202E}ngược"),
    ] {
        let r = send(
            &st,
            "POST",
            "/workspace/quan-tri/lich",
            &admin,
            Some(&[
                ("csrf", &csrf),
                ("op", "set"),
                ("date", date),
                ("kind", "holiday"),
                ("name", name),
            ]),
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{date}: {}", r.body);
    }
    assert!(store.agency_day_rules(&desk).await.unwrap().is_empty());
    // ... and the store's own entry points (the CLI's import and the API use them).
    let bad = motcua_core::calendar::DayRule {
        date: chrono::NaiveDate::from_ymd_opt(2101, 1, 1).unwrap(),
        kind: motcua_core::calendar::DayKind::Holiday,
        name: "x".into(),
        note: String::new(),
    };
    assert!(
        store
            .import_agency_day_rules(&desk, std::slice::from_ref(&bad))
            .await
            .is_err()
    );
    assert!(
        store
            .import_day_rules(std::slice::from_ref(&bad))
            .await
            .is_err()
    );
    assert!(store.set_day_rule(None, &bad).await.is_err());
    assert!(store.bad_day_rules(Some(&desk)).await.unwrap().is_empty());
    assert!(store.bad_day_rules(None).await.unwrap().is_empty());
    // Rows stored before the check (or by hand) are skipped, not fatal.
    for sql in [
        "INSERT INTO calendar_day (scope, day, kind, name, note) VALUES ('H55.305.1', '2101-01-01', 'holiday', 'Gõ nhầm năm', '')",
        "INSERT INTO calendar_day (scope, day, kind, name, note) VALUES ('H55.305.1', '2026-12-08', 'bogus', 'Loại lạ', '')",
        "INSERT INTO calendar_day (scope, day, kind, name, note) VALUES ('', '2150-05-01', 'holiday', 'Sai năm', '')",
    ] {
        store.execute_unchecked(sql).await.unwrap();
    }
    store.forget_calendars_for_tests();
    let cal = store
        .calendar(Some(&desk))
        .await
        .expect("the desk's calendar still builds");
    assert!(cal.is_working_day(chrono::NaiveDate::from_ymd_opt(2026, 12, 8).unwrap()));
    store
        .calendar(None)
        .await
        .expect("the installation's calendar still builds");
    let desk_officer = sign_in(&st, "tn.xa", PW).await;
    let queue = send(&st, "GET", "/workspace/", &desk_officer, None).await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.body);
    let code = queue
        .body
        .split("/workspace/ho-so/")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("a dossier in the queue")
        .to_string();
    let dossier = send(
        &st,
        "GET",
        &format!("/workspace/ho-so/{code}"),
        &desk_officer,
        None,
    )
    .await;
    assert_eq!(dossier.status, StatusCode::OK, "{}", dossier.body);
    // The administrator sees the rows flagged, and deletes them.
    let page = send(
        &st,
        "GET",
        "/workspace/quan-tri/lich?nam=2026",
        &admin,
        None,
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("Gõ nhầm năm") && page.body.contains("Loại lạ"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("ngoài phạm vi lịch"),
        "the reason is shown"
    );
    let flagged = store.bad_day_rules(Some(&desk)).await.unwrap();
    assert_eq!(flagged.len(), 2, "{flagged:?}");
    for b in &flagged {
        let r = send(
            &st,
            "POST",
            "/workspace/quan-tri/lich",
            &admin,
            Some(&[("csrf", &csrf), ("op", "remove-stored"), ("day", &b.day)]),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    assert!(store.bad_day_rules(Some(&desk)).await.unwrap().is_empty());
    // The commune administrator cannot reach the installation's rows.
    assert_eq!(store.bad_day_rules(None).await.unwrap().len(), 1);
});

storage_test!(an_editor_sees_no_dossier, |store| {
    // Issue 18.3: the news editor read every dossier; now no queue, no
    // dossier page, no search result.
    demo::load(store).await.unwrap();
    demo::load_dossiers(store).await.unwrap();
    let st = AppState::new(store.clone());
    person(store, "bt.xa", "H55.305.1", &[Role::Editor], PW).await;
    person(store, "tn.xa", "H55.305.1", &[Role::ReceptionOfficer], PW).await;
    let officer = sign_in(&st, "tn.xa", PW).await;
    let queue = send(&st, "GET", "/workspace/", &officer, None).await;
    let code = queue
        .body
        .split("/workspace/ho-so/")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("a dossier in the desk's queue")
        .to_string();
    let editor = sign_in(&st, "bt.xa", PW).await;
    let r = send(&st, "GET", "/workspace/", &editor, None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location, "/workspace/tin-tuc");
    let r = send(&st, "GET", "/workspace/?hang=tat-ca", &editor, None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = send(
        &st,
        "GET",
        &format!("/workspace/ho-so/{code}"),
        &editor,
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = send(
        &st,
        "GET",
        &format!("/workspace/tim?ma={code}"),
        &editor,
        None,
    )
    .await;
    assert_ne!(r.location, format!("/workspace/ho-so/{code}"));
    let news = send(&st, "GET", "/workspace/tin-tuc", &editor, None).await;
    assert_eq!(news.status, StatusCode::OK);
    assert!(
        !news.body.contains(&code),
        "no dossier code in the editor's pages"
    );
});

/// Posts the sign-in form as a client at `peer`, with `X-Forwarded-For`.
async fn sign_in_from(st: &AppState, peer: &str, xff: Option<&str>, user: &str, pw: &str) -> Res {
    let page = send(st, "GET", "/login", "", None).await;
    let csrf = hidden(&page.body, "csrf");
    let login = cookie_value(&page.cookies, "motcua_login").unwrap();
    let body = serde_urlencoded::to_string([
        ("csrf", csrf.as_str()),
        ("username", user),
        ("password", pw),
        ("next", "/workspace/"),
    ])
    .unwrap();
    let addr: std::net::SocketAddr = format!("{peer}:40000").parse().unwrap();
    let mut req = Request::post("/login")
        .header(header::COOKIE, format!("motcua_login={login}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .extension(axum::extract::ConnectInfo(addr));
    if let Some(x) = xff {
        req = req.header("x-forwarded-for", x);
    }
    let res = router(st.clone())
        .oneshot(req.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let bytes = to_bytes(res.into_body(), 1 << 20).await.unwrap();
    Res {
        status,
        location: String::new(),
        cookies: Vec::new(),
        headers: Default::default(),
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

storage_test!(a_stranger_cannot_lock_an_officer_out, |store| {
    // Issue 18.6: five wrong passwords from anywhere locked the account for
    // everyone; behind a proxy every throttle was installation-wide.
    demo::load(store).await.unwrap();
    person(store, "tn1", "H55.305.1", &[Role::ReceptionOfficer], PW).await;
    let proxy: Vec<ipnet::IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
    let st = AppState::new(store.clone()).with_trusted_proxies(proxy);
    // A stranger behind the proxy guesses: free tries, then slowed.
    for _ in 0..motcua_core::access::FREE_LOGIN_FAILURES + 1 {
        let r = sign_in_from(&st, "10.0.0.2", Some("203.0.113.66"), "tn1", "doan-mo-1").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    }
    let r = sign_in_from(&st, "10.0.0.2", Some("203.0.113.66"), "tn1", PW).await;
    assert_eq!(
        r.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the stranger waits"
    );
    assert!(r.body.contains("giây"), "{}", r.body);
    // The officer, behind the same proxy from the desk, signs in at once.
    let r = sign_in_from(&st, "10.0.0.2", Some("198.51.100.10"), "tn1", PW).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // A client that is not a trusted proxy cannot pick its address.
    for _ in 0..motcua_core::access::FREE_LOGIN_FAILURES + 1 {
        sign_in_from(
            &st,
            "203.0.113.7",
            Some("198.51.100.77"),
            "tn1",
            "doan-mo-2",
        )
        .await;
    }
    let r = sign_in_from(&st, "203.0.113.7", Some("198.51.100.78"), "tn1", PW).await;
    assert_eq!(
        r.status,
        StatusCode::TOO_MANY_REQUESTS,
        "its own address is throttled"
    );
    // A wrong current password on the change-password form neither counts
    // nor slows the account.
    let s = sign_in(&st, "tn1", PW).await;
    let page = send(&st, "GET", "/workspace/mat-khau", &s, None).await;
    let csrf = hidden(&page.body, "csrf");
    for _ in 0..10 {
        let r = send(
            &st,
            "POST",
            "/workspace/mat-khau",
            &s,
            Some(&[
                ("csrf", &csrf),
                ("current", "sai"),
                ("new", "mat-khau-moi-dai"),
                ("confirm", "mat-khau-moi-dai"),
            ]),
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
    }
    let r = sign_in_from(&st, "198.51.100.10", None, "tn1", PW).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
});
