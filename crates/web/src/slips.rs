//! The printed slips of a dossier and the ledger of a desk as PDF (Circular
//! 01/2018/TT-VPCP forms 01-06), built from the dossier, its events, the
//! agencies and the procedure version; typeset by motcua-docs.

use crate::AppState;
use crate::dossiers::CurrentUser;
use crate::error::{ApiError, WebError};
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDateTime;
use motcua_core::codes::AgencyCode;
use motcua_core::dossier::{DossierCode, Paper, RuleSet, SlipKind, State as DState, control_sheet};
use motcua_docs::{Line, SlipData, Table, date_words, qr_svg};
use serde::Deserialize;

fn moment(t: Option<NaiveDateTime>) -> String {
    t.map(|t| t.format("%H giờ %M phút, ngày %d/%m/%Y").to_string())
        .unwrap_or_else(|| "—".into())
}

fn short(t: Option<NaiveDateTime>) -> String {
    t.map(|t| t.format("%d/%m/%Y %H:%M").to_string())
        .unwrap_or_default()
}

fn pdf(bytes: Vec<u8>, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

struct Heading {
    parent: String,
    agency: String,
    place: String,
}

async fn heading(st: &AppState, code: &AgencyCode) -> Result<Heading, WebError> {
    let a = st
        .store
        .agency(code)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("không có cơ quan `{code}`")))?;
    let parent = match &a.parent_code {
        Some(p) => st
            .store
            .agency(p)
            .await?
            .map(|p| p.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    let place = st
        .store
        .unit_history(&a.unit_code)
        .await?
        .last()
        .map(|u| u.name.clone())
        .unwrap_or_default();
    Ok(Heading {
        parent,
        agency: a.name,
        place,
    })
}

/// `receipt`, `supplement`, `refusal`, `apology` or `control-sheet` of a dossier, as PDF.
#[utoipa::path(get, path = "/api/dossiers/{code}/slips/{form}", tag = "dossiers",
    params(("code" = String, Path, description = "Dossier code"), ("form" = String, Path, description = "receipt.pdf, supplement.pdf, refusal.pdf, apology.pdf or control-sheet.pdf")),
    responses((status = 200, content_type = "application/pdf", description = "The slip"), (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn slip(
    State(st): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((code, form)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let code = DossierCode::parse(&code).map_err(|e| WebError::BadRequest(e.to_string()))?;
    let form = form.strip_suffix(".pdf").unwrap_or(&form).to_string();
    const FORMS: [&str; 5] = [
        "receipt",
        "supplement",
        "refusal",
        "apology",
        "control-sheet",
    ];
    if !FORMS.contains(&form.as_str()) {
        return Err(WebError::NotFound(format!(
            "không có phiếu `{form}`: receipt, supplement, refusal, apology hoặc control-sheet"
        ))
        .into());
    }
    let rec = crate::dossiers::load(&st, &code, &user, &format!("slip:{form}"), None).await?;
    let d = &rec.dossier;
    let h = heading(&st, &d.receiving_agency).await?;
    let pv = st
        .store
        .procedure(&d.procedure.code, d.procedure.valid_from)
        .await?;
    let pname = pv
        .as_ref()
        .map(|v| v.procedure.name.clone())
        .unwrap_or_else(|| d.procedure.code.to_string());
    let a = &d.applicant;
    let applicant_lines = vec![
        Line::new("Ông/bà", a.full_name.clone()),
        Line::new("Địa chỉ", a.address.clone()),
        Line::new("Số điện thoại", a.phone.clone().unwrap_or_default()),
        Line::new("Thư điện tử", a.email.clone().unwrap_or_default()),
    ];
    let conflict = |m: &str| WebError::Conflict(m.to_string());
    let slip_base = |title: String,
                     form_no: String,
                     paper: Option<Paper>,
                     date: Option<NaiveDateTime>| SlipData {
        paper: match paper {
            Some(Paper::A4) => "a4".into(),
            _ => "a5".into(),
        },
        parent: h.parent.clone(),
        agency: h.agency.clone(),
        place: h.place.clone(),
        date_words: date_words(
            date.map(|t| t.date())
                .unwrap_or_else(|| d.updated_at.date()),
        ),
        title,
        form: form_no,
        code: d.code.to_string(),
        paragraphs: Vec::new(),
        table: None,
        sign_left: "NGƯỜI NỘP HỒ SƠ".into(),
        sign_right: "NGƯỜI TIẾP NHẬN HỒ SƠ".into(),
        qr_svg: String::new(),
    };
    // The form set of the rules the dossier was received under (Circular
    // 01/2018 until 2025-06-30, Circular 03/2025 after): number, title, paper.
    let rules = RuleSet::by_id(&d.rule_set);
    let base = |title: &str, form_no: &str, date: Option<NaiveDateTime>| {
        let kind = match form.as_str() {
            "receipt" => SlipKind::Receipt,
            "supplement" => SlipKind::Supplement,
            "refusal" => SlipKind::Refusal,
            "apology" => SlipKind::Apology,
            _ => SlipKind::ControlSheet,
        };
        let official = rules.and_then(|r| r.slip(kind));
        slip_base(
            official
                .map(|f| f.name_vi.to_uppercase())
                .unwrap_or_else(|| title.to_string()),
            official
                .map(|f| format!("Mẫu số {} - {}", f.form_no, f.instrument))
                .unwrap_or_else(|| form_no.to_string()),
            official.map(|f| f.paper),
            date,
        )
    };
    let data = match form.as_str() {
        "receipt" => {
            let mut s = base(
                "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
                "Mẫu số 01 - Thông tư 01/2018/TT-VPCP",
                d.received_at,
            );
            if d.received_at.is_none() {
                return Err(conflict("hồ sơ chưa được tiếp nhận: chưa có giấy tiếp nhận").into());
            }
            s.paragraphs
                .push(Line::new("", format!("{} tiếp nhận hồ sơ của:", h.agency)));
            s.paragraphs.extend(applicant_lines.clone());
            s.paragraphs
                .push(Line::new("Nội dung yêu cầu giải quyết", pname.clone()));
            s.paragraphs
                .push(Line::new("1. Thành phần hồ sơ nộp gồm", "(bảng dưới)"));
            s.paragraphs.push(Line::new("2. Số lượng hồ sơ", "01 (bộ)"));
            s.paragraphs.push(Line::new(
                "3. Thời gian giải quyết hồ sơ theo quy định",
                d.processing_time.label_vi(),
            ));
            s.paragraphs
                .push(Line::new("4. Thời gian nhận hồ sơ", moment(d.received_at)));
            s.paragraphs.push(Line::new(
                "5. Thời gian trả kết quả giải quyết hồ sơ",
                moment(d.due_at),
            ));
            s.paragraphs
                .push(Line::new("6. Đăng ký nhận kết quả tại", h.agency.clone()));
            let docs = pv
                .as_ref()
                .map(|v| {
                    v.procedure
                        .documents
                        .iter()
                        // The checklist of the reception when there is one, else the
                        // documents the procedure asks for.
                        .filter(|x| {
                            if d.documents.is_empty() {
                                x.originals() + x.copies() > 0
                            } else {
                                d.documents.contains(&x.name)
                            }
                        })
                        .enumerate()
                        .map(|(i, x)| vec![(i + 1).to_string(), x.name.clone(), x.quantity.clone()])
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default();
            s.table = Some(Table {
                widths: vec![0.5, 6.0, 2.0],
                header: vec!["TT".into(), "Tên giấy tờ".into(), "Số lượng".into()],
                rows: docs,
            });
            s.qr_svg = qr_svg(d.code.as_str()).map_err(|e| WebError::BadRequest(e.to_string()))?;
            s
        }
        "supplement" => {
            let r = d
                .supplements
                .last()
                .ok_or_else(|| conflict("hồ sơ không có yêu cầu bổ sung"))?;
            let mut s = base(
                "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
                "Mẫu số 02 - Thông tư 01/2018/TT-VPCP",
                Some(r.requested_at),
            );
            s.paragraphs.push(Line::new(
                "",
                format!("{} đã tiếp nhận hồ sơ của:", h.agency),
            ));
            s.paragraphs.extend(applicant_lines.clone());
            s.paragraphs
                .push(Line::new("Nội dung yêu cầu giải quyết", pname.clone()));
            s.paragraphs.push(Line::new(
                "Yêu cầu hoàn thiện hồ sơ gồm những nội dung sau",
                "(bảng dưới)",
            ));
            s.paragraphs.push(Line::new("Lý do", r.reason.clone()));
            s.paragraphs.push(Line::new("", "Trong quá trình hoàn thiện hồ sơ, nếu có vướng mắc, ông/bà liên hệ Bộ phận một cửa để được hướng dẫn."));
            s.table = Some(Table {
                widths: vec![0.5, 8.0],
                header: vec!["TT".into(), "Nội dung cần bổ sung".into()],
                rows: r
                    .items
                    .iter()
                    .enumerate()
                    .map(|(i, x)| vec![(i + 1).to_string(), x.clone()])
                    .collect(),
            });
            s.sign_left = "NGƯỜI NỘP HỒ SƠ".into();
            s.sign_right = "NGƯỜI HƯỚNG DẪN".into();
            s
        }
        "refusal" => {
            let o = d.outcome.as_ref().filter(|_| {
                matches!(
                    d.state,
                    DState::RefusedAtReception | DState::Rejected | DState::ReturnedUnresolved
                ) || d.outcome.as_ref().is_some_and(|o| o.reason.is_some())
            });
            let o = o.ok_or_else(|| conflict("hồ sơ không bị từ chối: không có phiếu từ chối"))?;
            let mut s = base(
                "PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ",
                "Mẫu số 03 - Thông tư 01/2018/TT-VPCP",
                Some(o.at),
            );
            s.paragraphs
                .push(Line::new("", format!("{} tiếp nhận hồ sơ của:", h.agency)));
            s.paragraphs.extend(applicant_lines.clone());
            s.paragraphs
                .push(Line::new("Nội dung yêu cầu giải quyết", pname.clone()));
            s.paragraphs.push(Line::new(
                "Hồ sơ không được tiếp nhận, giải quyết vì lý do",
                o.reason.clone().unwrap_or_default(),
            ));
            s.paragraphs.push(Line::new(
                "",
                "Xin thông báo cho ông/bà được biết và thực hiện.",
            ));
            s.sign_left = String::new();
            s.sign_right = "NGƯỜI TIẾP NHẬN HỒ SƠ".into();
            s
        }
        "apology" => {
            let ap = d
                .apologies
                .last()
                .ok_or_else(|| conflict("hồ sơ không có phiếu xin lỗi, hẹn lại"))?;
            let mut s = base(
                "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
                "Mẫu số 04 - Thông tư 01/2018/TT-VPCP",
                Some(ap.at),
            );
            s.paragraphs
                .push(Line::new("Kính gửi", a.full_name.clone()));
            s.paragraphs.push(Line::new("", format!(
                "Ngày {}, {} tiếp nhận giải quyết hồ sơ của ông/bà về {}. Thời hạn trả kết quả theo quy định: {}.",
                d.received_at.map(|t| t.format("%d/%m/%Y").to_string()).unwrap_or_default(), h.agency, pname, moment(Some(ap.legal_due_at)))));
            s.paragraphs.push(Line::new(
                "Lý do chậm trả kết quả",
                format!("{} ({})", ap.reason, ap.reason_code.label_vi()),
            ));
            s.paragraphs.push(Line::new("", format!(
                "Sự chậm trễ này đã gây phiền hà cho ông/bà. Chúng tôi xin lỗi và hẹn trả kết quả vào {}.", moment(Some(ap.promised_at)))));
            s.paragraphs.push(Line::new(
                "",
                "Xin trân trọng cảm ơn sự hợp tác của ông/bà.",
            ));
            s.sign_left = String::new();
            s.sign_right = "THỦ TRƯỞNG CƠ QUAN".into();
            s
        }
        "control-sheet" => {
            let cal = st.store.calendar(Some(&d.receiving_agency)).await?;
            let events: Vec<_> = rec.events.iter().map(|e| e.event.clone()).collect();
            let now = motcua_core::calendar::to_local(chrono::Utc::now());
            let rows = control_sheet(&events, &cal, Some(now));
            let mut s = base(
                "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
                "Mẫu số 05 - Thông tư 01/2018/TT-VPCP",
                d.received_at,
            );
            s.paper = "a4".into();
            s.paragraphs.push(Line::new(
                "Cơ quan (Bộ phận) giải quyết hồ sơ",
                h.agency.clone(),
            ));
            s.paragraphs
                .push(Line::new("Người nộp hồ sơ", a.full_name.clone()));
            s.paragraphs
                .push(Line::new("Nội dung yêu cầu giải quyết", pname.clone()));
            s.paragraphs
                .push(Line::new("Thời hạn trả kết quả", moment(d.due_at)));
            s.table = Some(Table {
                widths: vec![2.5, 2.2, 1.8, 1.8, 1.4, 1.6],
                header: [
                    "Bước, cơ quan xử lý",
                    "Bên giao – bên nhận",
                    "Bắt đầu",
                    "Kết thúc",
                    "Thời hạn bước",
                    "Kết quả",
                ]
                .map(String::from)
                .to_vec(),
                rows: rows
                    .iter()
                    .map(|r| {
                        vec![
                            r.name.clone(),
                            format!(
                                "{} – {}",
                                r.from_agency
                                    .as_ref()
                                    .map(|x| x.to_string())
                                    .unwrap_or_else(|| "Người nộp".into()),
                                r.agency.as_ref().map(|x| x.to_string()).unwrap_or_default()
                            ),
                            short(Some(r.started_at)),
                            short(r.finished_at),
                            r.budget.to_string(),
                            r.verdict
                                .map(|v| v.label_vi().to_string())
                                .unwrap_or_else(|| "Đang xử lý".into()),
                        ]
                    })
                    .collect(),
            });
            s.sign_left = "NGƯỜI GIAO".into();
            s.sign_right = "NGƯỜI NHẬN".into();
            s
        }
        other => {
            return Err(WebError::NotFound(format!(
                "không có phiếu `{other}`: receipt, supplement, refusal, apology hoặc control-sheet"
            ))
            .into());
        }
    };
    let bytes = motcua_docs::slip_pdf(&data).map_err(|e| WebError::BadRequest(e.to_string()))?;
    Ok(pdf(bytes, &format!("{}-{form}.pdf", d.code)))
}

/// Read by hand (both optional to serde) so that a missing one is a JSON
/// 400 naming it, not the extractor's plain-text rejection.
#[derive(Deserialize)]
pub struct LedgerQuery {
    #[serde(default)]
    desk: String,
    #[serde(default)]
    year: String,
}

/// The dossier tracking ledger (form 06) of a desk for a year, as PDF.
#[utoipa::path(get, path = "/api/ledger.pdf", tag = "dossiers",
    params(("desk" = String, Query, description = "Desk agency identifier"), ("year" = i32, Query, description = "Year")),
    responses((status = 200, content_type = "application/pdf", description = "The ledger"), (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn ledger(
    State(st): State<AppState>,
    CurrentUser(user): CurrentUser,
    crate::params::ApiQuery(q): crate::params::ApiQuery<LedgerQuery>,
) -> Result<Response, ApiError> {
    let desk =
        AgencyCode::new(&q.desk).map_err(|e| WebError::BadRequest(format!("tham số desk: {e}")))?;
    let year: i32 = q
        .year
        .parse()
        .ok()
        .filter(|y| (2000..=2099).contains(y))
        .ok_or_else(|| WebError::BadRequest(format!("năm `{}` không hợp lệ", q.year)))?;
    if !motcua_core::dossier::may_read_ledger(&user.roles, user.agency == desk) {
        return Err(WebError::Forbidden(
            "chỉ cán bộ của Bộ phận một cửa này (hoặc quản trị, giám sát) xem được sổ".into(),
        )
        .into());
    }
    let h = heading(&st, &desk).await?;
    let dossiers = st.store.dossiers_received(&desk, year).await?;
    let mut rows = Vec::new();
    for (i, d) in dossiers.iter().enumerate() {
        let pname = st
            .store
            .procedure(&d.procedure.code, d.procedure.valid_from)
            .await?
            .map(|v| v.procedure.name)
            .unwrap_or_default();
        rows.push(vec![
            (i + 1).to_string(),
            d.code.to_string(),
            pname,
            d.applicant.full_name.clone(),
            short(d.received_at.or(d.submitted_at)),
            short(d.due_at),
            short(d.outcome.as_ref().map(|o| o.at)),
            short(d.returned.as_ref().map(|r| r.at)),
            d.state.label_vi().to_string(),
        ]);
    }
    let data = motcua_docs::LedgerData {
        parent: h.parent,
        agency: h.agency,
        subtitle: format!("Năm {year}"),
        rows,
    };
    let bytes = motcua_docs::ledger_pdf(&data).map_err(|e| WebError::BadRequest(e.to_string()))?;
    Ok(pdf(bytes, &format!("so-theo-doi-{desk}-{year}.pdf")))
}

/// `GET /thu-tuc/niem-yet/{desk}.pdf`: the catalogue of the procedures a
/// desk receives (those of its level in force today), for posting at the
/// desk (niêm yết công khai, Decree 61/2018 Art. 7 and 14).
pub async fn catalogue_listing(
    State(st): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, crate::error::PageError> {
    let code = file
        .strip_suffix(".pdf")
        .and_then(|c| AgencyCode::new(c).ok())
        .ok_or_else(|| WebError::NotFound("Không có danh mục này.".into()))?;
    let desk = st
        .store
        .agency(&code)
        .await?
        .filter(|a| a.desk)
        .ok_or_else(|| WebError::NotFound(format!("Không có nơi tiếp nhận hồ sơ mã {code}.")))?;
    let h = heading(&st, &code).await?;
    let mut procs: Vec<_> = st
        .store
        .all_procedures(false)
        .await?
        .into_iter()
        .filter(|p| p.levels().contains(&desk.level))
        .collect();
    procs.sort_by(|a, b| {
        (a.field.as_str(), a.name.as_str()).cmp(&(b.field.as_str(), b.name.as_str()))
    });
    let rows: Vec<Vec<String>> = procs
        .iter()
        .enumerate()
        .map(|(i, p)| {
            vec![
                (i + 1).to_string(),
                p.code.to_string(),
                p.name.clone(),
                p.field.clone(),
                crate::text::one_line(&p.processing_time_direct_raw, 160),
                crate::text::one_line(&p.fee_direct_raw, 160),
                if p.online_submission { "Có" } else { "" }.to_string(),
            ]
        })
        .collect();
    let today = motcua_core::calendar::to_local(chrono::Utc::now()).date();
    let cell = motcua_docs::HeaderCell::new;
    let data = motcua_docs::TableDoc {
        parent: h.parent,
        agency: h.agency,
        place: h.place,
        date_words: date_words(today),
        title: "DANH MỤC THỦ TỤC HÀNH CHÍNH".into(),
        subtitle: format!(
            "tiếp nhận tại {} ({} thủ tục, đang có hiệu lực ngày {})",
            desk.name,
            rows.len(),
            today.format("%d/%m/%Y")
        ),
        landscape: true,
        font_size: 8.0,
        widths: vec![0.45, 1.0, 4.2, 1.6, 2.2, 2.2, 0.8],
        header: vec![vec![
            cell("STT", 1, 1),
            cell("Mã thủ tục", 1, 1),
            cell("Tên thủ tục hành chính", 1, 1),
            cell("Lĩnh vực", 1, 1),
            cell("Thời hạn giải quyết", 1, 1),
            cell("Phí, lệ phí", 1, 1),
            cell("Nộp trực tuyến", 1, 1),
        ]],
        rows,
        first_numeric: 99,
        strong: Vec::new(),
        notes: vec![
            format!(
                "Nơi tiếp nhận: {}. Địa chỉ: {}. Thời gian làm việc: {}.",
                desk.name,
                if desk.address.is_empty() { "(chưa công bố)" } else { &desk.address },
                crate::i18n::Tr::vi().hours(&desk.hours.to_string())
            ),
            "Thành phần hồ sơ, mẫu đơn, tờ khai và căn cứ pháp lý của từng thủ tục: tra cứu tại Cổng dịch vụ công, mục Thủ tục hành chính.".into(),
        ],
        sign_left: String::new(),
        sign_right: String::new(),
    };
    let bytes = motcua_docs::table_pdf(&data).map_err(|e| WebError::BadRequest(e.to_string()))?;
    Ok(pdf(bytes, &format!("niem-yet-{code}.pdf")))
}
