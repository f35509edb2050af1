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
        kind: "status".into(),
        sent_at: Utc::now(),
        payload: json!({"state": "in_processing"}),
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
    t.body = t.body.replace("in_processing", "resolved");
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
    assert_eq!(store.inbox_count(&id("xa-song-cau")).await.unwrap(), 3);
    // Peers are listed and removed.
    assert_eq!(store.peers().await.unwrap().len(), 1);
    assert!(store.remove_peer(&id("xa-song-cau")).await.unwrap());
    assert!(!store.remove_peer(&id("xa-song-cau")).await.unwrap());
});
