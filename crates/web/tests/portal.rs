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
