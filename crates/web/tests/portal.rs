//! Online submission through the real router, on both engines.

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use motcua_store::{demo, storage_test};
use motcua_web::{AppState, router};
use tower::ServiceExt;

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0];

enum Part<'a> {
    Field(&'a str, &'a str),
    File(&'a str, &'a str, &'a [u8]),
}

fn multipart(parts: &[Part]) -> Vec<u8> {
    let mut b = Vec::new();
    for p in parts {
        b.extend_from_slice(b"--XBOUNDARY\r\n");
        match p {
            Part::Field(n, v) => {
                b.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{n}\"\r\n\r\n{v}\r\n")
                        .as_bytes(),
                );
            }
            Part::File(n, ty, data) => {
                b.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{n}\"; filename=\"{n}.bin\"\r\nContent-Type: {ty}\r\n\r\n")
                        .as_bytes(),
                );
                b.extend_from_slice(data);
                b.extend_from_slice(b"\r\n");
            }
        }
    }
    b.extend_from_slice(b"--XBOUNDARY--\r\n");
    b
}

async fn post(st: &AppState, cookie: &str, body: Vec<u8>) -> (StatusCode, String) {
    let mut req = Request::post("/nop-truc-tuyen/1.001193").header(
        header::CONTENT_TYPE,
        "multipart/form-data; boundary=XBOUNDARY",
    );
    if !cookie.is_empty() {
        req = req.header(header::COOKIE, cookie);
    }
    let res = router(st.clone())
        .oneshot(req.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let s = res.status();
    (
        s,
        String::from_utf8_lossy(&to_bytes(res.into_body(), 1 << 24).await.unwrap()).into_owned(),
    )
}

storage_test!(a_citizen_submits_online_without_an_account, |store| {
    demo::load(store).await.unwrap();
    let st = AppState::new(store.clone()).with_files(motcua_store::files::Files::local(
        std::env::temp_dir().join(format!("motcua-portal-{}", std::process::id())),
    ));
    let res = router(st.clone())
        .oneshot(
            Request::get("/nop-truc-tuyen/1.001193")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let set = res
        .headers()
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let token = set
        .strip_prefix("motcua_form=")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let cookie = format!("motcua_form={token}");
    let body =
        String::from_utf8_lossy(&to_bytes(res.into_body(), 1 << 24).await.unwrap()).into_owned();
    assert!(body.contains("Nộp hồ sơ trực tuyến") && body.contains("H55.305.1"));
    let pcode = motcua_core::codes::ProcedureCode::new("1.001193").unwrap();
    let pv = store.procedure(&pcode, None).await.unwrap().unwrap();
    let form = format!(
        "doc_{}",
        pv.procedure
            .documents
            .iter()
            .position(|d| d.required)
            .unwrap()
    );
    let cert = format!(
        "doc_{}",
        pv.procedure
            .documents
            .iter()
            .position(|d| d.name.starts_with("Giấy chứng sinh"))
            .unwrap()
    );
    let fields = |csrf: &'static str| {
        vec![
            Part::Field("csrf", csrf),
            Part::Field("desk", "H55.305.1"),
            Part::Field("kind", "citizen"),
            Part::Field("full_name", "Đinh Thị E"),
            Part::Field("id_number", "019203001234"),
            Part::Field("email", "e@example.vn"),
        ]
    };
    let csrf: &'static str = Box::leak(token.clone().into_boxed_str());
    // Without the form's cookie: refused.
    let mut p = fields(csrf);
    p.push(Part::File(&form, "application/pdf", PDF));
    assert_eq!(post(&st, "", multipart(&p)).await.0, StatusCode::FORBIDDEN);
    // Without the required form: refused, nothing stored.
    let mut p = fields(csrf);
    p.push(Part::File(&cert, "application/pdf", PDF));
    let (s, b) = post(&st, &cookie, multipart(&p)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(b.contains("thiếu giấy tờ bắt buộc"), "{b}");
    // A PNG declared as PDF: refused.
    let mut p = fields(csrf);
    p.push(Part::File(&form, "application/pdf", PNG));
    assert_eq!(
        post(&st, &cookie, multipart(&p)).await.0,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    assert_eq!(
        store
            .count_dossiers_at(&motcua_core::codes::AgencyCode::new("H55.305.1").unwrap())
            .await
            .unwrap(),
        0
    );
    // With two attachments: submitted, awaiting reception at the desk.
    let mut p = fields(csrf);
    p.push(Part::File(&form, "application/pdf", PDF));
    p.push(Part::File(&cert, "image/png", PNG));
    let (s, b) = post(&st, &cookie, multipart(&p)).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let code = b
        .split("class=\"code-big\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_string();
    let rec = store
        .dossier(&motcua_core::dossier::DossierCode::parse(&code).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(rec.dossier.state, motcua_core::dossier::State::Submitted);
    assert_eq!(rec.dossier.documents.len(), 2);
    let docs = store.documents(&rec.dossier.code).await.unwrap();
    assert_eq!(docs.len(), 2);
    let outbox = store.outbox().await.unwrap();
    assert!(
        outbox
            .iter()
            .any(|m| m.recipient == "e@example.vn" && m.subject.contains(&code))
    );
});

async fn get(st: &AppState, uri: &str) -> (StatusCode, Option<String>, String) {
    let res = router(st.clone())
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let s = res.status();
    let cookie = res
        .headers()
        .get(header::SET_COOKIE)
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string());
    let body =
        String::from_utf8_lossy(&to_bytes(res.into_body(), 1 << 24).await.unwrap()).into_owned();
    (s, cookie, body)
}

async fn rate(
    st: &AppState,
    code: &str,
    cookie: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String) {
    let res = router(st.clone())
        .oneshot(
            Request::post(format!("/danh-gia/{code}"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::COOKIE, cookie)
                .body(Body::from(serde_urlencoded::to_string(form).unwrap()))
                .unwrap(),
        )
        .await
        .unwrap();
    let s = res.status();
    (
        s,
        String::from_utf8_lossy(&to_bytes(res.into_body(), 1 << 24).await.unwrap()).into_owned(),
    )
}

storage_test!(applicants_rate_once_and_statistics_count_it, |store| {
    demo::load(store).await.unwrap();
    demo::load_dossiers(store).await.unwrap();
    let st = AppState::new(store.clone());
    // Not returned yet: no form.
    let (s, _, body) = get(&st, "/danh-gia/H55.305.1-261127-0002").await;
    assert_eq!(s, StatusCode::OK);
    assert!(body.contains("chưa trả kết quả") && !body.contains("name=\"overall\""));
    // Returned: the lookup links to the form.
    let code = "H55.305.1-261116-0001";
    let (_, _, look) = get(&st, &format!("/tra-cuu-ho-so?ma={code}")).await;
    assert!(
        look.contains(&format!("href=\"/danh-gia/{code}\"")),
        "{look}"
    );
    let (s, cookie, body) = get(&st, &format!("/danh-gia/{code}")).await;
    assert_eq!(s, StatusCode::OK);
    let cookie = cookie.unwrap();
    let csrf = body
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let id = store
        .dossier(&motcua_core::dossier::DossierCode::parse(code).unwrap())
        .await
        .unwrap()
        .unwrap()
        .dossier
        .applicant
        .id_number
        .to_string();
    let mut form = vec![
        ("csrf", csrf.as_str()),
        ("id_number", id.as_str()),
        ("overall", "4"),
        ("tiep_can", "5"),
        ("thu_tuc", "4"),
        ("cong_chuc", "5"),
        ("ket_qua", "4"),
        ("contacts", "1"),
        ("unofficial_cost", "khong"),
        ("comment", "<script>alert(1)</script>"),
    ];
    // A criterion left out, a wrong ID number, no CSRF cookie: refused, nothing stored.
    let (s, body) = rate(&st, code, &cookie, &form).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(body.contains("Tiếp nhận, xử lý ý kiến phản ánh"), "{body}");
    assert!(!body.contains("<script>alert"));
    form.push(("phan_hoi", "3"));
    let mut wrong = form.clone();
    wrong[1].1 = "019000000000";
    assert_eq!(
        rate(&st, code, &cookie, &wrong).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(rate(&st, code, "", &form).await.0, StatusCode::FORBIDDEN);
    let c = motcua_core::dossier::DossierCode::parse(code).unwrap();
    assert_eq!(store.dossier_rating(&c).await.unwrap(), None);
    // Rated once.
    let (s, body) = rate(&st, code, &cookie, &form).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert!(body.contains("Cảm ơn"));
    assert_eq!(store.dossier_rating(&c).await.unwrap(), Some(4));
    assert_eq!(
        rate(&st, code, &cookie, &form).await.0,
        StatusCode::CONFLICT
    );
    // The statistics count every demo dossier once, and the rating.
    let (s, _, stats) = get(&st, "/thong-ke?tu=2026-01-01&den=2026-12-31").await;
    assert_eq!(s, StatusCode::OK);
    let rows = store.stat_rows(chrono::Utc::now()).await.unwrap();
    let p = motcua_core::stats::Period::new(
        chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
    )
    .unwrap();
    let mut t = motcua_core::stats::Tally::default();
    for r in &rows {
        t.add(
            &r.facts,
            &p,
            motcua_core::calendar::to_local(chrono::Utc::now()),
        );
    }
    assert_eq!(
        t.total(),
        11,
        "13 demo dossiers, one not received, one refused"
    );
    assert_eq!(t.total(), t.resolved() + t.returned + t.in_progress());
    assert!(
        stats.contains(&format!(
            "<strong>{}</strong> hồ sơ phải giải quyết",
            t.total()
        )),
        "{stats}"
    );
    assert!(stats.contains("100,0 % (1)"), "{stats}");
    assert!(stats.contains("<svg role=\"img\""));
    assert_eq!(
        get(&st, "/thong-ke?tu=2026-12-31&den=2026-01-01").await.0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        get(&st, "/thong-ke?tu=hom-qua").await.0,
        StatusCode::BAD_REQUEST
    );
    // Home page: news, the figures, quick links.
    demo::load_news(store).await.unwrap();
    let (_, _, home) = get(&st, "/").await;
    assert!(home.contains("Tổ Khảo sát số 1 HĐND tỉnh"), "{home}");
    assert!(home.contains("Tỷ lệ giải quyết đúng hạn"));
});
