//! The built-in data set: the real reference data shipped in `data/`
//! (administrative units 2015-2026, the published procedure catalogue) and the
//! demo agencies of Thái Nguyên / Đồng Hỷ. Loaded by `motcua serve` on first
//! start and by `motcua demo`.

use crate::{Store, StoreError};
use chrono::NaiveDate;
use motcua_core::codes::AgencyCode as Agency;
use motcua_core::dossier::Role;
use motcua_core::{agency, catalogue, units};

pub const UNITS_CSV: &[u8] = include_bytes!("../../../data/units-history.csv");
pub const AGENCIES_CSV: &[u8] = include_bytes!("../../../data/agencies-thai-nguyen.csv");
/// The curated list of documents the desk may not do without
/// (tools/curate_required.py, reviewed).
pub const REQUIRED_CSV: &[u8] = include_bytes!("../../../data/required-documents.csv");
/// Processing times the published records leave blank, with their legal
/// basis (curated).
pub const TIMES_CSV: &[u8] = include_bytes!("../../../data/processing-times.csv");
/// Curated internal processes (reviewed; the others get the default).
pub const PROCESSES_CSV: &[u8] = include_bytes!("../../../data/processes.csv");
pub const PROCEDURES_JSON: &[u8] = include_bytes!("../../../data/source/procedures.json");

/// The date from which the shipped procedure versions are taken to be in
/// force: they are the versions published after the 2025 reform.
pub fn procedures_valid_from() -> NaiveDate {
    units::reform_date()
}

/// What [`load`] did.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct DemoSummary {
    pub units: usize,
    pub agencies: usize,
    pub procedures: usize,
    /// Internal processes stored (curated and default).
    pub processes: usize,
    pub day_rules: usize,
}

impl Store {
    /// True when no administrative unit is stored yet (a new database).
    pub async fn is_empty(&self) -> Result<bool, StoreError> {
        let n: i64 = crate::db::with_db!(&self.db, p => sqlx::query_scalar("SELECT COUNT(*) FROM admin_unit").fetch_one(p).await?);
        Ok(n == 0)
    }
}

/// Loads the built-in **reference data** (units, agencies, the procedure
/// catalogue with its processes, the holiday calendar) that every
/// installation needs; `motcua migrate` and `serve` load it into an empty
/// database. No accounts, dossiers or news: those are the demo
/// ([`load_users`], [`load_dossiers`], [`load_news`]). Idempotent: a second
/// load changes nothing.
pub async fn load(store: &Store) -> Result<DemoSummary, StoreError> {
    let none = |_: &motcua_core::codes::UnitCode, _: NaiveDate| false;
    let us = units::parse_units_csv("data/units-history.csv", UNITS_CSV, &none)?;
    store.import_units("data/units-history.csv", &us).await?;
    let unit_codes: std::collections::HashSet<String> =
        us.iter().map(|u| u.code.to_string()).collect();
    let ags = agency::parse_agencies_csv(
        "data/agencies-thai-nguyen.csv",
        AGENCIES_CSV,
        &|_| false,
        &|u| unit_codes.contains(u.as_str()),
    )?;
    store.import_agencies(&ags).await?;
    let mut ps = catalogue::parse_procedures_json("data/source/procedures.json", PROCEDURES_JSON)?;
    catalogue::apply_required_csv("data/required-documents.csv", REQUIRED_CSV, &mut ps)?;
    catalogue::apply_processing_times_csv("data/processing-times.csv", TIMES_CSV, &mut ps)?;
    store
        .import_procedures(&ps, procedures_valid_from())
        .await?;
    // Internal processes: the curated ones of data/processes.csv, and the
    // default four steps sized to the processing time for the others.
    let processes = load_processes(store, &ps).await?;
    // The announced calendars of 2016-2027, stored so that an administrator can
    // see and edit them (they are also built into the standard calendar).
    let day_rules = store
        .import_day_rules(&motcua_core::calendar::embedded_day_rules())
        .await?;
    Ok(DemoSummary {
        processes,
        units: us.len(),
        agencies: ags.len(),
        procedures: ps.len(),
        day_rules,
    })
}

/// One demo dossier: the procedure, when it was received, and the commands
/// that bring it to the state it shows.
struct DemoCase {
    procedure: &'static str,
    applicant: (&'static str, &'static str),
    at: &'static str,
    online: bool,
    steps: &'static [(&'static str, &'static str)],
}

/// Dossiers at the desk of Xã Đồng Hỷ (H55.305.1) in November 2026, one in
/// every state of the lifecycle, so a newcomer sees it whole (issue 4).
/// Each step is `(moment, command JSON without the version)`.
const CASES: &[DemoCase] = &[
    DemoCase {
        procedure: "1.001193",
        applicant: ("Nguyễn Thị Lan", "019185000101"),
        at: "2026-11-27T08:10",
        online: true,
        steps: &[],
    },
    DemoCase {
        procedure: "1.004884",
        applicant: ("Trần Văn Hùng", "019080000202"),
        at: "2026-11-27T09:00",
        online: false,
        steps: &[],
    },
    DemoCase {
        procedure: "1.004873",
        applicant: ("Lê Thị Hoa", "019190000303"),
        at: "2026-11-24T09:30",
        online: false,
        steps: &[
            ("2026-11-24T10:00", r#"{"action":"forward"}"#),
            (
                "2026-11-24T14:00",
                r#"{"action":"assign","assignee":"cv.tuphap"}"#,
            ),
        ],
    },
    DemoCase {
        procedure: "1.004746",
        applicant: ("Phạm Văn Minh", "019075000404"),
        at: "2026-11-20T08:30",
        online: false,
        steps: &[
            ("2026-11-20T09:00", r#"{"action":"forward"}"#),
            (
                "2026-11-23T10:00",
                r#"{"action":"request_supplement","items":["Bản sao giấy chứng nhận kết hôn cũ"],"reason":"Thiếu giấy tờ chứng minh việc kết hôn trước đây"}"#,
            ),
        ],
    },
    DemoCase {
        procedure: "1.005461",
        applicant: ("Hoàng Văn Nam", "019060000505"),
        at: "2026-11-23T08:00",
        online: false,
        steps: &[
            ("2026-11-23T08:30", r#"{"action":"forward"}"#),
            (
                "2026-11-23T15:00",
                r#"{"action":"request_payment","amount":8000,"description":"Lệ phí đăng ký lại khai tử"}"#,
            ),
        ],
    },
    DemoCase {
        procedure: "1.001022",
        applicant: ("Đỗ Thị Mai", "019188000606"),
        at: "2026-11-25T08:00",
        online: false,
        steps: &[
            ("2026-11-25T08:30", r#"{"action":"forward"}"#),
            (
                "2026-11-25T10:00",
                r#"{"action":"pause","reason":"Người yêu cầu đề nghị tạm dừng để bổ sung kết quả giám định ADN"}"#,
            ),
        ],
    },
    DemoCase {
        procedure: "1.000689",
        applicant: ("Vũ Văn Tuấn", "019086000707"),
        at: "2026-11-25T09:00",
        online: false,
        steps: &[
            ("2026-11-25T09:30", r#"{"action":"forward"}"#),
            (
                "2026-11-25T14:00",
                r#"{"action":"transfer","to":"000.00.02.H55","budget":240,"task":"Xin ý kiến Sở Tư pháp về xác định quốc tịch của người cha"}"#,
            ),
        ],
    },
    DemoCase {
        procedure: "1.000894",
        applicant: ("Ngô Thị Hạnh", "019195000808"),
        at: "2026-11-26T08:00",
        online: false,
        steps: &[
            ("2026-11-26T08:20", r#"{"action":"forward"}"#),
            (
                "2026-11-26T09:00",
                r#"{"action":"assign","assignee":"cv.tuphap"}"#,
            ),
            ("2026-11-26T10:30", r#"{"action":"complete_step"}"#),
            (
                "2026-11-26T14:00",
                r#"{"action":"resolve","document":"Giấy chứng nhận kết hôn số 45/2026"}"#,
            ),
        ],
    },
    DemoCase {
        procedure: "1.004837",
        applicant: ("Bùi Văn Lợi", "019070000909"),
        at: "2026-11-19T08:00",
        online: false,
        steps: &[
            ("2026-11-19T08:30", r#"{"action":"forward"}"#),
            (
                "2026-11-19T09:00",
                r#"{"action":"assign","assignee":"cv.tuphap"}"#,
            ),
            (
                "2026-11-20T10:00",
                r#"{"action":"reject","reason":"Người được cử làm giám hộ không đủ điều kiện theo Điều 49 Bộ luật Dân sự"}"#,
            ),
        ],
    },
    DemoCase {
        procedure: "1.000656",
        applicant: ("Đặng Văn Phúc", "019065001010"),
        at: "2026-11-16T08:00",
        online: false,
        steps: &[
            ("2026-11-16T08:15", r#"{"action":"forward"}"#),
            (
                "2026-11-16T08:30",
                r#"{"action":"assign","assignee":"cv.tuphap"}"#,
            ),
            ("2026-11-16T10:00", r#"{"action":"complete_step"}"#),
            (
                "2026-11-16T14:00",
                r#"{"action":"resolve","document":"Trích lục khai tử số 112/2026"}"#,
            ),
            (
                "2026-11-17T09:00",
                r#"{"action":"return_result","delivery":"at_desk"}"#,
            ),
        ],
    },
    DemoCase {
        procedure: "1.004859",
        applicant: ("Lý Thị Thu", "019192001111"),
        at: "2026-11-18T09:00",
        online: false,
        steps: &[(
            "2026-11-18T15:00",
            r#"{"action":"withdraw","reason":"Người yêu cầu xin rút hồ sơ"}"#,
        )],
    },
    DemoCase {
        procedure: "1.001193",
        applicant: ("Mai Văn Đức", "019088001212"),
        at: "2026-11-19T20:15",
        online: true,
        steps: &[(
            "2026-11-20T08:00",
            r#"{"action":"refuse","reason":"Hồ sơ không thuộc thẩm quyền: trẻ sinh ra và cha mẹ cư trú tại xã khác"}"#,
        )],
    },
    DemoCase {
        procedure: "1.004845",
        applicant: ("Tạ Thị Yến", "019183001313"),
        at: "2026-11-17T08:00",
        online: false,
        steps: &[
            ("2026-11-17T08:30", r#"{"action":"forward"}"#),
            (
                "2026-11-17T10:00",
                r#"{"action":"return_unresolved","reason":"Người giám hộ đã chết; hướng dẫn làm thủ tục đăng ký giám hộ mới"}"#,
            ),
        ],
    },
];

/// The demo desk officer's roles (the acting one is chosen per command).
const DEMO_ROLES: [motcua_core::dossier::Role; 4] = [
    motcua_core::dossier::Role::ReceptionOfficer,
    motcua_core::dossier::Role::Specialist,
    motcua_core::dossier::Role::HeadOfOffice,
    motcua_core::dossier::Role::SigningLeader,
];

/// Loads the demo dossiers (one per lifecycle state) unless the demo desk
/// already has dossiers. Returns how many were made.
pub async fn load_dossiers(store: &Store) -> Result<usize, StoreError> {
    use motcua_core::calendar::ProcessingTime;
    use motcua_core::codes::{AgencyCode, ProcedureCode, UnitCode};
    use motcua_core::dossier::{
        Actor, Applicant, ApplicantKind, Channel, Command, Dossier, NewDossier, ProcedureRef,
        TransitionError,
    };
    let desk = AgencyCode::new("H55.305.1").map_err(|e| StoreError::Invalid(e.to_string()))?;
    let unit = UnitCode::new("05692").map_err(|e| StoreError::Invalid(e.to_string()))?;
    if store.count_dossiers_at(&desk).await? > 0 {
        return Ok(0);
    }
    let cal = store.calendar(Some(&desk)).await?;
    let bad = |e: String| StoreError::Invalid(format!("demo: {e}"));
    let moment = |s: &str| {
        chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").map_err(|e| bad(e.to_string()))
    };
    let reply = |d: &Dossier| {
        Ok(crate::Reply {
            status: 200,
            body: d.code.to_string(),
            replayed: false,
        })
    };
    for case in CASES {
        let at = moment(case.at)?;
        let pcode = ProcedureCode::new(case.procedure).map_err(|e| bad(e.to_string()))?;
        let pv = store
            .procedure(&pcode, Some(at.date()))
            .await?
            .ok_or_else(|| bad(format!("no procedure {pcode}")))?;
        let time = pv
            .procedure
            .processing_time(None)
            .and_then(|t| ProcessingTime::new(t.unit, t.value).ok())
            .unwrap_or(ProcessingTime::WorkingDays(5));
        let applicant = Applicant::new(
            ApplicantKind::Citizen,
            case.applicant.0,
            case.applicant.1,
            Some("0912000000"),
            None,
            "Xã Đồng Hỷ, tỉnh Thái Nguyên",
        )
        .map_err(|e| bad(e.to_string()))?;
        let new = |code| NewDossier {
            code,
            procedure: ProcedureRef {
                code: pcode.clone(),
                valid_from: Some(pv.valid_from),
            },
            processing_time: time,
            applicant: applicant.clone(),
            channel: if case.online {
                Channel::Online
            } else {
                Channel::Direct
            },
            agency: desk.clone(),
            process: None,
        };
        let code = store
            .create_dossier(
                &desk,
                &unit,
                at.date(),
                None,
                |code| {
                    if case.online {
                        let actor = Actor::Applicant {
                            user_id: "cong-dan".into(),
                            id_number: case.applicant.1.into(),
                        };
                        Dossier::submit_online(new(code), &actor, at, &cal)
                    } else {
                        Dossier::receive_new(
                            new(code),
                            &Actor::officer("tn.dongy", DEMO_ROLES[0], &desk),
                            at,
                            &cal,
                        )
                    }
                },
                reply,
            )
            .await?
            .body;
        let code =
            motcua_core::dossier::DossierCode::parse(&code).map_err(|e| bad(e.to_string()))?;
        for (when, json) in case.steps {
            let at = moment(when)?;
            let current = store
                .dossier(&code)
                .await?
                .ok_or_else(|| bad("vanished".into()))?
                .dossier;
            let mut v: serde_json::Value =
                serde_json::from_str(json).map_err(|e| bad(e.to_string()))?;
            v["version"] = current.version.into();
            let cmd: Command =
                serde_json::from_value(v).map_err(|e| bad(format!("{json}: {e}")))?;
            // The first role the dossier accepts for this command.
            let actor = DEMO_ROLES
                .iter()
                .map(|r| Actor::officer("cb.dongy", *r, &desk))
                .find(|a| {
                    !matches!(
                        current.apply(&cmd, a, at, &cal),
                        Err(TransitionError::Forbidden { .. })
                    )
                })
                .unwrap_or_else(|| Actor::officer("cb.dongy", DEMO_ROLES[0], &desk));
            store
                .apply_to_dossier(&code, None, |d| d.apply(&cmd, &actor, at, &cal), reply)
                .await?;
        }
    }
    Ok(CASES.len())
}

/// The password of every demo account (README lists them). `motcua serve`
/// says in its log that they are active; an installation starts with
/// `--no-demo` or changes them.
pub const DEMO_PASSWORD: &str = "motcua-demo-2026";

/// The demo accounts: `(username, full name, agency, roles)`. One per role
/// at the commune desk of Xã Đồng Hỷ (today's one-stop desk) and at the
/// former district desk of Đồng Hỷ (dissolved on 1 July 2025 with the
/// district level: its users read the history), a specialist of the
/// provincial Department of Justice (the other end of the demo's
/// inter-connected dossier) and the installation's administrator.
pub const DEMO_USERS: &[(&str, &str, &str, &[motcua_core::dossier::Role])] = {
    use motcua_core::dossier::Role::*;
    &[
        (
            "tiepnhan.xa",
            "Hoàng Thị Thu",
            "H55.305.1",
            &[ReceptionOfficer],
        ),
        ("chuyenvien.xa", "Nông Văn Minh", "H55.305.1", &[Specialist]),
        ("bientap.xa", "Ma Thị Ngọc", "H55.305.1", &[Editor]),
        (
            "truongphong.xa",
            "Dương Thị Hằng",
            "H55.305.1",
            &[HeadOfOffice],
        ),
        ("lanhdao.xa", "Ma Văn Quý", "H55.305.1", &[SigningLeader]),
        ("quantri.xa", "Lý Văn Tùng", "H55.305.1", &[Administrator]),
        (
            "giamsat.xa",
            "Triệu Thị Mai",
            "H55.305.1",
            &[OversightReader],
        ),
        (
            "tiepnhan.huyen",
            "Nguyễn Thị Hương",
            "001.01.21.H55",
            &[ReceptionOfficer],
        ),
        (
            "chuyenvien.huyen",
            "Trần Văn Đức",
            "001.01.21.H55",
            &[Specialist],
        ),
        (
            "truongphong.huyen",
            "Phạm Thị Liên",
            "001.01.21.H55",
            &[HeadOfOffice],
        ),
        (
            "lanhdao.huyen",
            "Đỗ Văn Thắng",
            "001.01.21.H55",
            &[SigningLeader],
        ),
        (
            "quantri.huyen",
            "Vũ Thị Ngọc",
            "001.01.21.H55",
            &[Administrator],
        ),
        (
            "giamsat.huyen",
            "Bùi Văn Sơn",
            "001.01.21.H55",
            &[OversightReader],
        ),
        (
            "chuyenvien.sotuphap",
            "Lương Thị Bích",
            "000.00.02.H55",
            &[Specialist, HeadOfOffice],
        ),
        (
            "quantri.tinh",
            "Đặng Quốc Khánh",
            "000.00.00.H55",
            &[Administrator],
        ),
    ]
};

/// Creates the demo accounts that do not exist yet, with [`DEMO_PASSWORD`];
/// returns how many were created.
pub async fn load_users(store: &Store) -> Result<usize, StoreError> {
    let mut n = 0;
    for (username, name, agency, roles) in DEMO_USERS {
        if store.user(username).await?.is_some() {
            continue;
        }
        let agency = Agency::new(agency).map_err(|e| StoreError::Invalid(e.to_string()))?;
        store
            .create_user(username, name, &agency, roles, None)
            .await?;
        store.set_password(username, DEMO_PASSWORD).await?;
        n += 1;
    }
    Ok(n)
}

/// The username of the administrator a production start creates.
pub const FIRST_ADMIN: &str = "quantri";

/// On a database with reference data and no administrator yet, creates the
/// installation's administrator (`quantri`, on `agency`, which must be a
/// root agency: no parent) with `password`, or with a generated one.
/// Returns the password when it was generated (to be shown once), `None`
/// when an administrator already exists (nothing changes).
pub async fn ensure_administrator(
    store: &Store,
    agency: &Agency,
    password: Option<&str>,
) -> Result<Option<String>, StoreError> {
    let admins = store.users(None).await?;
    if admins
        .iter()
        .any(|u| u.active && u.user.roles.contains(&Role::Administrator))
    {
        return Ok(None);
    }
    let a = store
        .agency(agency)
        .await?
        .ok_or_else(|| StoreError::Invalid(format!("không có cơ quan mã `{agency}`")))?;
    if a.parent_code.is_some() {
        return Err(StoreError::Invalid(format!(
            "`{agency}` không phải cơ quan gốc của hệ thống (có cơ quan cấp trên)"
        )));
    }
    let generated = password.is_none();
    let pw = match password {
        Some(p) => p.to_string(),
        None => format!(
            "{}{}",
            uuid::Uuid::new_v4().simple(),
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        ),
    };
    if pw.chars().count() < 12 {
        return Err(StoreError::Invalid(
            "mật khẩu quản trị cần ít nhất 12 ký tự".into(),
        ));
    }
    store
        .create_user(
            FIRST_ADMIN,
            "Quản trị hệ thống",
            agency,
            &[Role::Administrator],
            None,
        )
        .await?;
    store.set_password(FIRST_ADMIN, &pw).await?;
    Ok(generated.then_some(pw))
}

/// The demo accounts that still have the demo password (checked at start-up
/// so that the log can say so).
pub async fn active_demo_users(store: &Store) -> Result<Vec<&'static str>, StoreError> {
    let mut out = Vec::new();
    for (username, ..) in DEMO_USERS {
        if store.password_matches(username, DEMO_PASSWORD).await? {
            out.push(*username);
        }
    }
    Ok(out)
}

/// Stores a general process for every procedure with a processing time:
/// the curated one when data/processes.csv has it (checked against the
/// direct channel's time), else the default four steps. Returns how many.
async fn load_processes(store: &Store, ps: &[catalogue::Procedure]) -> Result<usize, StoreError> {
    use motcua_core::calendar::{ProcessingTime, WorkCalendar};
    use motcua_core::dossier::{Process, parse_processes_csv};
    let curated = parse_processes_csv("data/processes.csv", PROCESSES_CSV)?;
    let day = WorkCalendar::standard_shared().day_length();
    let mut n = 0;
    for p in ps {
        // The direct channel's time, else the first channel that gives one.
        let Some(spec) = p.processing_time(None).or_else(|| {
            p.channels
                .iter()
                .find_map(|c| p.processing_time(Some(&c.channel)))
        }) else {
            continue;
        };
        let Ok(time) = ProcessingTime::new(spec.unit, spec.value) else {
            continue;
        };
        let (process, note) = match curated
            .iter()
            .find(|c| c.procedure == p.code && c.agency.is_none())
        {
            Some(c) => {
                c.process.validate_for(time, day).map_err(|e| {
                    StoreError::Invalid(format!("data/processes.csv, {}: {e}", p.code))
                })?;
                (c.process.clone(), "quy trình mẫu (data/processes.csv)")
            }
            None => (
                Process::default_for(time, day),
                "quy trình mặc định theo thời hạn giải quyết",
            ),
        };
        store
            .save_process(
                &p.code,
                None,
                procedures_valid_from(),
                &process,
                note,
                "demo",
            )
            .await?;
        n += 1;
    }
    Ok(n)
}

/// The demo news: the article the project comes from (../shared/seed, a
/// 2019 article of the Đồng Hỷ district portal) and a guidance notice.
pub const NEWS: &[(&str, &str)] = &[
    (
        "data/news/2019-05-09-khao-sat-cai-cach-hanh-chinh-dong-hy.md",
        include_str!("../../../data/news/2019-05-09-khao-sat-cai-cach-hanh-chinh-dong-hy.md"),
    ),
    (
        "data/news/2026-11-20-huong-dan-nop-ho-so-truc-tuyen.md",
        include_str!("../../../data/news/2026-11-20-huong-dan-nop-ho-so-truc-tuyen.md"),
    ),
];

/// Reads a news file: `key: value` lines (title, published_at, category,
/// author, source_unit, summary, image_caption), a line `---`, then the
/// Markdown body. Errors name the file and line.
pub fn parse_news(file: &str, text: &str) -> Result<motcua_core::news::Draft, StoreError> {
    let mut head = std::collections::HashMap::new();
    let mut lines = text.lines().enumerate();
    let mut body_start = None;
    for (i, l) in lines.by_ref() {
        if l.trim() == "---" {
            body_start = Some(i + 1);
            break;
        }
        let (k, v) = l.split_once(':').ok_or_else(|| {
            StoreError::Invalid(format!(
                "{file}:{}: cần dạng `khóa: giá trị` hoặc `---`",
                i + 1
            ))
        })?;
        head.insert(k.trim().to_string(), (i + 1, v.trim().to_string()));
    }
    let start = body_start
        .ok_or_else(|| StoreError::Invalid(format!("{file}: thiếu dòng `---` trước nội dung")))?;
    let body: String = text.lines().skip(start).collect::<Vec<_>>().join("\n");
    let get = |k: &str| head.get(k).map(|(_, v)| v.as_str()).unwrap_or("");
    let published_at = match head.get("published_at") {
        Some((line, v)) => Some(
            chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%d %H:%M").map_err(|e| {
                StoreError::Invalid(format!("{file}:{line}: published_at `{v}`: {e}"))
            })?,
        ),
        None => None,
    };
    motcua_core::news::Draft::new(
        get("title"),
        get("summary"),
        &body,
        get("category"),
        get("author"),
        get("source_unit"),
        get("image_caption"),
        published_at,
    )
    .map_err(|e| StoreError::Invalid(format!("{file}: {e}")))
}

/// Stores the demo news that is not stored yet; returns how many.
pub async fn load_news(store: &Store) -> Result<usize, StoreError> {
    let mut n = 0;
    for (file, text) in NEWS {
        let d = parse_news(file, text)?;
        let slug = motcua_core::news::Slug::from_title(&d.title);
        if store.article(slug.as_str()).await?.is_some() {
            continue;
        }
        store.create_article(&slug, &d, None, "demo").await?;
        n += 1;
    }
    Ok(n)
}
