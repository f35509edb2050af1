//! Online submission through the real router, on both engines.

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use motcua_store::{demo, storage_test};
use motcua_web::{AppState, router};
use tower::ServiceExt;

mod common;
use common::Counting;

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
    let (s, _, _, body) = send(st, req.body(Body::from(body)).unwrap()).await;
    (s, body)
}

storage_test!(a_citizen_submits_online_without_an_account, |store| {
    demo::load(store).await.unwrap();
    let st = AppState::new(store.clone()).with_files(motcua_store::files::Files::local(
        std::env::temp_dir().join(format!("motcua-portal-{}", std::process::id())),
    ));
    let (s, set, body) = get(&st, "/nop-truc-tuyen/1.001193").await;
    assert_eq!(s, StatusCode::OK);
    let token = set
        .unwrap()
        .strip_prefix("motcua_form=")
        .unwrap()
        .to_string();
    let cookie = format!("motcua_form={token}");
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
    // Issue 18.10: a commune procedure at the province's desk (the desk path
    // refused it, the portal took it); 18.7: a name no slip can print.
    for (desk, name, says) in [
        ("000.00.10.H55", "Đinh Thị E", "không tiếp nhận thủ tục"),
        ("H55.305.1", "Đinh Thị E 😀", "U+1F600"),
        ("H55.305.1", "Đinh\u{202E}Thị E", "U+202E"),
    ] {
        let p = vec![
            Part::Field("csrf", csrf),
            Part::Field("desk", desk),
            Part::Field("kind", "citizen"),
            Part::Field("full_name", name),
            Part::Field("id_number", "019203001234"),
            Part::File(&form, "application/pdf", PDF),
        ];
        let (s, b) = post(&st, &cookie, multipart(&p)).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{desk} {name}: {b}");
        assert!(b.contains(says), "{says}: {b}");
    }
    for desk in ["000.00.10.H55", "H55.305.1"] {
        let desk = motcua_core::codes::AgencyCode::new(desk).unwrap();
        assert_eq!(store.count_dossiers_at(&desk).await.unwrap(), 0);
    }
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

/// Sends a request through the router: status, the `Set-Cookie`
/// name=value pairs, the `Location`, the body.
async fn send(
    st: &AppState,
    req: Request<Body>,
) -> (StatusCode, Vec<String>, Option<String>, String) {
    let res = router(st.clone()).oneshot(req).await.unwrap();
    let s = res.status();
    let cookies = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
        .collect();
    let location = res
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_string());
    let body =
        String::from_utf8_lossy(&to_bytes(res.into_body(), 1 << 24).await.unwrap()).into_owned();
    (s, cookies, location, body)
}

async fn get(st: &AppState, uri: &str) -> (StatusCode, Option<String>, String) {
    let (s, cookies, _, body) = send(st, Request::get(uri).body(Body::empty()).unwrap()).await;
    (s, cookies.into_iter().next(), body)
}

async fn rate(
    st: &AppState,
    code: &str,
    cookie: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String) {
    let (s, _, _, body) = form_post(st, &format!("/danh-gia/{code}"), cookie, form).await;
    (s, body)
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
    assert_eq!(t.total(), t.resolved() + t.returned_all() + t.in_progress());
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

/// A form post with cookies.
async fn form_post(
    st: &AppState,
    uri: &str,
    cookie: &str,
    form: &[(&str, &str)],
) -> (StatusCode, Vec<String>, Option<String>, String) {
    let req = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookie)
        .body(Body::from(serde_urlencoded::to_string(form).unwrap()))
        .unwrap();
    send(st, req).await
}

async fn get_with(st: &AppState, uri: &str, cookie: &str) -> (StatusCode, String) {
    let req = Request::get(uri)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap();
    let (s, _, _, body) = send(st, req).await;
    (s, body)
}

fn csrf_of(body: &str) -> String {
    body.split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string()
}

storage_test!(
    a_citizen_account_signs_in_by_link_and_follows_dossiers,
    |store| {
        demo::load(store).await.unwrap();
        demo::load_dossiers(store).await.unwrap();
        let store = store
            .clone()
            .with_portal_url("https://dichvucong.example.vn/");
        let st = AppState::new(store.clone());
        // Anonymous: the sign-in form with its double-submit cookie.
        let (s, cookie, body) = get(&st, "/tai-khoan").await;
        assert_eq!(s, StatusCode::OK);
        assert!(body.contains("Gửi đường dẫn đăng nhập"), "{body}");
        let form_cookie = cookie.unwrap();
        let csrf = csrf_of(&body);
        // Bad address, missing cookie: refused, nothing queued.
        let before = store.outbox().await.unwrap().len();
        let (s, _, _, b) = form_post(
            &st,
            "/tai-khoan/dang-nhap",
            &form_cookie,
            &[("csrf", &csrf), ("email", "not-an-address")],
        )
        .await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert!(b.contains("không phải địa chỉ thư điện tử hợp lệ"), "{b}");
        let (s, ..) = form_post(
            &st,
            "/tai-khoan/dang-nhap",
            "",
            &[("csrf", &csrf), ("email", "dan@example.vn")],
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        assert_eq!(store.outbox().await.unwrap().len(), before);
        // A link is queued to the address, under the configured portal address.
        let (s, _, _, b) = form_post(
            &st,
            "/tai-khoan/dang-nhap",
            &form_cookie,
            &[("csrf", &csrf), ("email", " Dan@Example.vn ")],
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert!(b.contains("Đã gửi đường dẫn đăng nhập đến"));
        let mail = store
            .outbox()
            .await
            .unwrap()
            .into_iter()
            .find(|m| m.recipient == "dan@example.vn")
            .expect("the sign-in message is in the outbox");
        let link = mail
            .body
            .split_whitespace()
            .find(|w| w.starts_with("https://dichvucong.example.vn/tai-khoan/xac-nhan?t="))
            .unwrap_or_else(|| panic!("{}", mail.body))
            .to_string();
        let secret = link.split("t=").nth(1).unwrap().to_string();
        // Opening the link only shows a button (a mail scanner uses nothing up).
        let (s, cookie, body) = get(&st, &format!("/tai-khoan/xac-nhan?t={secret}")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(body.contains(&secret));
        let form_cookie = cookie.unwrap();
        let csrf = csrf_of(&body);
        assert_eq!(
            get(&st, "/tai-khoan/xac-nhan?t=%3Cscript%3E").await.0,
            StatusCode::BAD_REQUEST
        );
        // The button signs in; the same link cannot be used twice.
        let (s, cookies, location, _) = form_post(
            &st,
            "/tai-khoan/xac-nhan",
            &form_cookie,
            &[("csrf", &csrf), ("t", &secret)],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        assert_eq!(location.as_deref(), Some("/tai-khoan"));
        let session = cookies
            .iter()
            .find(|c| c.starts_with("motcua_citizen="))
            .unwrap()
            .clone();
        let (s, ..) = form_post(
            &st,
            "/tai-khoan/xac-nhan",
            &form_cookie,
            &[("csrf", &csrf), ("t", &secret)],
        )
        .await;
        assert_eq!(s, StatusCode::GONE);
        let (s, body) = get_with(&st, "/tai-khoan", &session).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            body.contains("dan@example.vn") && body.contains("Hồ sơ của tôi (0)"),
            "{body}"
        );
        let csrf = csrf_of(&body);
        // Adding a dossier takes its applicant's ID number.
        let code = "H55.305.1-261116-0001";
        let c = motcua_core::dossier::DossierCode::parse(code).unwrap();
        let id = store
            .dossier(&c)
            .await
            .unwrap()
            .unwrap()
            .dossier
            .applicant
            .id_number
            .to_string();
        let (s, ..) = form_post(
            &st,
            "/tai-khoan/them",
            &session,
            &[
                ("csrf", &csrf),
                ("code", code),
                ("id_number", "019000000000"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, ..) = form_post(
            &st,
            "/tai-khoan/them",
            &session,
            &[("csrf", "wrong"), ("code", code), ("id_number", &id)],
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, ..) = form_post(
            &st,
            "/tai-khoan/them",
            &session,
            &[
                ("csrf", &csrf),
                ("code", "H55.305.1-990101-9999"),
                ("id_number", &id),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert!(
            store
                .followed_dossiers("dan@example.vn")
                .await
                .unwrap()
                .is_empty()
        );
        let (s, _, _, body) = form_post(
            &st,
            "/tai-khoan/them",
            &session,
            &[("csrf", &csrf), ("code", code), ("id_number", &id)],
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert!(
            body.contains("Hồ sơ của tôi (1)")
                && body.contains(&format!("/tra-cuu-ho-so?ma={code}")),
            "{body}"
        );
        assert_eq!(
            store.followed_dossiers("DAN@example.vn").await.unwrap(),
            vec![c.clone()]
        );
        // The account shows who opened the dossiers it follows (issue 18.4),
        // without asking for the ID number again; and nothing of the others.
        assert!(
            body.contains(&format!("/tai-khoan/ai-da-xem?ma={code}")),
            "{body}"
        );
        store
            .record_read(&c, "tn.xa.demo", "H55.305.1", "slip:receipt", None)
            .await
            .unwrap();
        let (s, body) = get_with(&st, &format!("/tai-khoan/ai-da-xem?ma={code}"), &session).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert!(
            body.contains("In phiếu (receipt)") && !body.contains("name=\"cccd\""),
            "{body}"
        );
        let other = "H55.305.1-261116-0002";
        for uri in [
            format!("/tai-khoan/ai-da-xem?ma={other}"),
            "/tai-khoan/ai-da-xem?ma=%3Cscript%3E".to_string(),
        ] {
            let (s, body) = get_with(&st, &uri, &session).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{uri}");
            assert!(
                body.contains("không theo dõi") && !body.contains("In phiếu"),
                "{body}"
            );
        }
        let (s, _) = get_with(&st, &format!("/tai-khoan/ai-da-xem?ma={code}"), "").await;
        assert_eq!(s, StatusCode::SEE_OTHER, "signed out: to the account page");
        // Signing out ends the session on the server too.
        let (s, ..) = form_post(&st, "/tai-khoan/dang-xuat", &session, &[("csrf", &csrf)]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, body) = get_with(&st, "/tai-khoan", &session).await;
        assert!(body.contains("Gửi đường dẫn đăng nhập") && !body.contains("dan@example.vn"));
        // At most five links an hour to one address.
        let (_, cookie, body) = get(&st, "/tai-khoan").await;
        let (form_cookie, csrf) = (cookie.unwrap(), csrf_of(&body));
        let mut last = StatusCode::OK;
        for _ in 0..5 {
            last = form_post(
                &st,
                "/tai-khoan/dang-nhap",
                &form_cookie,
                &[("csrf", &csrf), ("email", "dan@example.vn")],
            )
            .await
            .0;
        }
        assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    }
);

storage_test!(the_catalogue_by_desk_and_its_printable_listing, |store| {
    demo::load(store).await.unwrap();
    let st = AppState::new(store.clone());
    let (s, _, body) = get(&st, "/thu-tuc?agency=H55.305.1").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        body.contains("href=\"/thu-tuc/niem-yet/H55.305.1.pdf\""),
        "{body}"
    );
    assert!(
        body.contains("<option value=\"H55.305.1\" selected>"),
        "{body}"
    );
    // The desk's level decides: a commune desk lists commune procedures only.
    let (_, _, commune) = get(&st, "/thu-tuc?level=commune").await;
    let count = |b: &str| {
        b.split("Kết quả tìm kiếm: ")
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(count(&body), count(&commune));
    assert_eq!(
        get(&st, "/thu-tuc?agency=NOPE").await.0,
        StatusCode::BAD_REQUEST
    );
    let res = router(st.clone())
        .oneshot(
            Request::get("/thu-tuc/niem-yet/H55.305.1.pdf")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CONTENT_TYPE], "application/pdf");
    let pdf = to_bytes(res.into_body(), 1 << 26).await.unwrap();
    assert!(pdf.starts_with(b"%PDF-") && pdf.len() > 10_000);
    if let Ok(dir) = std::env::var("MOTCUA_PDF_OUT") {
        std::fs::write(std::path::Path::new(&dir).join("niem-yet.pdf"), &pdf).unwrap();
    }
    // Not a desk, not a PDF name: 404.
    assert_eq!(
        get(&st, "/thu-tuc/niem-yet/000.00.00.H55.pdf").await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&st, "/thu-tuc/niem-yet/H55.305.1").await.0,
        StatusCode::NOT_FOUND
    );
});

storage_test!(online_submission_checks_before_reading_the_body, |store| {
    // Issue 18.5: ~100 MiB were read before the form's CSRF and rate checks.
    demo::load(store).await.unwrap();
    let st = AppState::new(store.clone());
    let big = 90 << 20;
    let post_big = |cookie: Option<String>, declare: bool| {
        let st = st.clone();
        async move {
            let pulled = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
            let mut req = Request::post("/nop-truc-tuyen/1.001193").header(
                header::CONTENT_TYPE,
                "multipart/form-data; boundary=XBOUNDARY",
            );
            if let Some(c) = cookie {
                req = req.header(header::COOKIE, c);
            }
            if declare {
                req = req.header(header::CONTENT_LENGTH, (200usize << 20).to_string());
            }
            let body = Body::new(Counting {
                left: big,
                pulled: pulled.clone(),
            });
            let res = router(st).oneshot(req.body(body).unwrap()).await.unwrap();
            (
                res.status(),
                pulled.load(std::sync::atomic::Ordering::SeqCst),
            )
        }
    };
    // Without the form's cookie: 403, nothing read.
    assert_eq!(post_big(None, false).await, (StatusCode::FORBIDDEN, 0));
    let (_, set, _) = get(&st, "/nop-truc-tuyen/1.001193").await;
    let cookie = set.unwrap();
    // A declared length beyond what a submission needs: 413, nothing read.
    assert_eq!(
        post_big(Some(cookie.clone()), true).await,
        (StatusCode::PAYLOAD_TOO_LARGE, 0)
    );
    // An address over its allowance: 429, nothing read.
    let ip: std::net::IpAddr = "203.0.113.7".parse().unwrap();
    for _ in 0..motcua_web::submit::SUBMISSIONS {
        assert!(st.submissions.allow(ip, std::time::Instant::now()));
    }
    let req = Request::post("/nop-truc-tuyen/1.001193")
        .header(
            header::CONTENT_TYPE,
            "multipart/form-data; boundary=XBOUNDARY",
        )
        .header(header::COOKIE, cookie.clone());
    let req = req.extension(axum::extract::ConnectInfo(std::net::SocketAddr::new(
        ip, 4000,
    )));
    let pulled = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let res = router(st.clone())
        .oneshot(
            req.body(Body::new(Counting {
                left: big,
                pulled: pulled.clone(),
            }))
            .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(pulled.load(std::sync::atomic::Ordering::SeqCst), 0);
    // The small public forms take what they need and no more.
    for uri in [
        "/login",
        "/danh-gia/H55.305.1-261127-0001",
        "/tai-khoan/dang-nhap",
    ] {
        let pulled = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let req =
            Request::post(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        let res = router(st.clone())
            .oneshot(
                req.body(Body::new(Counting {
                    left: big,
                    pulled: pulled.clone(),
                }))
                .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE, "{uri}");
        assert!(
            pulled.load(std::sync::atomic::Ordering::SeqCst) <= motcua_web::SMALL_FORM + (64 << 10),
            "{uri}"
        );
    }
});
