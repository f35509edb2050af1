//! Fuzzing on stable Rust (issue 18): every parser that takes outside
//! bytes is fed random bytes and mutations of a valid input, with a fixed
//! budget, and must answer with a value or an error, never a panic. The
//! seeds are the project's own data files, so mutations reach deep into
//! each format (a header that parses, rows that almost do).

use motcua_core::calendar::parse_day_rules_csv;
use motcua_core::codes::{AgencyCode, CitizenId, ProcedureCode, TaxCode, UnitCode};
use motcua_core::dossier::{Applicant, Command, DossierCode};
use motcua_core::federation::{
    DossierSync, Envelope, InstallationId, SignedMessage, StatusRecord, verify, verifying_key,
};
use proptest::prelude::*;

/// The first `lines` lines of a data file.
fn head(bytes: &[u8], lines: usize) -> Vec<u8> {
    let mut n = 0;
    let end = bytes
        .iter()
        .position(|b| {
            if *b == b'\n' {
                n += 1;
            }
            n == lines
        })
        .unwrap_or(bytes.len());
    bytes[..end].to_vec()
}

fn seeds() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("units", head(include_bytes!("../../../data/units-history.csv"), 30)),
        ("agencies", head(include_bytes!("../../../data/agencies-thai-nguyen.csv"), 30)),
        ("holidays", head(include_bytes!("../../../data/holidays-vn.csv"), 30)),
        ("processes", head(include_bytes!("../../../data/processes.csv"), 30)),
        ("required", head(include_bytes!("../../../data/required-documents.csv"), 10)),
        ("times", head(include_bytes!("../../../data/processing-times.csv"), 10)),
        (
            "history",
            b"code,procedure_code,receiving_unit,channel,received_at,due_at,finished_at,outcome,returned_at\n\
              001.01.21.H55-180312-0001,1.001193,169,direct,2018-03-12T08:00,2018-03-19T17:00,2018-03-16T10:00,approved,2018-03-19T09:00\n"
                .to_vec(),
        ),
        (
            "command",
            br#"{"action":"transfer","version":2,"to":"000.00.02.H55","budget":120,"task":"x"}"#.to_vec(),
        ),
        (
            "applicant",
            r#"{"kind":"citizen","full_name":"Nguyễn Văn A","id_number":"019203001234","phone":"0912345678","email":"a@example.vn"}"#
                .as_bytes()
                .to_vec(),
        ),
        (
            "envelope",
            br#"{"body":"{\"id\":\"1\",\"from\":\"xa\",\"to\":\"so\",\"seq\":1,\"kind\":\"ping\",\"sent_at\":\"2026-11-29T10:00:00Z\",\"payload\":{}}","signature":"00"}"#
                .to_vec(),
        ),
        ("markdown", b"## Tin\n\n<script>x</script> [a](javascript:b) **c** ![i](/x.png)\n".to_vec()),
    ]
}

/// Every parser of outside bytes, on `bytes`. Returns nothing: a panic is
/// the failure.
fn feed(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let yes = |_: &UnitCode, _: chrono::NaiveDate| true;
    let _ = motcua_core::units::parse_units_csv("f.csv", bytes, &yes);
    let _ = motcua_core::agency::parse_agencies_csv("f.csv", bytes, &|_| true, &|_| true);
    let _ = motcua_core::agency::parse_agencies_csv("f.csv", bytes, &|_| false, &|_| false);
    let _ = parse_day_rules_csv("f.csv", bytes);
    let _ = motcua_core::dossier::parse_processes_csv("f.csv", bytes);
    let _ = motcua_core::dossier::parse_history_csv("f.csv", bytes);
    let _ = motcua_core::catalogue::parse_procedures_csv("f.csv", bytes);
    let _ = motcua_core::catalogue::parse_procedures_json("f.json", bytes);
    let mut ps = motcua_core::catalogue::parse_procedures_json(
        "procedures.json",
        include_bytes!("../../../data/source/procedures.json"),
    )
    .unwrap_or_default();
    ps.truncate(3);
    let _ = motcua_core::catalogue::apply_required_csv("f.csv", bytes, &mut ps);
    let _ = motcua_core::catalogue::apply_processing_times_csv("f.csv", bytes, &mut ps);
    for s in [text.as_ref(), text.trim()] {
        let _ = DossierCode::parse(s);
        let _ = AgencyCode::new(s);
        let _ = UnitCode::new(s);
        let _ = ProcedureCode::new(s);
        let _ = CitizenId::new(s);
        let _ = TaxCode::new(s);
        let _ = InstallationId::new(s);
        let _ = motcua_core::text::check_name(s);
        let _ = motcua_core::text::fold(s);
        let _ = motcua_core::news::render_markdown(s);
    }
    let _ = serde_json::from_slice::<Command>(bytes);
    let _ = serde_json::from_slice::<Applicant>(bytes);
    let _ = serde_json::from_slice::<DossierSync>(bytes);
    let _ = serde_json::from_slice::<StatusRecord>(bytes);
    let _ = serde_json::from_slice::<Envelope>(bytes);
    if let Ok(m) = serde_json::from_slice::<SignedMessage>(bytes) {
        let key = verifying_key(&"11".repeat(32));
        let (a, b) = (
            InstallationId::new("xa").unwrap(),
            InstallationId::new("so").unwrap(),
        );
        if let Ok(k) = key {
            let _ = verify(&m, &a, &k, &b);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        feed(&bytes);
    }

    #[test]
    fn random_text_never_panics(s in "\\PC{0,200}") {
        feed(s.as_bytes());
    }

    #[test]
    fn mutated_valid_inputs_never_panic(
        which in 0usize..11,
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..12),
        cut in any::<prop::sample::Index>(),
        cut_it in any::<bool>(),
    ) {
        let seeds = seeds();
        let (_, seed) = &seeds[which % seeds.len()];
        let mut bytes = seed.clone();
        for (at, b) in edits {
            if !bytes.is_empty() {
                let i = at.index(bytes.len());
                bytes[i] = b;
            }
        }
        if cut_it && !bytes.is_empty() {
            bytes.truncate(cut.index(bytes.len()));
        }
        feed(&bytes);
    }
}

#[test]
fn the_seeds_are_valid_inputs() {
    // The mutations start from inputs that parse, so they reach the rows.
    let s = seeds();
    let yes = |_: &UnitCode, _: chrono::NaiveDate| true;
    assert!(motcua_core::units::parse_units_csv("u", &s[0].1, &yes).is_ok());
    assert!(parse_day_rules_csv("h", &s[2].1).is_ok());
    assert!(motcua_core::dossier::parse_history_csv("h", &s[6].1).is_ok());
    assert!(serde_json::from_slice::<Command>(&s[7].1).is_ok());
    assert!(serde_json::from_slice::<Applicant>(&s[8].1).is_ok());
    assert!(serde_json::from_slice::<SignedMessage>(&s[9].1).is_ok());
}
