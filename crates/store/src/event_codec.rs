//! How an event's JSON is kept on disk: a zstd frame compressed with a
//! dictionary trained on events (issue 7: events are two thirds of a
//! dossier's bytes, and each one, ~500 bytes of JSON, is too short for a
//! compressor to learn from alone; with the dictionary it shrinks to about a
//! quarter).
//!
//! What the hash chain covers, what `audit verify` recomputes and what peers
//! exchange stays the JSON text ([`unpack`] gives it back byte for byte);
//! only the stored bytes are packed, so a peer re-packs what it receives with
//! its own dictionaries. Rows written before packing hold the text itself
//! (it starts with `{`) and read as they are.
//!
//! Dictionaries are data that can never change once used: a frame names its
//! dictionary by id, and every dictionary ever shipped stays in [`DICTS`]
//! (a new one is added, with a new id, and becomes the one packing uses).
//! `cargo test -p motcua-store --test event_dictionary -- --ignored` trains
//! a new candidate from generated histories (docs/ARCHITECTURE.md).

use crate::StoreError;
use std::cell::RefCell;
use std::sync::OnceLock;
use zstd::dict::{DecoderDictionary, EncoderDictionary};

/// Every dictionary ever used, oldest first; the last one packs.
const DICTS: &[&[u8]] = &[include_bytes!("../dict/events-1.zdict")];

/// zstd's level: 3 is its default; higher levels gain little on short events.
const LEVEL: i32 = 3;

/// The longest event text unpacked (a guard against a damaged frame).
const MAX_EVENT_BYTES: u64 = 4 << 20;

fn encoder() -> &'static EncoderDictionary<'static> {
    static E: OnceLock<EncoderDictionary<'static>> = OnceLock::new();
    E.get_or_init(|| EncoderDictionary::copy(DICTS[DICTS.len() - 1], LEVEL))
}

/// The decoders, with the id each dictionary carries.
fn decoders() -> &'static [(u32, DecoderDictionary<'static>)] {
    static D: OnceLock<Vec<(u32, DecoderDictionary<'static>)>> = OnceLock::new();
    D.get_or_init(|| {
        DICTS
            .iter()
            .map(|d| {
                let id = zstd::zstd_safe::get_dict_id_from_dict(d).map_or(0, |i| i.get());
                (id, DecoderDictionary::copy(d))
            })
            .collect()
    })
}

thread_local! {
    /// A compression context per thread: making one costs more than
    /// compressing an event.
    static PACKER: RefCell<Option<zstd::bulk::Compressor<'static>>> = const { RefCell::new(None) };
    /// A decompression context per thread and dictionary id.
    static UNPACKERS: RefCell<Vec<(u32, zstd::bulk::Decompressor<'static>)>> = const { RefCell::new(Vec::new()) };
}

/// The stored bytes of an event's JSON text.
pub(crate) fn pack(json: &str) -> Result<Vec<u8>, StoreError> {
    let bad = |e: std::io::Error| StoreError::Internal(format!("nén sự kiện: {e}"));
    PACKER.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = Some(zstd::bulk::Compressor::with_prepared_dictionary(encoder()).map_err(bad)?);
        }
        match slot.as_mut() {
            Some(c) => c.compress(json.as_bytes()).map_err(bad),
            None => Err(StoreError::Internal("nén sự kiện".into())),
        }
    })
}

/// The JSON text of stored event bytes: packed, or text stored before
/// packing.
pub(crate) fn unpack(bytes: &[u8]) -> Result<String, StoreError> {
    let bad = |why: String| StoreError::Corrupt(format!("sự kiện lưu hỏng: {why}"));
    if bytes.first() == Some(&b'{') {
        return String::from_utf8(bytes.to_vec()).map_err(|e| bad(e.to_string()));
    }
    let id = zstd::zstd_safe::get_dict_id_from_frame(bytes).map_or(0, |i| i.get());
    let size = match zstd::zstd_safe::get_frame_content_size(bytes) {
        Ok(Some(n)) if n <= MAX_EVENT_BYTES => n as usize,
        Ok(Some(n)) => return Err(bad(format!("{n} byte, quá lớn"))),
        _ => return Err(bad("không phải khung zstd có kích thước".into())),
    };
    let out = UNPACKERS.with(|cell| {
        let mut all = cell.borrow_mut();
        let i = match all.iter().position(|(i, _)| *i == id) {
            Some(i) => i,
            None => {
                let dict = decoders()
                    .iter()
                    .find(|(i, _)| *i == id)
                    .map(|(_, d)| d)
                    .ok_or_else(|| bad(format!("không có từ điển nén số {id}")))?;
                let d = zstd::bulk::Decompressor::with_prepared_dictionary(dict)
                    .map_err(|e| bad(e.to_string()))?;
                all.push((id, d));
                all.len() - 1
            }
        };
        all[i]
            .1
            .decompress(bytes, size)
            .map_err(|e| bad(e.to_string()))
    })?;
    String::from_utf8(out).map_err(|e| bad(e.to_string()))
}

/// The event of stored bytes.
pub(crate) fn read_event(bytes: &[u8]) -> Result<motcua_core::dossier::Event, StoreError> {
    serde_json::from_str(&unpack(bytes)?).map_err(|e| StoreError::Corrupt(format!("event: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_and_gives_back_the_same_text() {
        let samples = [
            r#"{"action":"receive","actor":{"agency":"001.01.21.H55","kind":"officer","role":"reception_officer","user_id":"ttb"},"at":"2026-11-30T08:00:00","dossier":"H55.305.1-261130-0001","handover":{"step_started":{"budget":240,"index":0,"name":"Tiếp nhận hồ sơ","role":"reception_officer"},"to_agency":"H55.305.1"},"payload":{"channel":"direct","due_at":null},"to":"received","version":1}"#,
            "{}",
            r#"{"reason":"Thiếu bản sao \"giấy khai sinh\"\n – đã báo"}"#,
        ];
        for s in samples {
            let packed = pack(s).unwrap();
            assert_ne!(packed.first(), Some(&b'{'));
            assert_eq!(unpack(&packed).unwrap(), s);
        }
        let long = samples[0];
        assert!(
            pack(long).unwrap().len() * 2 < long.len(),
            "{} of {}",
            pack(long).unwrap().len(),
            long.len()
        );
    }

    /// Trains a candidate dictionary from generated histories (the default
    /// mix, as `motcua demo generate` makes them) and the demo dossiers, in
    /// their stored JSON form, and writes it to `MOTCUA_DICT_OUT`:
    /// `MOTCUA_DICT_OUT=/tmp/events-2.zdict cargo test -p motcua-store --lib
    /// train_event_dictionary -- --ignored --nocapture`. A new dictionary is
    /// added to [`DICTS`] as a new file, never over an old one.
    #[tokio::test]
    #[ignore]
    async fn train_event_dictionary() {
        let out = std::env::var("MOTCUA_DICT_OUT").expect("MOTCUA_DICT_OUT");
        let db = crate::testing::TestDb::sqlite().await;
        crate::demo::load(&db.store).await.unwrap();
        crate::demo::load_dossiers(&db.store).await.unwrap();
        let mut samples: Vec<Vec<u8>> = Vec::new();
        for t in db.store.event_texts_unchecked().await.unwrap() {
            samples.push(t.into_bytes());
        }
        let batch = crate::testing::generated_2018(&db.store, 5000, 2019, Default::default())
            .await
            .unwrap();
        for x in &batch {
            for ev in &x.events {
                samples.push(crate::chain::json(ev).unwrap().into_bytes());
            }
        }
        let dict = zstd::dict::from_samples(&samples, 16 * 1024).unwrap();
        let before: usize = samples.iter().map(|s| s.len()).sum();
        let mut c = zstd::bulk::Compressor::with_dictionary(LEVEL, &dict).unwrap();
        let after: usize = samples.iter().map(|s| c.compress(s).unwrap().len()).sum();
        println!(
            "{} samples, {before} bytes → {after} with the dictionary ({} bytes)",
            samples.len(),
            dict.len()
        );
        std::fs::write(&out, dict).unwrap();
        db.cleanup().await;
    }

    #[test]
    fn text_stored_before_packing_reads_as_it_is() {
        let s = r#"{"dossier":"H55.305.1-261130-0001","from":null}"#;
        assert_eq!(unpack(s.as_bytes()).unwrap(), s);
    }

    #[test]
    fn damaged_bytes_are_an_error_not_a_panic() {
        let mut packed = pack(r#"{"action":"forward","version":2}"#).unwrap();
        let n = packed.len();
        packed.truncate(n - 3);
        assert!(unpack(&packed).is_err());
        assert!(unpack(b"\x28\xb5\x2f\xfd garbage").is_err());
        assert!(unpack(b"").is_err());
        assert!(unpack(b"\xff\xfe").is_err());
    }
}
