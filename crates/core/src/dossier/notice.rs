//! What the applicant is told, and when (issue 4 §7): on reception (or online
//! submission), a supplementation request, a transfer to another agency, a
//! result ready (or a rejection), an apology with a new appointment, a refusal
//! and a return without result. Pure: storage puts the notice in the outbox in
//! the same transaction as the event.

use super::{Action, Dossier, Event};
use chrono::NaiveDateTime;

/// A message to the applicant, in Vietnamese.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub subject: String,
    pub body: String,
    /// The same news in one SMS: without diacritics (GSM-7), at most 160
    /// characters.
    pub sms: String,
}

/// Longest SMS text: one GSM-7 segment.
pub const SMS_MAX: usize = 160;

fn short_when(t: Option<NaiveDateTime>) -> String {
    t.map(|t| t.format("%H:%M %d/%m/%Y").to_string())
        .unwrap_or_else(|| "?".into())
}

fn when(t: Option<NaiveDateTime>) -> String {
    t.map(|t| t.format("%H giờ %M phút, ngày %d/%m/%Y").to_string())
        .unwrap_or_else(|| "(chưa xác định)".into())
}

/// The address where the applicant rates the service (Decree 61/2018
/// Art. 25-26; the portal's `/danh-gia/{code}`), under the portal's public
/// address `portal_url` (no trailing slash).
pub fn rating_url(portal_url: &str, d: &Dossier) -> String {
    format!("{}/danh-gia/{}", portal_url.trim_end_matches('/'), d.code)
}

/// The notice an event gives rise to, if any. `portal_url` is the public
/// portal's address, for the links in the message.
pub fn notice_for(d: &Dossier, e: &Event, portal_url: &str) -> Option<Notice> {
    let reason = e.reason.clone().unwrap_or_default();
    let short = match e.action {
        Action::Receive => format!("da tiep nhan, hen tra ket qua {}", short_when(d.due_at)),
        Action::Submit => "da nhan ho so nop truc tuyen, cho tiep nhan".to_string(),
        Action::RequestSupplement => {
            "can bo sung ho so, xem thu dien tu hoac lien he Bo phan mot cua".to_string()
        }
        Action::Transfer => format!("da chuyen co quan {} phoi hop giai quyet", d.holder()),
        Action::Resolve => "da co ket qua, moi den Bo phan mot cua nhan".to_string(),
        Action::Reject => "khong du dieu kien giai quyet, moi den nhan lai ho so".to_string(),
        Action::Apologize => format!(
            "xin loi vi tre han, hen tra ket qua {}",
            short_when(d.apologies.last().map(|a| a.promised_at))
        ),
        Action::Refuse => "khong duoc tiep nhan, xem ly do tai Bo phan mot cua".to_string(),
        Action::ReturnUnresolved => "duoc tra lai, chua giai quyet".to_string(),
        Action::ReturnResult => format!("da tra ket qua. Danh gia: {}", rating_url(portal_url, d)),
        _ => String::new(),
    };
    let (title, text) = match e.action {
        Action::Receive => (
            "Đã tiếp nhận hồ sơ",
            format!("Hồ sơ đã được tiếp nhận. Thời hạn trả kết quả: {}.", when(d.due_at)),
        ),
        Action::Submit => (
            "Đã nhận hồ sơ nộp trực tuyến",
            format!(
                "Hồ sơ nộp trực tuyến đã được ghi nhận và đang chờ Bộ phận một cửa kiểm tra, tiếp nhận (hạn tiếp nhận: {}).",
                when(d.reception_due_at)
            ),
        ),
        Action::RequestSupplement => {
            let items = d.supplements.last().map(|s| s.items.join("; ")).unwrap_or_default();
            (
                "Yêu cầu bổ sung, hoàn thiện hồ sơ",
                format!("Hồ sơ cần bổ sung: {items}. Lý do: {reason}. Xin bổ sung một lần, đầy đủ tại Bộ phận một cửa hoặc trực tuyến."),
            )
        }
        Action::Transfer => (
            "Hồ sơ được chuyển cơ quan khác phối hợp giải quyết",
            format!("Hồ sơ đã được chuyển đến cơ quan {} để phối hợp giải quyết. Thời hạn trả kết quả không thay đổi: {}.", d.holder(), when(d.due_at)),
        ),
        Action::Resolve => (
            "Đã có kết quả giải quyết hồ sơ",
            "Hồ sơ đã có kết quả. Mời ông/bà đến Bộ phận một cửa nhận kết quả (mang theo giấy tiếp nhận hồ sơ).".to_string(),
        ),
        Action::Reject => (
            "Hồ sơ không đủ điều kiện giải quyết",
            format!("Hồ sơ không được giải quyết. Lý do: {reason}. Mời ông/bà đến Bộ phận một cửa nhận lại hồ sơ và văn bản trả lời."),
        ),
        Action::Apologize => {
            let promised = d.apologies.last().map(|a| a.promised_at);
            (
                "Thư xin lỗi và hẹn lại ngày trả kết quả",
                format!("Hồ sơ chưa giải quyết được đúng hạn. Lý do: {reason}. Cơ quan xin lỗi ông/bà và hẹn trả kết quả vào {}.", when(promised)),
            )
        }
        Action::Refuse => ("Hồ sơ không được tiếp nhận", format!("Hồ sơ không được tiếp nhận. Lý do: {reason}.")),
        Action::ReturnUnresolved => (
            "Trả lại hồ sơ",
            format!("Hồ sơ được trả lại, chưa giải quyết. Lý do: {reason}."),
        ),
        Action::ReturnResult => (
            "Đã trả kết quả, mời đánh giá mức độ hài lòng",
            format!(
                "Kết quả giải quyết hồ sơ đã được trả cho ông/bà. Xin ông/bà dành ít phút đánh giá mức độ hài lòng về việc giải quyết hồ sơ (mỗi hồ sơ được đánh giá một lần, cần số giấy tờ tùy thân ghi trên giấy tiếp nhận): {}",
                rating_url(portal_url, d)
            ),
        ),
        _ => return None,
    };
    let sms = crate::text::unaccent(&format!("Ho so {}: {short}.", d.code));
    let sms: String = sms.chars().take(SMS_MAX).collect();
    Some(Notice {
        sms,
        subject: format!("[{}] {title}", d.code),
        body: format!(
            "Kính gửi ông/bà {},\n\n{text}\n\nMã hồ sơ: {} (tra cứu tại Cổng dịch vụ công).\nThủ tục: {}.\n\nĐây là thư tự động của Hệ thống một cửa điện tử; xin không trả lời thư này.\n",
            d.applicant.full_name, d.code, d.procedure.code
        ),
    })
}

/// An installation's own wording of a notice (subject, e-mail body, SMS),
/// with placeholders filled from the dossier and the event:
/// `{ma_ho_so}` the code, `{ho_ten}` the applicant, `{thu_tuc}` the
/// procedure code, `{han_tra}` the due moment, `{hen_lai}` the new
/// appointment of the last apology, `{ly_do}` the event's reason,
/// `{co_quan}` the agency holding the dossier, `{danh_gia}` the address where
/// the applicant rates the service. Unknown placeholders are
/// refused when the template is saved ([`NoticeTemplate::check`]).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NoticeTemplate {
    pub subject: String,
    pub body: String,
    pub sms: String,
}

/// The placeholders a template may use.
pub const PLACEHOLDERS: [&str; 8] = [
    "ma_ho_so", "ho_ten", "thu_tuc", "han_tra", "hen_lai", "ly_do", "co_quan", "danh_gia",
];

fn placeholders(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find('{') {
        let Some(j) = rest[i..].find('}') else { break };
        out.push(&rest[i + 1..i + j]);
        rest = &rest[i + j + 1..];
    }
    out
}

impl NoticeTemplate {
    /// Refuses an empty subject or body, an unknown placeholder and texts
    /// over 4,000 characters. (The SMS, once filled, is stripped of
    /// diacritics and cut to one segment like the built-in one.)
    pub fn check(&self) -> Result<(), String> {
        if self.subject.trim().is_empty() || self.body.trim().is_empty() {
            return Err("tiêu đề và nội dung thư không được để trống".into());
        }
        for (field, text) in [
            ("tiêu đề", &self.subject),
            ("nội dung", &self.body),
            ("SMS", &self.sms),
        ] {
            if text.chars().count() > 4000 {
                return Err(format!("{field} dài quá 4.000 ký tự"));
            }
            if let Some(p) = placeholders(text)
                .into_iter()
                .find(|p| !PLACEHOLDERS.contains(p))
            {
                return Err(format!(
                    "{field}: không có trường {{{p}}}; dùng {}",
                    PLACEHOLDERS.map(|p| format!("{{{p}}}")).join(", ")
                ));
            }
        }
        Ok(())
    }

    /// The notice of `e` in this wording.
    pub fn render(&self, d: &Dossier, e: &Event, portal_url: &str) -> Notice {
        let values = [
            ("ma_ho_so", d.code.to_string()),
            ("ho_ten", d.applicant.full_name.clone()),
            ("thu_tuc", d.procedure.code.to_string()),
            ("han_tra", when(d.due_at)),
            ("hen_lai", when(d.apologies.last().map(|a| a.promised_at))),
            ("ly_do", e.reason.clone().unwrap_or_default()),
            ("co_quan", d.holder().to_string()),
            ("danh_gia", rating_url(portal_url, d)),
        ];
        let fill = |t: &str| {
            let mut s = t.to_string();
            for (k, v) in &values {
                s = s.replace(&format!("{{{k}}}"), v);
            }
            s
        };
        let sms: String = crate::text::unaccent(&fill(&self.sms))
            .chars()
            .take(SMS_MAX)
            .collect();
        Notice {
            subject: fill(&self.subject),
            body: fill(&self.body),
            sms,
        }
    }
}

/// The actions that notify the applicant (the keys of templates).
pub const NOTIFIED: [Action; 10] = [
    Action::Receive,
    Action::Submit,
    Action::RequestSupplement,
    Action::Transfer,
    Action::Resolve,
    Action::Reject,
    Action::Apologize,
    Action::Refuse,
    Action::ReturnUnresolved,
    Action::ReturnResult,
];

/// [`notice_for`], in an installation's wording when it has one for the
/// event's action (`templates` by action name).
pub fn notice_with(
    d: &Dossier,
    e: &Event,
    templates: &std::collections::HashMap<String, NoticeTemplate>,
    portal_url: &str,
) -> Option<Notice> {
    let builtin = notice_for(d, e, portal_url)?;
    Some(match templates.get(e.action.as_str()) {
        Some(t) => t.render(d, e, portal_url),
        None => builtin,
    })
}
