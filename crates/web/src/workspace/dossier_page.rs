//! The dossier page: facts, timeline, control sheet, documents, and the actions this officer may take now.

use super::*;

/// One input of an action form.
pub struct Input {
    pub name: &'static str,
    pub label: &'static str,
    /// `text`, `textarea`, `number`, `datetime-local` or `select`.
    pub kind: &'static str,
    pub required: bool,
    pub options: Vec<(String, String)>,
    pub hint: &'static str,
}

/// The form of one action this officer may take.
pub struct ActionForm {
    pub action: &'static str,
    pub label: &'static str,
    pub inputs: Vec<Input>,
    /// The slip printed after it, if any.
    pub slip: Option<&'static str>,
}

fn input(name: &'static str, label: &'static str, kind: &'static str, required: bool) -> Input {
    Input {
        name,
        label,
        kind,
        required,
        options: Vec::new(),
        hint: "",
    }
}

fn action_form(
    tr: Tr,
    a: Action,
    agencies: &[(String, String)],
    colleagues: &[(String, String)],
) -> ActionForm {
    let t = |k| tr.t(k);
    let note = || input("note", t("ws.f.note"), "text", false);
    let reason = || input("reason", t("ws.f.reason"), "textarea", true);
    let agency = |required| Input {
        options: agencies.to_vec(),
        ..input("to", t("ws.f.to"), "select", required)
    };
    let (inputs, slip) = match a {
        Action::RequestSupplement => (
            vec![
                Input {
                    hint: t("ws.f.items.hint"),
                    ..input("items", t("ws.f.items"), "textarea", true)
                },
                reason(),
            ],
            Some("supplement"),
        ),
        Action::Refuse => (vec![reason()], Some("refusal")),
        Action::Forward | Action::CompleteStep => (vec![agency(false), note()], None),
        Action::Assign => (
            vec![
                Input {
                    options: colleagues.to_vec(),
                    ..input("assignee", t("ws.f.assignee"), "select", true)
                },
                note(),
            ],
            None,
        ),
        Action::Transfer => (
            vec![
                agency(true),
                input("budget_days", t("ws.f.budget_days"), "number", true),
                input("task", t("ws.f.task"), "text", true),
            ],
            None,
        ),
        Action::Pause | Action::Reject | Action::ReturnUnresolved => (vec![reason()], None),
        Action::RequestPayment => (
            vec![
                input("amount", t("ws.f.amount"), "number", true),
                input("description", t("ws.f.description"), "text", true),
            ],
            None,
        ),
        Action::RecordPayment => (
            vec![input("reference", t("ws.f.reference"), "text", false)],
            None,
        ),
        Action::Apologize => (
            vec![
                Input {
                    options: OverdueReason::ALL
                        .iter()
                        .map(|r| (r.as_str().to_string(), r.label_vi().to_string()))
                        .collect(),
                    ..input("reason_code", t("ws.f.reason_code"), "select", true)
                },
                reason(),
                input("promised_at", t("ws.f.promised_at"), "datetime-local", true),
            ],
            Some("apology"),
        ),
        Action::Resolve => (
            vec![input("document", t("ws.f.document"), "text", false)],
            None,
        ),
        Action::ReturnResult => (
            vec![
                Input {
                    options: [Delivery::AtDesk, Delivery::Post, Delivery::Online]
                        .iter()
                        .map(|d| {
                            (
                                serde_json::to_value(d)
                                    .ok()
                                    .and_then(|v| v.as_str().map(str::to_string))
                                    .unwrap_or_default(),
                                d.label_vi().to_string(),
                            )
                        })
                        .collect(),
                    ..input("delivery", t("ws.f.delivery"), "select", true)
                },
                note(),
            ],
            None,
        ),
        Action::Withdraw => (
            vec![input("reason", t("ws.f.reason"), "textarea", false)],
            None,
        ),
        _ => (
            vec![note()],
            if a == Action::Receive {
                Some("receipt")
            } else {
                None
            },
        ),
    };
    ActionForm {
        action: a.as_str(),
        label: a.label_vi(),
        inputs,
        slip,
    }
}

/// Builds the API command of an action form: the fields become the
/// command's JSON (lines of `items` a list, `budget_days` working minutes,
/// numbers as numbers, empty optional fields left out).
fn command_from_form(f: &[(String, String)], day_minutes: i64) -> Result<Command, WebError> {
    let mut m = Map::new();
    for (k, v) in f {
        let v = v.trim();
        if k == "csrf" || v.is_empty() {
            continue;
        }
        let val = match k.as_str() {
            "version" | "amount" => json!(v.parse::<u64>().map_err(|_| {
                WebError::BadRequest(format!("`{k}` phải là số nguyên không âm"))
            })?),
            "items" => json!(
                v.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .collect::<Vec<_>>()
            ),
            "budget_days" => {
                let d: f64 = v.replace(',', ".").parse().map_err(|_| {
                    WebError::BadRequest("số ngày làm việc của lượt liên thông không hợp lệ".into())
                })?;
                if !(d > 0.0 && d <= 3650.0) {
                    return Err(WebError::BadRequest(
                        "số ngày làm việc của lượt liên thông phải từ 0 đến 3650".into(),
                    ));
                }
                m.insert(
                    "budget".into(),
                    json!((d * day_minutes as f64).round() as i64),
                );
                continue;
            }
            "promised_at" if v.len() == 16 => json!(format!("{v}:00")),
            _ => json!(v),
        };
        m.insert(k.clone(), val);
    }
    serde_json::from_value(Value::Object(m))
        .map_err(|e| WebError::BadRequest(format!("thao tác không hợp lệ: {e}")))
}

struct Fact {
    label: &'static str,
    value: String,
}

struct TimelineLine {
    at: String,
    action: &'static str,
    who: String,
    to: &'static str,
    reason: String,
}

struct SheetLine {
    name: String,
    agency: String,
    started: String,
    finished: String,
    used: String,
    budget: String,
    verdict: &'static str,
    late: bool,
}

struct DocView {
    name: String,
    href: String,
    media: String,
    size: String,
}

#[derive(Template)]
#[template(path = "ws_dossier.html")]
struct DossierPage {
    tr: Tr,
    nav: Nav,
    code: String,
    state: &'static str,
    version: u64,
    facts: Vec<Fact>,
    checklist: Vec<String>,
    documents: Vec<DocView>,
    timeline: Vec<TimelineLine>,
    sheet: Vec<SheetLine>,
    actions: Vec<ActionForm>,
    slips: Vec<(&'static str, String)>,
    done: Option<String>,
    error: Option<String>,
    can_upload: bool,
}

#[derive(Deserialize)]
pub struct DossierQuery {
    xong: Option<String>,
}

fn slip_available(d: &Dossier, form: &str) -> bool {
    match form {
        "receipt" => d.received_at.is_some(),
        "supplement" => !d.supplements.is_empty(),
        "refusal" => d.state == motcua_core::dossier::State::RefusedAtReception,
        "apology" => !d.apologies.is_empty(),
        _ => true,
    }
}

async fn dossier_page(
    st: &AppState,
    staff: &Staff,
    code: &DossierCode,
    done: Option<String>,
    error: Option<String>,
) -> Result<DossierPage, WebError> {
    let tr = Tr::vi();
    let user = &staff.0.user;
    let rec = load(st, code, user, "page", None).await?;
    let d = &rec.dossier;
    let (nav, _, _) = nav(st, staff, None, "dossier").await?;
    let cal = st.store.calendar(Some(&d.receiving_agency)).await?;
    let now = now_local();
    let agencies = st.store.all_agencies().await?;
    let agency_name = |c: &AgencyCode| {
        agencies
            .iter()
            .find(|a| &a.code == c)
            .map(|a| a.name.clone())
            .unwrap_or_else(|| c.to_string())
    };
    // A peer's officers are named `peer/username` (core::federation::person_named).
    use motcua_core::federation::InstallationId;
    let peers: Vec<(InstallationId, Vec<String>)> = st
        .store
        .peers()
        .await?
        .into_iter()
        .filter_map(|p| Some((InstallationId::new(&p.installation).ok()?, p.agencies)))
        .collect();
    let hosted_by = |a: &str| {
        peers
            .iter()
            .find(|(_, agencies)| agencies.iter().any(|x| x == a))
            .map(|(id, _)| id)
    };
    let named = |user: &str, agency: Option<&AgencyCode>| {
        motcua_core::federation::person_named(user, agency.map(AgencyCode::as_str), hosted_by)
    };
    let pname = st
        .store
        .procedure(&d.procedure.code, d.procedure.valid_from)
        .await?
        .map(|v| v.procedure.name)
        .unwrap_or_default();
    let day = cal.day_length().as_minutes();
    let mut facts = vec![
        Fact {
            label: tr.t("ws.d.procedure"),
            value: format!("{} ({})", pname, d.procedure.code),
        },
        Fact {
            label: tr.t("ws.d.version"),
            value: d
                .procedure
                .valid_from
                .map(|v| format!("hiệu lực từ {}", v.format("%d/%m/%Y")))
                .unwrap_or_default(),
        },
        Fact {
            label: tr.t("ws.d.channel"),
            value: d.channel.label_vi().to_string(),
        },
        Fact {
            label: tr.t("ws.d.applicant"),
            value: format!("{} ({})", d.applicant.full_name, d.applicant.id_number),
        },
        Fact {
            label: tr.t("ws.d.contact"),
            value: [
                d.applicant.phone.clone(),
                d.applicant.email.clone(),
                Some(d.applicant.address.clone()),
            ]
            .into_iter()
            .flatten()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" · "),
        },
        Fact {
            label: tr.t("ws.d.desk"),
            value: agency_name(&d.receiving_agency),
        },
        Fact {
            label: tr.t("ws.d.holder"),
            value: agency_name(&d.current_agency),
        },
        Fact {
            label: tr.t("ws.d.time"),
            value: d.processing_time.label_vi(),
        },
        Fact {
            label: tr.t("ws.d.received"),
            value: d.received_at.map(fmt_time).unwrap_or_else(|| "—".into()),
        },
        Fact {
            label: tr.t("ws.d.due"),
            value: d.due_at.map(fmt_time).unwrap_or_else(|| "—".into()),
        },
    ];
    if let Some(p) = d.promised_at().filter(|p| Some(*p) != d.due_at) {
        facts.push(Fact {
            label: tr.t("ws.d.promised"),
            value: fmt_time(p),
        });
    }
    if !d.state.is_finished()
        && !d.state.stops_clock()
        && let Some(m) = d.remaining(now, &cal)
    {
        facts.push(Fact {
            label: tr.t("ws.d.remaining"),
            value: remaining_words(m, day, d.due_at.is_some_and(|due| due < now)),
        });
    }
    if let Some(a) = &d.assignee {
        facts.push(Fact {
            label: tr.t("ws.d.assignee"),
            value: named(a, Some(d.holder())),
        });
    }
    if let Some(s) = d.step() {
        facts.push(Fact {
            label: tr.t("ws.d.step"),
            value: s.name.clone(),
        });
    }
    let events: Vec<_> = rec.events.iter().map(|e| e.event.clone()).collect();
    let timeline = rec
        .events
        .iter()
        .map(|e| {
            let e = &e.event;
            TimelineLine {
                at: fmt_time(e.at),
                action: e.action.label_vi(),
                who: format!(
                    "{} ({})",
                    named(e.actor.user_id(), e.actor.agency()),
                    e.actor.capacity().label_vi()
                ),
                to: e.to.label_vi(),
                reason: e.reason.clone().unwrap_or_default(),
            }
        })
        .collect();
    let sheet = control_sheet(&events, &cal, Some(now))
        .into_iter()
        .map(|r| SheetLine {
            name: r.name.clone(),
            agency: r.agency.as_ref().map(&agency_name).unwrap_or_default(),
            started: fmt_time(r.started_at),
            finished: r
                .finished_at
                .map(fmt_time)
                .unwrap_or_else(|| tr.t("ws.d.open").to_string()),
            used: r.used.map(|u| u.to_string()).unwrap_or_default(),
            budget: r.budget.to_string(),
            verdict: r.verdict.map(|v| v.label_vi()).unwrap_or(""),
            late: r.verdict == Some(motcua_core::calendar::Timeliness::Overdue),
        })
        .collect();
    let docs = st.store.documents(code).await?;
    let documents = docs
        .into_iter()
        .map(|x| DocView {
            href: format!("/api/dossiers/{code}/documents/{}", x.sha256),
            name: x.name,
            media: x.media_type,
            size: format!("{:.1} KB", x.size as f64 / 1024.0),
        })
        .collect();
    let ags: Vec<(String, String)> = agencies
        .iter()
        .filter(|a| a.valid_to.is_none_or(|t| t > now.date()) && a.code != user.agency)
        .map(|a| (a.code.to_string(), format!("{} ({})", a.name, a.code)))
        .collect();
    let colleagues: Vec<(String, String)> = st
        .store
        .users(Some(&user.agency))
        .await?
        .into_iter()
        .filter(|u| {
            u.active
                && u.user
                    .roles
                    .iter()
                    .any(|r| matches!(r, Role::Specialist | Role::HeadOfOffice))
        })
        .map(|u| {
            (
                u.user.username.clone(),
                format!("{} ({})", u.user.full_name, u.user.username),
            )
        })
        .collect();
    let actions = d
        .actions_for(&user.username, &user.roles, &user.agency)
        .into_iter()
        .map(|a| action_form(tr, a, &ags, &colleagues))
        .collect();
    let slips = [
        ("receipt", "slip.receipt"),
        ("supplement", "slip.supplement"),
        ("refusal", "slip.refusal"),
        ("apology", "slip.apology"),
        ("control-sheet", "slip.control_sheet"),
    ]
    .into_iter()
    .filter(|(f, _)| slip_available(d, f))
    .map(|(f, k)| (tr.t(k), format!("/api/dossiers/{code}/slips/{f}.pdf")))
    .collect();
    let done = done
        .and_then(|a| Action::parse(&a))
        .map(|a| format!("{}: {}", tr.t("ws.done"), a.label_vi()));
    Ok(DossierPage {
        tr,
        nav,
        code: code.to_string(),
        state: d.state.label_vi(),
        version: d.version,
        facts,
        checklist: d.documents.clone(),
        documents,
        timeline,
        sheet,
        actions,
        slips,
        done,
        error,
        can_upload: !d.state.is_finished()
            && user.roles.iter().any(|r| {
                matches!(
                    r,
                    Role::ReceptionOfficer
                        | Role::Specialist
                        | Role::HeadOfOffice
                        | Role::SigningLeader
                )
            }),
    })
}

fn parse_code(s: &str) -> Result<DossierCode, WebError> {
    DossierCode::parse(s).map_err(|e| WebError::BadRequest(e.to_string()))
}

/// `GET /workspace/ho-so/{code}`.
pub async fn dossier(
    State(st): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Query(q): Query<DossierQuery>,
) -> Result<Html<String>, PageError> {
    let code = parse_code(&code)?;
    Ok(Html(
        dossier_page(&st, &staff, &code, q.xong, None)
            .await?
            .render()?,
    ))
}

/// `POST /workspace/ho-so/{code}`: one action (`action`, `version`, its
/// fields, `csrf`). Success goes back to the page (303); a refusal shows the
/// page again with the reason and the status of the API (400/403/409).
pub async fn act(
    State(st): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let code = parse_code(&code)?;
    let f = staff.checked_form(&body)?;
    let cal = st.store.calendar(Some(&staff.0.user.agency)).await?;
    let result = match command_from_form(&f, cal.day_length().as_minutes()) {
        Ok(cmd) => {
            let action = cmd.action.action();
            perform(&st, &staff.0.user, &code, cmd, None)
                .await
                .map(|_| action)
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(a) => Ok(
            Redirect::to(&format!("/workspace/ho-so/{code}?xong={}", a.as_str())).into_response(),
        ),
        Err(e) => {
            refused(e, |m| async move {
                Ok(dossier_page(&st, &staff, &code, None, Some(m))
                    .await?
                    .render()?)
            })
            .await
        }
    }
}

/// `POST /workspace/ho-so/{code}/tai-lieu` (multipart: `csrf`, `name`,
/// `file`): attaches a scan.
pub async fn upload(
    State(st): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    mut mp: Multipart,
) -> Result<Response, PageError> {
    let code = parse_code(&code)?;
    let (mut csrf, mut name, mut file, mut declared) = (None, None, None, None);
    while let Some(part) = mp
        .next_field()
        .await
        .map_err(|e| WebError::BadRequest(format!("biểu mẫu tải tệp không đọc được: {e}")))?
    {
        match part.name().unwrap_or("") {
            "csrf" => csrf = part.text().await.ok(),
            "name" => name = part.text().await.ok(),
            "file" => {
                declared = part.content_type().map(str::to_string);
                let fname = part.file_name().map(str::to_string);
                let bytes = part
                    .bytes()
                    .await
                    .map_err(|e| WebError::TooLarge(format!("tệp quá lớn hoặc bị ngắt: {e}")))?;
                if name.as_deref().is_none_or(|n| n.trim().is_empty()) {
                    name = fname;
                }
                file = Some(bytes);
            }
            _ => {}
        }
    }
    staff.check_csrf(csrf.as_deref())?;
    let file = file.unwrap_or_default();
    match crate::documents::store_upload(
        &st,
        &staff.0.user,
        &code,
        name.as_deref(),
        declared.as_deref(),
        &file,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/workspace/ho-so/{code}?xong=upload")).into_response()),
        Err(e) => {
            refused(e, |m| async move {
                Ok(dossier_page(&st, &staff, &code, None, Some(m))
                    .await?
                    .render()?)
            })
            .await
        }
    }
}
