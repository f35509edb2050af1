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

/// The notice an event gives rise to, if any.
pub fn notice_for(d: &Dossier, e: &Event) -> Option<Notice> {
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
