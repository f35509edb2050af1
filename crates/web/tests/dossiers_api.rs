//! The dossier API through the real router, on both engines.

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode};
use motcua_core::codes::AgencyCode;
use motcua_core::dossier::Role;
use motcua_store::{Store, demo, storage_test};
use motcua_web::{AppState, router};
use serde_json::{Value, json};
use tower::ServiceExt;

async fn call(
    store: &Store,
    method: &str,
    uri: &str,
    token: Option<&str>,
    key: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value, bool) {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    if let Some(k) = key {
        req = req.header("idempotency-key", k);
    }
    let body = body
        .map(|b| Body::from(b.to_string()))
        .unwrap_or_else(Body::empty);
    let res = router(AppState::new(store.clone()))
        .oneshot(req.body(body).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let replayed = res.headers().get("idempotent-replay").is_some();
    let bytes = to_bytes(res.into_body(), 16 << 20).await.unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        replayed,
    )
}

async fn user(store: &Store, name: &str, agency: &str, roles: &[Role]) -> String {
    store
        .create_user(name, "", &AgencyCode::new(agency).unwrap(), roles, None)
        .await
        .unwrap();
    store.create_token(name).await.unwrap()
}

fn birth() -> Value {
    json!({
        "procedure_code": "1.001193",
        "channel": "direct",
        "applicant": {"kind": "citizen", "full_name": "Nguyễn Văn A", "id_number": "019203001234",
                      "phone": "0912345678", "email": "a@example.vn", "address": "Xã Đồng Hỷ, Thái Nguyên"}
    })
}

storage_test!(receive_read_and_act, |store| {
    demo::load(store).await.unwrap();
    let all = [
        Role::ReceptionOfficer,
        Role::Specialist,
        Role::HeadOfOffice,
        Role::SigningLeader,
    ];
    let tok = user(store, "ttb", "H55.305.1", &all).await;
    let (s, v, _) = call(
        store,
        "POST",
        "/api/dossiers",
        Some(&tok),
        Some("k-1"),
        Some(birth()),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let code = v["code"].as_str().unwrap().to_string();
    assert!(
        code.starts_with("H55.305.1-") && code.ends_with("-0001"),
        "{code}"
    );
    assert_eq!(
        (v["state"].as_str(), v["version"].as_u64()),
        (Some("received"), Some(1))
    );
    assert!(v["due_at"].is_string());
    // The same key again: the first answer, nothing new.
    let (s2, v2, replayed) = call(
        store,
        "POST",
        "/api/dossiers",
        Some(&tok),
        Some("k-1"),
        Some(birth()),
    )
    .await;
    assert_eq!(
        (s2, replayed, v2["code"].as_str()),
        (StatusCode::CREATED, true, Some(code.as_str()))
    );
    // A different body with the same key is refused.
    let mut other = birth();
    other["channel"] = json!("postal");
    assert_eq!(
        call(
            store,
            "POST",
            "/api/dossiers",
            Some(&tok),
            Some("k-1"),
            Some(other)
        )
        .await
        .0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // Forward, assign, complete the steps, resolve, return the result.
    let act = |action: Value| {
        let uri = format!("/api/dossiers/{code}/actions");
        let tok = tok.clone();
        async move { call(store, "POST", &uri, Some(&tok), None, Some(action)).await }
    };
    let (s, v, _) = act(json!({"action": "forward", "version": 1})).await;
    assert_eq!(
        (s, v["state"].as_str()),
        (StatusCode::OK, Some("in_processing")),
        "{v}"
    );
    let (s, v, _) = act(json!({"action": "forward", "version": 1})).await;
    assert_eq!(s, StatusCode::CONFLICT, "stale version: {v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("phiên bản")
    );
    let (s, _, _) = act(json!({"action": "assign", "version": 2, "assignee": "ttb"})).await;
    assert_eq!(s, StatusCode::OK);
    let (s, v, _) = act(json!({"action": "return_result", "version": 3})).await;
    assert_eq!(s, StatusCode::CONFLICT, "not allowed now: {v}");
    let (s, v, _) = act(json!({"action": "fly", "version": 3})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let mut version = 3;
    for _ in 0..6 {
        let (s, v, _) = act(json!({"action": "complete_step", "version": version})).await;
        if s != StatusCode::OK {
            break;
        }
        version = v["version"].as_u64().unwrap();
    }
    let (s, v, _) = act(json!({"action": "resolve", "version": version})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["state"], "resolved");
    let (s, v, _) = act(json!({"action": "return_result", "version": v["version"]})).await;
    assert_eq!(
        (s, v["state"].as_str()),
        (StatusCode::OK, Some("result_returned")),
        "{v}"
    );
    // GET shows the events, hash-chained.
    let (s, v, _) = call(
        store,
        "GET",
        &format!("/api/dossiers/{code}"),
        Some(&tok),
        None,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let events = v["events"].as_array().unwrap();
    assert_eq!(events.len() as u64, v["version"].as_u64().unwrap());
    assert_eq!(events[0]["action"], "receive");
    assert!(
        events
            .iter()
            .all(|e| e["hash"].as_str().is_some_and(|h| h.len() == 64))
    );
    assert_eq!(store.verify_audit().await.unwrap().broken, None);
});

storage_test!(refusals_are_clear_and_change_nothing, |store| {
    demo::load(store).await.unwrap();
    let desk = user(store, "desk", "H55.305.1", &[Role::ReceptionOfficer]).await;
    let reader = user(store, "reader", "H55.305.1", &[Role::OversightReader]).await;
    let other_commune = user(
        store,
        "other",
        "H55.306.1",
        &[Role::ReceptionOfficer, Role::Specialist],
    )
    .await;
    let old_district = user(
        store,
        "district",
        "001.01.21.H55",
        &[Role::ReceptionOfficer],
    )
    .await;
    let (s, v, _) = call(store, "POST", "/api/dossiers", None, None, Some(birth())).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");
    assert_eq!(
        call(
            store,
            "POST",
            "/api/dossiers",
            Some("mc_bad"),
            None,
            Some(birth())
        )
        .await
        .0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        call(
            store,
            "POST",
            "/api/dossiers",
            Some(&reader),
            None,
            Some(birth())
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        call(
            store,
            "POST",
            "/api/dossiers",
            Some(&old_district),
            None,
            Some(birth())
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    let mut bad_id = birth();
    bad_id["applicant"]["id_number"] = json!("12345");
    let (s, v, _) = call(
        store,
        "POST",
        "/api/dossiers",
        Some(&desk),
        None,
        Some(bad_id),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        v["error"]["message"].as_str().unwrap().contains("12"),
        "{v}"
    );
    let mut unknown = birth();
    unknown["procedure_code"] = json!("1.999999");
    assert_eq!(
        call(
            store,
            "POST",
            "/api/dossiers",
            Some(&desk),
            None,
            Some(unknown)
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    let mut no_time = birth();
    // The one record the curated list leaves without a processing time.
    no_time["procedure_code"] = json!("2.000927");
    let (s, v, _) = call(
        store,
        "POST",
        "/api/dossiers",
        Some(&desk),
        None,
        Some(no_time),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("thời hạn"),
        "{v}"
    );
    let (s, v, _) = call(
        store,
        "POST",
        "/api/dossiers",
        Some(&desk),
        None,
        Some(json!({"procedure_code": "1.001193"})),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    // Nothing was received by the refused requests.
    let (s, v, _) = call(
        store,
        "POST",
        "/api/dossiers",
        Some(&desk),
        None,
        Some(birth()),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let code = v["code"].as_str().unwrap().to_string();
    assert!(code.ends_with("-0001"), "refusals used no number: {code}");
    // Another commune's officer neither sees nor acts on it.
    assert_eq!(
        call(
            store,
            "GET",
            &format!("/api/dossiers/{code}"),
            Some(&other_commune),
            None,
            None
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    let (s, _, _) = call(
        store,
        "POST",
        &format!("/api/dossiers/{code}/actions"),
        Some(&other_commune),
        None,
        Some(json!({"action": "forward", "version": 1})),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // The oversight reader sees, but may not act.
    assert_eq!(
        call(
            store,
            "GET",
            &format!("/api/dossiers/{code}"),
            Some(&reader),
            None,
            None
        )
        .await
        .0,
        StatusCode::OK
    );
    let (s, _, _) = call(
        store,
        "POST",
        &format!("/api/dossiers/{code}/actions"),
        Some(&reader),
        None,
        Some(json!({"action": "forward", "version": 1})),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(
        call(
            store,
            "GET",
            "/api/dossiers/not-a-code",
            Some(&desk),
            None,
            None
        )
        .await
        .0,
        StatusCode::BAD_REQUEST
    );
    let (_, v, _) = call(
        store,
        "GET",
        &format!("/api/dossiers/{code}"),
        Some(&desk),
        None,
        None,
    )
    .await;
    assert_eq!(v["version"], 1);
});

async fn raw(store: &Store, uri: &str, token: &str) -> (StatusCode, String, Vec<u8>) {
    let req = Request::get(uri)
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let res = router(AppState::new(store.clone()))
        .oneshot(req)
        .await
        .unwrap();
    let status = res.status();
    let ct = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (
        status,
        ct,
        to_bytes(res.into_body(), 64 << 20).await.unwrap().to_vec(),
    )
}

storage_test!(slips_and_ledger_are_pdfs, |store| {
    demo::load(store).await.unwrap();
    demo::load_dossiers(store).await.unwrap();
    let tok = user(store, "desk", "H55.305.1", &[Role::ReceptionOfficer]).await;
    let rows = store
        .dossiers_at(&AgencyCode::new("H55.305.1").unwrap())
        .await
        .unwrap();
    let code_in = |state: &str| {
        rows.iter()
            .find(|r| r.1 == state)
            .map(|r| r.0.clone())
            .unwrap()
    };
    let cases = [
        (code_in("received"), "receipt.pdf", 200),
        (code_in("in_processing"), "control-sheet.pdf", 200),
        (code_in("awaiting_supplement"), "supplement.pdf", 200),
        (code_in("refused_at_reception"), "refusal.pdf", 200),
        (code_in("rejected"), "refusal.pdf", 200),
        (code_in("received"), "supplement.pdf", 409),
        (code_in("received"), "apology.pdf", 409),
        (code_in("submitted"), "receipt.pdf", 409),
        (code_in("received"), "poster.pdf", 404),
    ];
    for (code, form, status) in cases {
        let (s, ct, body) = raw(store, &format!("/api/dossiers/{code}/slips/{form}"), &tok).await;
        assert_eq!(
            s.as_u16(),
            status,
            "{code} {form}: {}",
            String::from_utf8_lossy(&body)
        );
        if status == 200 {
            assert_eq!(ct, "application/pdf");
            assert!(
                body.starts_with(b"%PDF-") && body.len() > 10_000,
                "{code} {form}"
            );
        }
    }
    let (s, ct, body) = raw(store, "/api/ledger.pdf?desk=H55.305.1&year=2026", &tok).await;
    assert_eq!((s, ct.as_str()), (StatusCode::OK, "application/pdf"));
    assert!(body.starts_with(b"%PDF-"));
    let other = user(store, "other", "H55.306.1", &[Role::ReceptionOfficer]).await;
    assert_eq!(
        raw(store, "/api/ledger.pdf?desk=H55.305.1&year=2026", &other)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        raw(store, "/api/ledger.pdf?desk=H55.305.1&year=20x6", &tok)
            .await
            .0,
        StatusCode::BAD_REQUEST
    );
});

async fn send_bytes(
    app: &AppState,
    uri: &str,
    token: &str,
    ct: Option<&str>,
    body: Vec<u8>,
) -> (StatusCode, Vec<u8>) {
    let mut req = Request::post(uri).header("authorization", format!("Bearer {token}"));
    if let Some(ct) = ct {
        req = req.header("content-type", ct);
    }
    let res = router(app.clone())
        .oneshot(req.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let s = res.status();
    (
        s,
        to_bytes(res.into_body(), 64 << 20).await.unwrap().to_vec(),
    )
}

storage_test!(documents_are_checked_stored_and_verified, |store| {
    demo::load(store).await.unwrap();
    let tok = user(store, "desk", "H55.305.1", &[Role::ReceptionOfficer]).await;
    let (s, v, _) = call(
        store,
        "POST",
        "/api/dossiers",
        Some(&tok),
        None,
        Some(birth()),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let code = v["code"].as_str().unwrap().to_string();
    let dir = std::env::temp_dir().join(format!(
        "motcua-files-test-{}",
        std::process::id() as u128 * 1000 + rand_nanos()
    ));
    let app = AppState::new(store.clone()).with_files(motcua_store::files::Files::local(&dir));
    let uri =
        format!("/api/dossiers/{code}/documents?name=Gi%E1%BA%A5y%20ch%E1%BB%A9ng%20sinh.pdf");
    let pdf = b"%PDF-1.4\n% test\n1 0 obj <<>> endobj\n%%EOF\n".to_vec();
    let (s, body) = send_bytes(&app, &uri, &tok, Some("application/pdf"), pdf.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{}", String::from_utf8_lossy(&body));
    let info: Value = serde_json::from_slice(&body).unwrap();
    let sha = info["sha256"].as_str().unwrap().to_string();
    assert_eq!(
        (info["media_type"].as_str(), info["name"].as_str()),
        (Some("application/pdf"), Some("Giấy chứng sinh.pdf"))
    );
    // The same content again: stored once.
    assert_eq!(
        send_bytes(&app, &uri, &tok, None, pdf.clone()).await.0,
        StatusCode::OK
    );
    // Refused: not a PDF/image, a type that lies, too large, no name.
    for (ct, body, status) in [
        (Some("application/pdf"), b"hello".to_vec(), 415),
        (Some("image/png"), pdf.clone(), 415),
        (
            None,
            [b"%PDF-".to_vec(), vec![b'x'; (20 << 20) - 4]].concat(),
            413,
        ),
    ] {
        let (s, b) = send_bytes(&app, &uri, &tok, ct, body).await;
        assert_eq!(s.as_u16(), status, "{}", String::from_utf8_lossy(&b));
    }
    assert_eq!(
        send_bytes(
            &app,
            &format!("/api/dossiers/{code}/documents"),
            &tok,
            None,
            pdf.clone()
        )
        .await
        .0,
        StatusCode::BAD_REQUEST
    );
    // Listed and downloaded intact.
    let get = |uri: String| {
        let app = app.clone();
        let tok = tok.clone();
        async move {
            let req = Request::get(uri)
                .header("authorization", format!("Bearer {tok}"))
                .body(Body::empty())
                .unwrap();
            let res = router(app).oneshot(req).await.unwrap();
            let s = res.status();
            (
                s,
                to_bytes(res.into_body(), 64 << 20).await.unwrap().to_vec(),
            )
        }
    };
    let (s, list) = get(format!("/api/dossiers/{code}/documents")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        serde_json::from_slice::<Value>(&list)
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let (s, got) = get(format!("/api/dossiers/{code}/documents/{sha}")).await;
    assert_eq!((s, got == pdf), (StatusCode::OK, true));
    // A file changed on disk is detected on read.
    std::fs::write(dir.join(&sha[..2]).join(&sha), b"%PDF-tampered").unwrap();
    assert_eq!(
        get(format!("/api/dossiers/{code}/documents/{sha}")).await.0,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    std::fs::remove_dir_all(&dir).ok();
});

fn rand_nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
        % 1_000_000
}

storage_test!(the_checklist_is_checked_against_the_procedure, |store| {
    demo::load(store).await.unwrap();
    let tok = user(store, "desk", "H55.305.1", &[Role::ReceptionOfficer]).await;
    let pv = store
        .procedure(
            &motcua_core::codes::ProcedureCode::new("1.001193").unwrap(),
            None,
        )
        .await
        .unwrap()
        .unwrap();
    let cert = pv
        .procedure
        .documents
        .iter()
        .find(|d| d.name.starts_with("Giấy chứng sinh"))
        .unwrap()
        .name
        .clone();
    // An unknown document is refused, nothing received.
    let mut body = birth();
    body["documents"] = json!(["Sổ hộ khẩu"]);
    let (s, v, _) = call(store, "POST", "/api/dossiers", Some(&tok), None, Some(body)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Sổ hộ khẩu")
    );
    let form = pv
        .procedure
        .documents
        .iter()
        .find(|d| d.required)
        .expect("the shipped list marks the birth registration form")
        .name
        .clone();
    assert!(form.starts_with("Tờ khai đăng ký khai sinh"), "{form}");
    // An empty checklist lacks the form: refused, naming it.
    let mut body = birth();
    body["documents"] = json!([]);
    let (s, v, _) = call(store, "POST", "/api/dossiers", Some(&tok), None, Some(body)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let msg = v["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("thiếu giấy tờ bắt buộc") && msg.contains("Tờ khai"),
        "{v}"
    );
    // A catalogue editor also marks the birth certificate required.
    let mut p = pv.procedure.clone();
    p.documents
        .iter_mut()
        .find(|d| d.name == cert)
        .unwrap()
        .required = true;
    store.import_procedures(&[p], pv.valid_from).await.unwrap();
    let mut body = birth();
    body["documents"] = json!([form.clone()]);
    let (s, v, _) = call(store, "POST", "/api/dossiers", Some(&tok), None, Some(body)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("thiếu giấy tờ bắt buộc"),
        "{v}"
    );
    // With both (one typed without diacritics), the dossier is received and keeps its checklist.
    let mut body = birth();
    body["documents"] = json!([motcua_core::text::fold(&cert), form.clone()]);
    let (s, v, _) = call(store, "POST", "/api/dossiers", Some(&tok), None, Some(body)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert!(
        v["code"].as_str().unwrap().ends_with("-0001"),
        "refusals used no number"
    );
    let cert = json!([cert, form]);
    assert_eq!(v["dossier"]["documents"], cert);
    let (_, v, _) = call(
        store,
        "GET",
        &format!("/api/dossiers/{}", v["code"].as_str().unwrap()),
        Some(&tok),
        None,
        None,
    )
    .await;
    assert_eq!(v["events"][0]["payload"]["documents"], cert);
    // Without a `documents` field the checklist is not recorded, not checked.
    let (s, v, _) = call(
        store,
        "POST",
        "/api/dossiers",
        Some(&tok),
        None,
        Some(birth()),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["dossier"]["documents"], json!([]));
});

storage_test!(scoped_tokens_keep_to_their_scopes, |store| {
    demo::load(store).await.unwrap();
    let agency = AgencyCode::new("H55.305.1").unwrap();
    store
        .create_user("ttb", "", &agency, &[Role::ReceptionOfficer], None)
        .await
        .unwrap();
    use motcua_core::access::TokenScope;
    let read = store
        .create_scoped_token("ttb", Some(&[TokenScope::DossiersRead]))
        .await
        .unwrap();
    let write = store
        .create_scoped_token("ttb", Some(&[TokenScope::DossiersWrite]))
        .await
        .unwrap();
    let (s, v, _) = call(
        store,
        "POST",
        "/api/dossiers",
        Some(&read),
        None,
        Some(birth()),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("dossiers:write"),
        "{v}"
    );
    let (s, v, _) = call(
        store,
        "POST",
        "/api/dossiers",
        Some(&write),
        None,
        Some(birth()),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let uri = format!("/api/dossiers/{}", v["code"].as_str().unwrap());
    // Write includes read; read reads; neither reads reports.
    assert_eq!(
        call(store, "GET", &uri, Some(&write), None, None).await.0,
        StatusCode::OK
    );
    assert_eq!(
        call(store, "GET", &uri, Some(&read), None, None).await.0,
        StatusCode::OK
    );
    assert_eq!(
        call(
            store,
            "GET",
            "/api/reports/statistics?from=2026-01-01&to=2026-12-31",
            Some(&read),
            None,
            None
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    // The user's own token (no scopes) may do all the user may.
    assert!(store.token_grant(&read).await.unwrap().unwrap().1.is_some());
    let all = store.create_token("ttb").await.unwrap();
    assert_eq!(store.token_grant(&all).await.unwrap().unwrap().1, None);
});

storage_test!(idempotency_keys_are_tied_to_their_request, |store| {
    // Issue 18.9: the same key sent to another dossier's action returned the
    // first dossier's answer.
    demo::load(store).await.unwrap();
    let tok = user(
        store,
        "ttb",
        "H55.305.1",
        &[Role::ReceptionOfficer, Role::Specialist],
    )
    .await;
    let mut codes = Vec::new();
    for _ in 0..2 {
        let (s, v, _) = call(
            store,
            "POST",
            "/api/dossiers",
            Some(&tok),
            None,
            Some(birth()),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        codes.push(v["code"].as_str().unwrap().to_string());
    }
    let forward = json!({"action": "forward", "version": 1});
    let act = |code: &str| format!("/api/dossiers/{code}/actions");
    let (s, first, replayed) = call(
        store,
        "POST",
        &act(&codes[0]),
        Some(&tok),
        Some("same-key"),
        Some(forward.clone()),
    )
    .await;
    assert_eq!((s, replayed), (StatusCode::OK, false), "{first}");
    // The same request again: the first answer, marked as a replay.
    let (s, again, replayed) = call(
        store,
        "POST",
        &act(&codes[0]),
        Some(&tok),
        Some("same-key"),
        Some(forward.clone()),
    )
    .await;
    assert_eq!((s, replayed), (StatusCode::OK, true));
    assert_eq!(again, first);
    // The same key on the other dossier's action: 422, and that dossier unchanged.
    let (s, v, replayed) = call(
        store,
        "POST",
        &act(&codes[1]),
        Some(&tok),
        Some("same-key"),
        Some(forward.clone()),
    )
    .await;
    assert_eq!(
        (s, replayed),
        (StatusCode::UNPROCESSABLE_ENTITY, false),
        "{v}"
    );
    assert!(
        v["error"]["message"].as_str().unwrap().contains("same-key"),
        "{v}"
    );
    let (_, other, _) = call(
        store,
        "GET",
        &format!("/api/dossiers/{}", codes[1]),
        Some(&tok),
        None,
        None,
    )
    .await;
    assert_eq!(other["version"], 1, "{other}");
    // The same key with another body on the same path: 422.
    let (s, _, _) = call(
        store,
        "POST",
        &act(&codes[0]),
        Some(&tok),
        Some("same-key"),
        Some(json!({"action": "forward", "version": 2})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // The same key for a reception: 422, no dossier made.
    let (s, _, _) = call(
        store,
        "POST",
        "/api/dossiers",
        Some(&tok),
        Some("same-key"),
        Some(birth()),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // Another caller's key of the same name is their own.
    let tok2 = user(
        store,
        "ttb2",
        "H55.305.1",
        &[Role::ReceptionOfficer, Role::Specialist],
    )
    .await;
    let (s, v, replayed) = call(
        store,
        "POST",
        &act(&codes[1]),
        Some(&tok2),
        Some("same-key"),
        Some(forward),
    )
    .await;
    assert_eq!((s, replayed), (StatusCode::OK, false), "{v}");
});

storage_test!(
    assign_names_an_officer_of_the_holder_and_names_are_checked,
    |store| {
        // Issue 18.10: `assign` took any username, and the assignee's queue then
        // showed the applicant's name; 18.7: names the slips cannot print.
        demo::load(store).await.unwrap();
        let all = [Role::ReceptionOfficer, Role::Specialist, Role::HeadOfOffice];
        let tok = user(store, "ttb", "H55.305.1", &all).await;
        user(store, "cv.xa", "H55.305.1", &[Role::Specialist]).await;
        user(store, "cv.khac", "H55.301.1", &[Role::Specialist]).await;
        user(store, "bt.xa", "H55.305.1", &[Role::Editor]).await;
        let (s, v, _) = call(
            store,
            "POST",
            "/api/dossiers",
            Some(&tok),
            None,
            Some(birth()),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let code = v["code"].as_str().unwrap().to_string();
        let act = format!("/api/dossiers/{code}/actions");
        let (s, v, _) = call(
            store,
            "POST",
            &act,
            Some(&tok),
            None,
            Some(json!({"action": "forward", "version": 1})),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        for nobody in ["khong-ton-tai", "cv.khac", "bt.xa", ""] {
            let (s, v, _) = call(
                store,
                "POST",
                &act,
                Some(&tok),
                None,
                Some(json!({"action": "assign", "version": 2, "assignee": nobody})),
            )
            .await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{nobody}: {v}");
        }
        let (_, d, _) = call(
            store,
            "GET",
            &format!("/api/dossiers/{code}"),
            Some(&tok),
            None,
            None,
        )
        .await;
        assert_eq!(d["version"], 2, "nothing changed: {d}");
        let (s, v, _) = call(
            store,
            "POST",
            &act,
            Some(&tok),
            None,
            Some(json!({"action": "assign", "version": 2, "assignee": "cv.xa"})),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        // Names: refused with the character named, nothing received.
        for (name, says) in [
            ("Nguyễn Văn A 😀", "U+1F600"),
            ("Nguyễn\u{202E}Văn", "U+202E"),
            ("李明", "U+674E"),
        ] {
            let mut b = birth();
            b["applicant"]["full_name"] = json!(name);
            let (s, v, _) = call(store, "POST", "/api/dossiers", Some(&tok), None, Some(b)).await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{name}: {v}");
            assert!(
                v["error"]["message"].as_str().unwrap().contains(says),
                "{v}"
            );
        }
        let desk = AgencyCode::new("H55.305.1").unwrap();
        assert_eq!(store.count_dossiers_at(&desk).await.unwrap(), 1);
        // A name stored before the check still prints: the slips replace what
        // the fonts lack instead of failing the receipt and the ledger.
        store
        .execute_unchecked(&format!(
            "UPDATE dossier SET data = REPLACE(data, 'Nguyễn Văn A', 'Nguyễn Văn A 😀\u{202E}') WHERE code = '{code}'"
        ))
        .await
        .unwrap();
        let (_, d, _) = call(
            store,
            "GET",
            &format!("/api/dossiers/{code}"),
            Some(&tok),
            None,
            None,
        )
        .await;
        assert!(
            d["dossier"]["applicant"]["full_name"]
                .as_str()
                .unwrap()
                .contains('😀'),
            "{d}"
        );
        for uri in [
            format!("/api/dossiers/{code}/slips/receipt.pdf"),
            format!("/api/dossiers/{code}/slips/control-sheet.pdf"),
            format!(
                "/api/ledger.pdf?desk=H55.305.1&year={}",
                chrono::Datelike::year(&motcua_core::calendar::to_local(chrono::Utc::now()))
            ),
        ] {
            let res = router(AppState::new(store.clone()))
                .oneshot(
                    Request::get(&uri)
                        .header("authorization", format!("Bearer {tok}"))
                        .body(Body::empty())
                        .unwrap(),
                )
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK, "{uri}");
            let bytes = to_bytes(res.into_body(), 16 << 20).await.unwrap();
            assert!(bytes.starts_with(b"%PDF-"), "{uri}");
        }
    }
);

storage_test!(
    personal_data_is_read_only_by_those_who_handle_or_oversee_it,
    |store| {
        // Issue 18.3: any administrator or oversight reader of any agency, and
        // the news editor, read every dossier of the installation. The matrix
        // of docs/security.md, cell by cell, on every path that shows a dossier.
        demo::load(store).await.unwrap();
        let all = [
            Role::ReceptionOfficer,
            Role::Specialist,
            Role::HeadOfOffice,
            Role::SigningLeader,
        ];
        let desk = user(store, "tn.xa", "H55.305.1", &all).await;
        let (s, v, _) = call(
            store,
            "POST",
            "/api/dossiers",
            Some(&desk),
            None,
            Some(birth()),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let code = v["code"].as_str().unwrap().to_string();
        let paths = [
            format!("/api/dossiers/{code}"),
            format!("/api/dossiers/{code}/slips/receipt.pdf"),
            format!("/api/dossiers/{code}/documents"),
        ];
        let can_read = |tok: String| {
            let paths = paths.clone();
            async move {
                let mut seen = Vec::new();
                for p in &paths {
                    let res = router(AppState::new(store.clone()))
                        .oneshot(
                            Request::get(p)
                                .header("authorization", format!("Bearer {tok}"))
                                .body(Body::empty())
                                .unwrap(),
                        )
                        .await
                        .unwrap();
                    seen.push(res.status());
                }
                let all_ok = seen.iter().all(|s| *s == StatusCode::OK);
                let all_hidden = seen.iter().all(|s| *s == StatusCode::NOT_FOUND);
                assert!(all_ok || all_hidden, "{seen:?}");
                all_ok
            }
        };
        // (who, agency, role, may read)
        let cells: &[(&str, &str, Role, bool)] = &[
            ("gs.xa", "H55.305.1", Role::OversightReader, true),
            ("qt.xa", "H55.305.1", Role::Administrator, true),
            ("bt.xa", "H55.305.1", Role::Editor, false),
            ("cv.traicau", "H55.301.1", Role::Specialist, false),
            ("qt.traicau", "H55.301.1", Role::Administrator, false),
            ("gs.traicau", "H55.301.1", Role::OversightReader, false),
            ("qt.tinh", "000.00.00.H55", Role::Administrator, true),
            ("gs.tinh", "000.00.00.H55", Role::OversightReader, true),
            ("bt.tinh", "000.00.00.H55", Role::Editor, false),
            ("cv.so", "000.00.02.H55", Role::Specialist, false),
        ];
        let mut tokens = std::collections::HashMap::new();
        for (who, agency, role, want) in cells {
            let tok = user(store, who, agency, &[*role]).await;
            assert_eq!(
                can_read(tok.clone()).await,
                *want,
                "{who} ({role:?} at {agency})"
            );
            tokens.insert(*who, tok);
        }
        assert!(can_read(desk.clone()).await, "the receiving desk");
        // Once transferred to the Department of Justice, its officers handle it.
        let act = format!("/api/dossiers/{code}/actions");
        let (s, v, _) = call(
            store,
            "POST",
            &act,
            Some(&desk),
            None,
            Some(json!({"action": "forward", "version": 1})),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let (s, v, _) = call(store, "POST", &act, Some(&desk), None,
        Some(json!({"action": "transfer", "version": 2, "to": "000.00.02.H55", "budget": 120, "task": "Thẩm định"}))).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert!(
            can_read(tokens["cv.so"].clone()).await,
            "the agency holding it"
        );
        assert!(!can_read(tokens["cv.traicau"].clone()).await);
        assert!(!can_read(tokens["bt.xa"].clone()).await);
    }
);

/// Posts the portal's "who opened my dossier" form from `ip`.
async fn who_opened(
    st: &AppState,
    ip: &str,
    code: &str,
    id: &str,
) -> (StatusCode, String, Option<String>) {
    let body = serde_urlencoded::to_string([("ma", code), ("cccd", id)]).unwrap();
    let addr: std::net::SocketAddr = format!("{ip}:5000").parse().unwrap();
    let res = router(st.clone())
        .oneshot(
            Request::post("/tra-cuu-ho-so/ai-da-xem")
                .header("content-type", "application/x-www-form-urlencoded")
                .extension(axum::extract::ConnectInfo(addr))
                .body(Body::from(body))
                .unwrap(),
        )
        .await
        .unwrap();
    let status = res.status();
    let cache = res
        .headers()
        .get("cache-control")
        .map(|v| v.to_str().unwrap().to_string());
    let bytes = to_bytes(res.into_body(), 1 << 20).await.unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned(), cache)
}

storage_test!(the_applicant_sees_who_opened_their_dossier, |store| {
    // Issue 18.4: every read of a dossier's personal data by an officer is
    // recorded, append-only, and shown to the applicant who proves who they are.
    demo::load(store).await.unwrap();
    let all = [Role::ReceptionOfficer, Role::Specialist];
    let desk = user(store, "tn.xa", "H55.305.1", &all).await;
    let stranger = user(store, "cv.traicau", "H55.301.1", &[Role::Specialist]).await;
    let (s, v, _) = call(
        store,
        "POST",
        "/api/dossiers",
        Some(&desk),
        None,
        Some(birth()),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let code = v["code"].as_str().unwrap().to_string();
    let dcode = motcua_core::dossier::DossierCode::parse(&code).unwrap();
    assert!(
        store.dossier_reads(&dcode).await.unwrap().is_empty(),
        "receiving is not a read"
    );
    let get = |tok: String, uri: String| async move {
        router(AppState::new(store.clone()))
            .oneshot(
                Request::get(&uri)
                    .header("authorization", format!("Bearer {tok}"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap()
            .status()
    };
    assert_eq!(
        get(desk.clone(), format!("/api/dossiers/{code}")).await,
        StatusCode::OK
    );
    assert_eq!(
        get(
            desk.clone(),
            format!("/api/dossiers/{code}/slips/receipt.pdf")
        )
        .await,
        StatusCode::OK
    );
    assert_eq!(
        get(
            desk.clone(),
            format!("/api/dossiers/{code}/slips/no-such-form.pdf")
        )
        .await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(stranger.clone(), format!("/api/dossiers/{code}")).await,
        StatusCode::NOT_FOUND
    );
    let (s, v, _) = call(
        store,
        "POST",
        &format!("/api/dossiers/{code}/actions"),
        Some(&desk),
        None,
        Some(json!({"action": "forward", "version": 1})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let reads = store.dossier_reads(&dcode).await.unwrap();
    let seen: Vec<(&str, &str, Option<&str>)> = reads
        .iter()
        .map(|r| (r.username.as_str(), r.via.as_str(), r.purpose.as_deref()))
        .collect();
    assert_eq!(
        seen,
        [
            ("tn.xa", "api", None),
            ("tn.xa", "slip:receipt", None),
            ("tn.xa", "action", Some("forward"))
        ],
        "one row per read by someone allowed; none for a refused read or an unknown slip"
    );
    assert!(reads.iter().all(|r| r.agency_code == "H55.305.1"));
    // Append-only: the database refuses to change or remove a row.
    assert!(
        store
            .execute_unchecked("UPDATE dossier_read SET username = 'x'")
            .await
            .is_err()
    );
    assert!(
        store
            .execute_unchecked("DELETE FROM dossier_read")
            .await
            .is_err()
    );
    assert_eq!(store.dossier_reads(&dcode).await.unwrap().len(), 3);
    // The applicant, with the code and their ID number, sees the log.
    let st = AppState::new(store.clone());
    let (s, body, cache) = who_opened(&st, "198.51.100.4", &code, "019203001234").await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(cache.as_deref(), Some("no-store"));
    assert!(
        body.contains("tn.xa") && body.contains("In phiếu (receipt)"),
        "{body}"
    );
    assert!(
        body.contains("Hệ thống khác (API)") && body.contains("Xử lý hồ sơ"),
        "{body}"
    );
    assert!(
        body.contains("Trung tâm Phục vụ hành chính công xã Đồng Hỷ"),
        "{body}"
    );
    assert!(!body.contains("cv.traicau"));
    // A wrong ID number learns nothing, and guessing is cut off.
    let (s, body, _) = who_opened(&st, "198.51.100.5", &code, "019203009999").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(!body.contains("tn.xa"));
    let mut last = StatusCode::OK;
    for _ in 0..motcua_web::lookup::MISSES {
        last = who_opened(&st, "198.51.100.5", &code, "019203009999")
            .await
            .0;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        who_opened(&st, "198.51.100.5", &code, "019203001234")
            .await
            .0,
        StatusCode::TOO_MANY_REQUESTS
    );
});
