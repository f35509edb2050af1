//! Signed messages between installations through the router, on both
//! engines: applied once and in order; tampered, unknown or misdirected
//! messages refused and changing nothing.

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use chrono::Utc;
use ed25519_dalek::SigningKey;
use motcua_core::federation::{Envelope, InstallationId, SignedMessage, public_hex, sign, to_hex};
use motcua_store::storage_test;
use motcua_web::{AppState, router};
use serde_json::{Value, json};
use tower::ServiceExt;

mod common;
use common::Counting;

async fn deliver(st: &AppState, m: &SignedMessage) -> (StatusCode, Value) {
    let res = router(st.clone())
        .oneshot(
            Request::post("/api/federation/messages")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(serde_json::to_vec(m).unwrap()))
                .unwrap(),
        )
        .await
        .unwrap();
    let s = res.status();
    let b = to_bytes(res.into_body(), 1 << 20).await.unwrap();
    (s, serde_json::from_slice(&b).unwrap_or(Value::Null))
}

fn id(s: &str) -> InstallationId {
    InstallationId::new(s).unwrap()
}

fn envelope(seq: u64, to: &str) -> Envelope {
    Envelope {
        id: uuid::Uuid::new_v4().to_string(),
        from: id("xa-song-cau"),
        to: id(to),
        seq,
        dossier: Some("001.11.21.H55-180312-0001".into()),
        kind: "ping".into(),
        sent_at: Utc::now(),
        payload: json!({"note": "thử kết nối"}),
    }
}

storage_test!(peers_exchange_signed_messages_once_in_order, |store| {
    let st = AppState::new(store.clone());
    let commune = SigningKey::from_bytes(&[3; 32]);
    let district = SigningKey::from_bytes(&[4; 32]);
    let m1 = sign(&commune, &envelope(1, "huyen-dong-hy")).unwrap();
    // No key yet: the installation cannot take part.
    assert_eq!(deliver(&st, &m1).await.0, StatusCode::FORBIDDEN);
    store
        .set_installation_key(
            &id("huyen-dong-hy"),
            &to_hex(&district.to_bytes()),
            &public_hex(&district),
            false,
        )
        .await
        .unwrap();
    assert!(
        store
            .set_installation_key(
                &id("huyen-dong-hy"),
                &to_hex(&district.to_bytes()),
                &public_hex(&district),
                false
            )
            .await
            .is_err(),
        "a key is not replaced by accident"
    );
    // An unknown sender.
    assert_eq!(deliver(&st, &m1).await.0, StatusCode::FORBIDDEN);
    store
        .add_peer(
            &id("xa-song-cau"),
            "http://127.0.0.1:9",
            &public_hex(&commune),
            false,
            &[],
        )
        .await
        .unwrap();
    // Applied once; the same again is a duplicate.
    let (s, v) = deliver(&st, &m1).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["applied"], true);
    let (s, v) = deliver(&st, &m1).await;
    assert_eq!((s, v["duplicate"].clone()), (StatusCode::OK, json!(true)));
    // Number 3 before 2: a gap, refused until 2 arrives.
    let m3 = sign(&commune, &envelope(3, "huyen-dong-hy")).unwrap();
    let (s, v) = deliver(&st, &m3).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(v["expected"], 2);
    let m2 = sign(&commune, &envelope(2, "huyen-dong-hy")).unwrap();
    assert_eq!(deliver(&st, &m2).await.1["applied"], true);
    assert_eq!(deliver(&st, &m3).await.1["applied"], true);
    // A tampered body, a forged signature, another recipient, the same
    // message id replayed under a new number: refused, nothing applied.
    let mut t = sign(&commune, &envelope(4, "huyen-dong-hy")).unwrap();
    t.body = t.body.replace("thử kết nối", "đã giải quyết");
    assert_eq!(deliver(&st, &t).await.0, StatusCode::UNAUTHORIZED);
    let forged = sign(
        &SigningKey::from_bytes(&[5; 32]),
        &envelope(4, "huyen-dong-hy"),
    )
    .unwrap();
    assert_eq!(deliver(&st, &forged).await.0, StatusCode::UNAUTHORIZED);
    let elsewhere = sign(&commune, &envelope(4, "tinh-thai-nguyen")).unwrap();
    assert_eq!(deliver(&st, &elsewhere).await.0, StatusCode::BAD_REQUEST);
    let mut again: Envelope = serde_json::from_str(&m1.body).unwrap();
    again.seq = 4;
    let replay = sign(&commune, &again).unwrap();
    assert_eq!(deliver(&st, &replay).await.1["duplicate"], true);
    let garbage = SignedMessage {
        body: "{".into(),
        signature: "00".into(),
    };
    assert_eq!(deliver(&st, &garbage).await.0, StatusCode::BAD_REQUEST);
    // Signed and next in order, but not a dossier nor a status record:
    // refused, and its number stays free.
    for (kind, payload) in [
        ("dossier", json!({"bogus": 1})),
        ("status", json!({"MaHoSo": "x"})),
    ] {
        let mut e = envelope(4, "huyen-dong-hy");
        e.kind = kind.into();
        e.payload = payload;
        let (s, v) = deliver(&st, &sign(&commune, &e).unwrap()).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{kind}: {v}");
    }
    assert_eq!(store.inbox_count(&id("xa-song-cau")).await.unwrap(), 3);
    assert_eq!(store.fed_count().await.unwrap(), 0);
    // Peers are listed and removed.
    assert_eq!(store.peers().await.unwrap().len(), 1);
    assert!(store.remove_peer(&id("xa-song-cau")).await.unwrap());
    assert!(!store.remove_peer(&id("xa-song-cau")).await.unwrap());
});

// ---- Three installations: a commune, a provincial department, the province.

/// One installation in this process: its store, files and router state.
struct Inst {
    name: &'static str,
    db: motcua_store::testing::TestDb,
    st: AppState,
    key: SigningKey,
}

impl Inst {
    async fn new(
        engine: motcua_store::testing::Engine,
        name: &'static str,
        seed: u8,
    ) -> Option<Inst> {
        let db = motcua_store::testing::TestDb::new(engine).await?;
        motcua_store::demo::load(&db.store).await.unwrap();
        let key = SigningKey::from_bytes(&[seed; 32]);
        db.store
            .set_installation_key(
                &id(name),
                &to_hex(&key.to_bytes()),
                &public_hex(&key),
                false,
            )
            .await
            .unwrap();
        let files = motcua_store::files::Files::local(
            std::env::temp_dir().join(format!("motcua-fed-{}", uuid::Uuid::new_v4().simple())),
        );
        let st = AppState::new(db.store.clone()).with_files(files);
        Some(Inst { name, db, st, key })
    }

    async fn knows(&self, other: &Inst, upstream: bool, agencies: &[&str]) {
        let agencies: Vec<String> = agencies.iter().map(|a| a.to_string()).collect();
        self.db
            .store
            .add_peer(
                &id(other.name),
                "http://127.0.0.1:9",
                &public_hex(&other.key),
                upstream,
                &agencies,
            )
            .await
            .unwrap();
    }

    async fn token(
        &self,
        user: &str,
        agency: &str,
        roles: &[motcua_core::dossier::Role],
    ) -> String {
        let agency = motcua_core::codes::AgencyCode::new(agency).unwrap();
        self.db
            .store
            .create_user(user, "", &agency, roles, None)
            .await
            .unwrap();
        self.db.store.create_token(user).await.unwrap()
    }

    async fn call(
        &self,
        method: &str,
        uri: &str,
        token: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .header("authorization", format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json");
        let body = body
            .map(|b| Body::from(b.to_string()))
            .unwrap_or_else(Body::empty);
        let res = router(self.st.clone())
            .oneshot(req.body(body).unwrap())
            .await
            .unwrap();
        let s = res.status();
        let b = to_bytes(res.into_body(), 16 << 20).await.unwrap();
        (s, serde_json::from_slice(&b).unwrap_or(Value::Null))
    }

    async fn act(&self, token: &str, code: &str, body: Value) -> (StatusCode, Value) {
        self.call(
            "POST",
            &format!("/api/dossiers/{code}/actions"),
            token,
            Some(body),
        )
        .await
    }

    async fn get(&self, token: &str, code: &str) -> Value {
        let (s, v) = self
            .call("GET", &format!("/api/dossiers/{code}"), token, None)
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        v
    }
}

/// Delivers what `from` has for `to`, as the worker of `motcua serve`
/// does (same body, through `to`'s router); returns how many went.
/// Posts a message of `from`'s outbox to `to` as the worker of `motcua
/// serve` does (same body, through `to`'s router).
async fn post_message(
    from: &Inst,
    to: &Inst,
    m: &motcua_store::federation::PeerMessage,
) -> (StatusCode, String) {
    let body = motcua_web::federation::wire_body(&from.st.files, m)
        .await
        .unwrap();
    let res = router(to.st.clone())
        .oneshot(
            Request::post("/api/federation/messages")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body))
                .unwrap(),
        )
        .await
        .unwrap();
    let s = res.status();
    let b = to_bytes(res.into_body(), 1 << 20).await.unwrap();
    (s, String::from_utf8_lossy(&b).into_owned())
}

/// Delivers everything `from` has for `to`; returns how many went.
async fn pump(from: &Inst, to: &Inst) -> usize {
    let mut n = 0;
    while let Some(m) = from.db.store.peer_next(to.name).await.unwrap() {
        assert!(m.dead_at.is_none(), "dead letter: {m:?}");
        let (s, b) = post_message(from, to, &m).await;
        assert_eq!(s, StatusCode::OK, "{} → {}: {b}", from.name, to.name);
        from.db
            .store
            .peer_delivered(&m.peer, m.seq, Utc::now())
            .await
            .unwrap();
        n += 1;
    }
    n
}

/// The same state, due moment, version and event chain on both sides.
fn same(a: &Value, b: &Value) {
    for f in ["state", "due_at", "version", "received_at"] {
        assert_eq!(a[f], b[f], "{f}: {a} / {b}");
    }
    let hashes = |v: &Value| -> Vec<Value> {
        v["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["hash"].clone())
            .collect()
    };
    assert_eq!(hashes(a), hashes(b));
}

async fn three_installations(engine: motcua_store::testing::Engine) {
    use motcua_core::dossier::Role::*;
    let Some(xa) = Inst::new(engine, "xa-dong-hy", 11).await else {
        return;
    };
    let so = Inst::new(engine, "so-tu-phap", 12).await.unwrap();
    let tinh = Inst::new(engine, "tinh-thai-nguyen", 13).await.unwrap();
    // The commune sends dossiers for the Department of Justice there, and
    // its statuses to the province; the department likewise.
    xa.knows(&so, false, &["000.00.02.H55"]).await;
    xa.knows(&tinh, true, &[]).await;
    so.knows(&xa, false, &["H55.305.1"]).await;
    so.knows(&tinh, true, &[]).await;
    // The province accepts status records only for the desks each hosts.
    tinh.knows(&xa, false, &["H55.305.1"]).await;
    tinh.knows(&so, false, &["000.00.02.H55"]).await;
    // A third party told of every change the commune records.
    xa.db
        .store
        .add_webhook("so-lieu", "http://127.0.0.1:9/hook", &[], Some("H55.305.1"))
        .await
        .unwrap();
    let all = [ReceptionOfficer, Specialist, HeadOfOffice, SigningLeader];
    let t_xa = xa.token("ttb", "H55.305.1", &all).await;
    let t_so = so.token("stp", "000.00.02.H55", &all).await;
    let t_so_xa = so.token("xa-o-so", "H55.305.1", &all).await;
    // Received at the commune, with a document.
    let (s, v) = xa
        .call("POST", "/api/dossiers", &t_xa, Some(json!({
            "procedure_code": "1.001193", "channel": "direct",
            "applicant": {"kind": "citizen", "full_name": "Nguyễn Văn A", "id_number": "019203001234",
                          "phone": "0912345678", "email": "a@example.vn", "address": "Xã Đồng Hỷ"}})))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let code = v["code"].as_str().unwrap().to_string();
    let pdf = b"%PDF-1.4\n% to khai\n%%EOF\n".to_vec();
    let sha = xa.st.files.put(&pdf).await.unwrap();
    xa.db
        .store
        .add_document(
            &motcua_core::dossier::DossierCode::parse(&code).unwrap(),
            &motcua_store::DocumentInfo {
                sha256: sha.clone(),
                name: "to-khai.pdf".into(),
                media_type: "application/pdf".into(),
                size: pdf.len() as i64,
                uploaded_by: "ttb".into(),
                uploaded_at: Utc::now(),
            },
        )
        .await
        .unwrap();
    let (s, v) = xa
        .act(&t_xa, &code, json!({"action": "forward", "version": 1}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // Nothing for the department yet: the dossier is the commune's alone.
    assert!(xa.db.store.peer_next("so-tu-phap").await.unwrap().is_none());
    let (s, v) = xa
        .act(
            &t_xa,
            &code,
            json!({"action": "transfer", "version": 2, "to": "000.00.02.H55",
                                   "budget": 120, "task": "Thẩm định hồ sơ hộ tịch"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // The department's calendar differs (every day of the coming fortnight
    // off): it must not matter, due moments travel as data.
    let today = motcua_core::calendar::to_local(chrono::Utc::now()).date();
    for i in 0..14 {
        so.db
            .store
            .set_day_rule(
                None,
                &motcua_core::calendar::DayRule {
                    date: today + chrono::Duration::days(i),
                    kind: motcua_core::calendar::DayKind::Holiday,
                    name: "Nghỉ (thử lịch khác)".into(),
                    note: String::new(),
                },
            )
            .await
            .unwrap();
    }
    assert_eq!(pump(&xa, &so).await, 1);
    // The department has the whole dossier: same state, due moment, chain, document.
    let a = xa.get(&t_xa, &code).await;
    let b = so.get(&t_so, &code).await;
    same(&a, &b);
    assert_eq!(b["state"], "transferred_out");
    assert_eq!(
        so.db.store.dossier_home(&code).await.unwrap().as_deref(),
        Some("xa-dong-hy")
    );
    assert_eq!(so.st.files.get(&sha).await.unwrap(), pdf);
    assert_eq!(
        so.db
            .store
            .documents(&motcua_core::dossier::DossierCode::parse(&code).unwrap())
            .await
            .unwrap()
            .len(),
        1
    );
    // While the department holds it, the commune cannot change it…
    let (s, v) = xa
        .act(&t_xa, &code, json!({"action": "request_supplement", "version": 3, "items": ["Bản sao"], "reason": "thiếu"}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("so-tu-phap"),
        "{v}"
    );
    // …and the department returns it.
    let (s, v) = so
        .act(
            &t_so,
            &code,
            json!({"action": "return_from_transfer", "version": 3, "note": "Đủ điều kiện"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // Now the department's copy is read-only there (the commune holds it).
    let (s, _) = so
        .act(
            &t_so_xa,
            &code,
            json!({"action": "return_from_transfer", "version": 4}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(pump(&so, &xa).await, 1);
    assert_eq!(pump(&xa, &so).await, 0, "nothing echoes back");
    same(&xa.get(&t_xa, &code).await, &so.get(&t_so, &code).await);
    // The commune finishes; the department's copy follows.
    let (s, v) = xa
        .act(
            &t_xa,
            &code,
            json!({"action": "assign", "version": 4, "assignee": "ttb"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // The department's copy names the commune's officer as the commune's
    // (`xa-dong-hy/ttb`): a department user also called `ttb` finds nothing
    // in their own queue, and the page says whose officer acted.
    assert!(pump(&xa, &so).await >= 1);
    let pw = "mat-khau-du-dai";
    common::person(&so.db.store, "ttb", "000.00.02.H55", &[Specialist], pw).await;
    let cookie = common::sign_in(&so.st, "ttb", pw).await;
    let mine = common::send(&so.st, "GET", "/workspace/?hang=cua-toi", &cookie, None).await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(
        !mine.body.contains(&code),
        "a peer's assignment is not a local one"
    );
    let page = common::send(
        &so.st,
        "GET",
        &format!("/workspace/ho-so/{code}"),
        &cookie,
        None,
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("xa-dong-hy/ttb"), "{}", page.body);
    let mut version = 5;
    for _ in 0..6 {
        let (s, v) = xa
            .act(
                &t_xa,
                &code,
                json!({"action": "complete_step", "version": version}),
            )
            .await;
        if s != StatusCode::OK {
            break;
        }
        version = v["version"].as_u64().unwrap();
    }
    let (s, v) = xa
        .act(
            &t_xa,
            &code,
            json!({"action": "resolve", "version": version}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = xa
        .act(
            &t_xa,
            &code,
            json!({"action": "return_result", "version": version + 1}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(pump(&xa, &so).await >= 1);
    let a = xa.get(&t_xa, &code).await;
    same(&a, &so.get(&t_so, &code).await);
    assert_eq!(a["state"], "result_returned");
    // One webhook delivery per change recorded at the commune, the
    // department's return included; none at the department.
    let hooks = xa.db.store.webhook_outbox(true).await.unwrap();
    let version = a["version"].as_u64().unwrap() as usize;
    assert_eq!(hooks.len(), version, "{hooks:?}");
    assert!(hooks.iter().any(|h| h.event == "return_from_transfer"));
    assert!(so.db.store.webhook_outbox(true).await.unwrap().is_empty());
    // Both audit chains are intact.
    for i in [&xa, &so] {
        assert_eq!(
            i.db.store.verify_audit().await.unwrap().broken,
            None,
            "{}",
            i.name
        );
    }
    // The province: every status, once, and its report = the sum of theirs.
    let statuses = pump(&xa, &tinh).await;
    assert!(statuses >= 6, "{statuses}");
    assert_eq!(pump(&so, &tinh).await, 0, "a copy sends no statuses");
    assert_eq!(tinh.db.store.fed_count().await.unwrap(), 1);
    let rec = tinh.db.store.fed_record(&code).await.unwrap().unwrap();
    assert_eq!((rec.state_code, rec.agency.as_str()), (10, "H55.305.1"));
    let p = motcua_core::stats::Period::new(
        today - chrono::Duration::days(40),
        today + chrono::Duration::days(1),
    )
    .unwrap();
    let scope = motcua_store::reports::Scope {
        unit: Some(motcua_core::codes::UnitCode::new("19").unwrap()),
        ..Default::default()
    };
    let now = motcua_core::calendar::to_local(chrono::Utc::now());
    let report = |i: &Inst| {
        let store = i.db.store.clone();
        let (scope, p) = (scope.clone(), p);
        async move {
            store
                .report(&scope, &p, motcua_store::reports::GroupBy::Level, now)
                .await
                .unwrap()
                .total
        }
    };
    let (rx, rs, rt) = (report(&xa).await, report(&so).await, report(&tinh).await);
    assert_eq!(rx.received(), 1);
    assert_eq!(rs.received(), 0, "a copy is counted where it was received");
    let mut sum = rx;
    sum.merge(&rs);
    assert_eq!(rt, sum);
    assert!(tinh.db.store.verify_stats(false).await.unwrap().is_empty());
    assert!(xa.db.store.verify_stats(false).await.unwrap().is_empty());
    assert!(so.db.store.verify_stats(false).await.unwrap().is_empty());
    // A replayed message is answered as a duplicate and changes nothing.
    let last = xa
        .db
        .store
        .peer_outbox(false)
        .await
        .unwrap()
        .into_iter()
        .rfind(|m| m.peer == "so-tu-phap")
        .unwrap();
    let (s, b) = post_message(&xa, &so, &last).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert!(b.contains("duplicate"), "{b}");
    same(&xa.get(&t_xa, &code).await, &so.get(&t_so, &code).await);
    forgeries_are_refused(engine, &xa, &so, &tinh, &t_xa, &code).await;
    for i in [xa, so, tinh] {
        i.db.cleanup().await;
    }
}

/// `m` signed again by `key` with sequence number `seq` and, if given, its
/// payload changed: what a peer holding its own key can send.
fn resign(
    key: &SigningKey,
    m: &motcua_store::federation::PeerMessage,
    seq: u64,
    edit: impl FnOnce(&mut Value),
) -> SignedMessage {
    let mut env: Envelope = serde_json::from_str(&m.body).unwrap();
    env.seq = seq;
    env.id = uuid::Uuid::new_v4().to_string();
    edit(&mut env.payload);
    sign(key, &env).unwrap()
}

/// Issue 18.2: a configured peer signs what it likes; what it may do is
/// limited to the agencies it hosts. Every forgery answers 403 and writes
/// nothing.
async fn forgeries_are_refused(
    engine: motcua_store::testing::Engine,
    xa: &Inst,
    so: &Inst,
    tinh: &Inst,
    t_xa: &str,
    code: &str,
) {
    use motcua_core::dossier::Role::*;
    let next_from_so = |i: &Inst| {
        let store = i.db.store.clone();
        async move { store.inbox_count(&id("so-tu-phap")).await.unwrap() as u64 + 1 }
    };
    let before = xa.get(t_xa, code).await;
    let notices = xa.db.store.outbox().await.unwrap().len();
    // 1. The department's old return, sent again while the commune holds
    //    the dossier: a peer changes only what its agencies hold.
    let old_return = so
        .db
        .store
        .peer_outbox(false)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.peer == "xa-dong-hy")
        .unwrap();
    let seq = next_from_so(xa).await;
    let (s, v) = deliver(&xa.st, &resign(&so.key, &old_return, seq, |_| {})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    // 2. A twin of the department (same name and key, its own database)
    //    receives dossiers "at the commune's desk" and transfers one to an
    //    agency the commune hosts; then claims the commune as its home.
    let twin = Inst::new(engine, "so-tu-phap", 12).await.unwrap();
    twin.knows(xa, false, &["H55.301.1"]).await;
    twin.knows(tinh, true, &[]).await;
    let all = [ReceptionOfficer, Specialist, HeadOfOffice, SigningLeader];
    let t_twin = twin.token("ttb", "H55.305.1", &all).await;
    let mut codes = Vec::new();
    for _ in 0..2 {
        let (s, v) = twin
            .call("POST", "/api/dossiers", &t_twin, Some(json!({
                "procedure_code": "1.001193", "channel": "direct",
                "applicant": {"kind": "citizen", "full_name": "Kẻ Giả Mạo", "id_number": "019203009999",
                              "email": "attacker@example.vn"}})))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        codes.push(v["code"].as_str().unwrap().to_string());
    }
    assert_eq!(codes[0], code, "the twin's first code is the commune's");
    let forged = &codes[1];
    let (s, v) = twin
        .act(&t_twin, forged, json!({"action": "forward", "version": 1}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = twin
        .act(
            &t_twin,
            forged,
            json!({"action": "transfer", "version": 2, "to": "H55.301.1",
                                      "budget": 120, "task": "Giả mạo"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let transfer = twin
        .db
        .store
        .peer_next("xa-dong-hy")
        .await
        .unwrap()
        .expect("queued for the commune");
    let seq = next_from_so(xa).await;
    for home in [None, Some("xa-dong-hy")] {
        let m = resign(&twin.key, &transfer, seq, |p| {
            if let Some(h) = home {
                p["home"] = json!(h);
            }
        });
        let (s, v) = deliver(&xa.st, &m).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "home {home:?}: {v}");
    }
    let (s, _) = xa
        .call("GET", &format!("/api/dossiers/{forged}"), t_xa, None)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "no forged dossier stored");
    assert_eq!(next_from_so(xa).await, seq, "the number stays free");
    same(&xa.get(t_xa, code).await, &before);
    assert_eq!(
        xa.db.store.outbox().await.unwrap().len(),
        notices,
        "no notice queued"
    );
    assert_eq!(xa.db.store.verify_audit().await.unwrap().broken, None);
    // 3. The twin's status record of the commune's dossier, to the province:
    //    a peer writes records only for the desks it hosts.
    let status = twin
        .db
        .store
        .peer_outbox(false)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.peer == "tinh-thai-nguyen" && m.dossier_code.as_deref() == Some(code))
        .expect("a status for the province");
    let seq = next_from_so(tinh).await;
    let (s, v) = deliver(&tinh.st, &resign(&twin.key, &status, seq, |_| {})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let rec = tinh.db.store.fed_record(code).await.unwrap().unwrap();
    assert_eq!((rec.state_code, rec.agency.as_str()), (10, "H55.305.1"));
    assert!(tinh.db.store.verify_stats(false).await.unwrap().is_empty());
    twin.db.cleanup().await;
}

#[tokio::test]
async fn three_installations_share_a_dossier_and_feed_the_province_sqlite() {
    three_installations(motcua_store::testing::Engine::Sqlite).await;
}

#[tokio::test]
async fn three_installations_share_a_dossier_and_feed_the_province_postgres() {
    three_installations(motcua_store::testing::Engine::Postgres).await;
}

/// Posts `len` bytes of body (declared or not) with `headers`: the status
/// and how many bytes the server read.
async fn oversized(
    st: &AppState,
    len: usize,
    declare: bool,
    headers: &[(&str, String)],
) -> (StatusCode, usize) {
    let pulled = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut req =
        Request::post("/api/federation/messages").header(header::CONTENT_TYPE, "application/json");
    if declare {
        req = req.header(header::CONTENT_LENGTH, len.to_string());
    }
    for (n, v) in headers {
        req = req.header(*n, v.as_str());
    }
    let body = Body::new(Counting {
        left: len,
        pulled: pulled.clone(),
    });
    let res = router(st.clone())
        .oneshot(req.body(body).unwrap())
        .await
        .unwrap();
    (
        res.status(),
        pulled.load(std::sync::atomic::Ordering::SeqCst),
    )
}

storage_test!(a_peer_is_checked_before_its_body_is_read, |store| {
    // Issue 18.5: 128 MiB were accepted and parsed before the peer was
    // looked at (16 parallel posts took the server to 2 GiB).
    use motcua_web::federation::{FROM_HEADER, MAX_UNSIGNED, SIGNATURE_HEADER, TIME_HEADER};
    let st = AppState::new(store.clone());
    let us = SigningKey::from_bytes(&[4; 32]);
    store
        .set_installation_key(
            &id("huyen-dong-hy"),
            &to_hex(&us.to_bytes()),
            &public_hex(&us),
            false,
        )
        .await
        .unwrap();
    let peer = SigningKey::from_bytes(&[3; 32]);
    store
        .add_peer(
            &id("xa-song-cau"),
            "http://127.0.0.1:9",
            &public_hex(&peer),
            false,
            &[],
        )
        .await
        .unwrap();
    let big = 100 << 20;
    // No transport signature: a declared large body is refused unread…
    assert_eq!(
        oversized(&st, big, true, &[]).await,
        (StatusCode::PAYLOAD_TOO_LARGE, 0)
    );
    // …and an undeclared one is cut at the unsigned allowance.
    let (s, read) = oversized(&st, big, false, &[]).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(read <= MAX_UNSIGNED + (64 << 10), "{read}");
    let now = Utc::now().timestamp();
    let signed = |key: &SigningKey, from: &str, at: i64, len: usize| {
        vec![
            (FROM_HEADER, from.to_string()),
            (TIME_HEADER, at.to_string()),
            (
                SIGNATURE_HEADER,
                motcua_core::federation::sign_transport(
                    key,
                    &id(from),
                    &id("huyen-dong-hy"),
                    at,
                    len as u64,
                ),
            ),
        ]
    };
    // A wrong key, an unknown sender, a stale time, a signature for another
    // length: refused before a byte is read.
    let stranger = SigningKey::from_bytes(&[9; 32]);
    for (h, want) in [
        (
            signed(&stranger, "xa-song-cau", now, big),
            StatusCode::UNAUTHORIZED,
        ),
        (signed(&stranger, "la-la", now, big), StatusCode::FORBIDDEN),
        (
            signed(&peer, "xa-song-cau", now - 3600, big),
            StatusCode::UNAUTHORIZED,
        ),
        (
            signed(&peer, "xa-song-cau", now, 1000),
            StatusCode::UNAUTHORIZED,
        ),
    ] {
        assert_eq!(oversized(&st, big, true, &h).await, (want, 0));
    }
    // The peer's own signature: the body is read (then refused as not JSON).
    let (s, read) = oversized(
        &st,
        2 << 20,
        true,
        &signed(&peer, "xa-song-cau", now, 2 << 20),
    )
    .await;
    assert_eq!((s, read), (StatusCode::BAD_REQUEST, 2 << 20));
    // A message signed in its headers by one peer for another's envelope: 401.
    let m = sign(&peer, &envelope(1, "huyen-dong-hy")).unwrap();
    let text = serde_json::to_string(&m).unwrap();
    let other = SigningKey::from_bytes(&[8; 32]);
    store
        .add_peer(
            &id("xa-khac"),
            "http://127.0.0.1:9",
            &public_hex(&other),
            false,
            &[],
        )
        .await
        .unwrap();
    let mut req = Request::post("/api/federation/messages")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_LENGTH, text.len().to_string());
    for (n, v) in signed(&other, "xa-khac", now, text.len()) {
        req = req.header(n, v);
    }
    let res = router(st.clone())
        .oneshot(req.body(Body::from(text.clone())).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // The same, signed by its own sender: applied.
    let mut req = Request::post("/api/federation/messages")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_LENGTH, text.len().to_string());
    for (n, v) in signed(&peer, "xa-song-cau", now, text.len()) {
        req = req.header(n, v);
    }
    let res = router(st.clone())
        .oneshot(req.body(Body::from(text)).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(store.inbox_count(&id("xa-song-cau")).await.unwrap(), 1);
});
