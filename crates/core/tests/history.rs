//! The CSV of historical dossiers: checks name the line; rows become
//! dossiers as they stood.

use motcua_core::calendar::ProcessingTime;
use motcua_core::codes::{AgencyCode, ProcedureCode};
use motcua_core::dossier::{
    Action, Channel, OutcomeKind, ProcedureRef, State, UNKNOWN_ID_NUMBER, parse_history_csv,
};
use motcua_core::stats::Facts;

const HEAD: &str = "code,procedure_code,receiving_unit,channel,received_at,due_at,finished_at,outcome,returned_at\n";

fn parse(rows: &str) -> Result<Vec<motcua_core::dossier::HistoricalDossier>, String> {
    parse_history_csv("ho-so.csv", format!("{HEAD}{rows}").as_bytes()).map_err(|e| e.to_string())
}

#[test]
fn a_good_file_reads_every_kind_of_row() {
    let rows = parse(
        "000.00.21.H55-180312-0001,1.001193,169,direct,2018-03-12T08:00,2018-03-19T17:00,2018-03-16T10:00,approved,2018-03-19T09:00\n\
         000.00.21.H55-180312-0002,1.001193,05656,online,2018-03-12T09:00,2018-03-19T17:00,2018-03-20T10:00,rejected,\n\
         000.00.21.H55-180312-0003,1.001193,169,postal,2018-03-12T10:00,2018-03-19T17:00,2018-03-13T10:00,withdrawn,\n\
         000.00.21.H55-180312-0004,1.001193,169,direct,2018-03-12T10:30,2018-03-19T17:00,2018-03-14T10:00,returned,\n\
         000.00.21.H55-180312-0005,1.001193,H55.305.1,direct,2018-03-12T11:00,2018-03-19T17:00,,,\n",
    )
    .unwrap();
    assert_eq!(rows.len(), 5);
    assert_eq!(rows[0].line, 2);
    assert_eq!(rows[1].channel, Channel::Online);
    assert_eq!(rows[3].finished.unwrap().0, OutcomeKind::ReturnedUnresolved);
    assert_eq!(rows[4].finished, None);
    let desk = AgencyCode::new("001.01.21.H55").unwrap();
    let pr = ProcedureRef {
        code: ProcedureCode::new("1.001193").unwrap(),
        valid_from: None,
    };
    let (d, ev) = rows[0]
        .to_dossier(&desk, pr.clone(), ProcessingTime::WorkingDays(5))
        .unwrap();
    assert_eq!(d.state, State::ResultReturned);
    assert_eq!(d.receiving_agency, desk);
    assert_eq!(d.applicant.id_number, UNKNOWN_ID_NUMBER);
    assert_eq!(ev.action, Action::Import);
    assert_eq!(ev.version, 1);
    let f = Facts::of(&d);
    assert_eq!(
        f.due_at,
        Some(rows[0].due_at),
        "the given due moment is kept"
    );
    assert_eq!(f.finished.unwrap().0, OutcomeKind::Approved);
    let (open, _) = rows[4]
        .to_dossier(&desk, pr, ProcessingTime::WorkingDays(5))
        .unwrap();
    assert_eq!(open.state, State::InProcessing);
    assert!(open.outcome.is_none());
}

#[test]
fn each_refusal_names_the_line_and_the_reason() {
    let ok = "000.00.21.H55-180312-0001,1.001193,169,direct,2018-03-12T08:00,2018-03-19T17:00,,,\n";
    for (row, want) in [
        (
            "000.00.21.H55-180312-0002,1.001193,169,direct,12/03/2018 08:00,2018-03-19T17:00,,,",
            "received_at `12/03/2018 08:00`",
        ),
        (
            "000.00.21.H55-180312-0002,1.001193,169,direct,2018-03-12T08:00,2018-03-19T17:00,2018-03-11T08:00,approved,",
            "finished_at 2018-03-11 08:00:00 trước received_at",
        ),
        (
            "000.00.21.H55-180312-0001,1.001193,169,direct,2018-03-12T08:00,2018-03-19T17:00,,,",
            "trùng",
        ),
        (
            "000.00.21.H55-180312-0002,1.001193,169,fax,2018-03-12T08:00,2018-03-19T17:00,,,",
            "channel `fax`",
        ),
        (
            "000.00.21.H55-180312-0002,1.001193,169,direct,2018-03-12T08:00,2018-03-19T17:00,2018-03-13T08:00,done,",
            "outcome `done`",
        ),
        (
            "000.00.21.H55-180312-0002,1.001193,169,direct,2018-03-12T08:00,2018-03-19T17:00,2018-03-13T08:00,,",
            "thiếu outcome",
        ),
        (
            "000.00.21.H55-180312-0002,1.001193,169,direct,2018-03-12T08:00,2018-03-19T17:00,2018-03-13T08:00,withdrawn,2018-03-14T08:00",
            "returned_at chỉ dùng",
        ),
        (
            "000.00.21.H55-180312-0002,1.001193,169,direct,2018-03-12T08:00,2018-03-11T17:00,,,",
            "due_at",
        ),
        (
            "HS-0002,1.001193,169,direct,2018-03-12T08:00,2018-03-19T17:00,,,",
            "code:",
        ),
        (
            "000.00.21.H55-180312-0002,x,169,direct,2018-03-12T08:00,2018-03-19T17:00,,,",
            "procedure_code",
        ),
    ] {
        let e = parse(&format!("{ok}{row}\n")).unwrap_err();
        assert!(e.starts_with("ho-so.csv:3: "), "{e}");
        assert!(e.contains(want), "{e} lacks {want}");
    }
    let e = parse_history_csv("ho-so.csv", b"code,procedure_code\nx,y\n").unwrap_err();
    assert!(e.to_string().contains("receiving_unit"), "{e}");
}
