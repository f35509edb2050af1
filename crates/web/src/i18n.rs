//! The one translation table of the user interface. Every text a person
//! reads goes through [`Tr::t`]; Vietnamese is the default and the only
//! complete language, English follows key by key.

/// A language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Vi,
    En,
}

/// The translator handed to every template.
#[derive(Clone, Copy, Debug)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn vi() -> Self {
        Tr { lang: Lang::Vi }
    }

    /// The text of `key`; the key itself when it is missing (a test checks
    /// that every key used by the templates exists).
    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        match TABLE.iter().find(|(k, _, _)| *k == key) {
            Some((_, vi, en)) => match self.lang {
                Lang::Vi => vi,
                Lang::En if !en.is_empty() => en,
                Lang::En => vi,
            },
            None => key,
        }
    }

    /// Weekly hours (`Mon-Fri 07:30-11:30 13:30-17:00; Sat 07:30-11:30`) in
    /// the reader's language: `Thứ Hai - Thứ Sáu: 07:30-11:30, 13:30-17:00; Thứ Bảy: 07:30-11:30`.
    pub fn hours(&self, text: &str) -> String {
        if self.lang == Lang::En {
            return text.to_string();
        }
        const DAYS: [(&str, &str); 7] = [
            ("Mon", "Thứ Hai"),
            ("Tue", "Thứ Ba"),
            ("Wed", "Thứ Tư"),
            ("Thu", "Thứ Năm"),
            ("Fri", "Thứ Sáu"),
            ("Sat", "Thứ Bảy"),
            ("Sun", "Chủ nhật"),
        ];
        let day = |d: &str| {
            DAYS.iter()
                .find(|(k, _)| *k == d)
                .map(|(_, v)| *v)
                .unwrap_or(d)
                .to_string()
        };
        text.split(';')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|part| {
                let mut words = part.split_whitespace();
                let range = words.next().unwrap_or_default();
                let days = match range.split_once('-') {
                    Some((a, b)) => format!("{} - {}", day(a), day(b)),
                    None => day(range),
                };
                format!("{days}: {}", words.collect::<Vec<_>>().join(", "))
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn html_lang(&self) -> &'static str {
        match self.lang {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }
}

/// key, Vietnamese, English.
pub static TABLE: &[(&str, &str, &str)] = &[
    (
        "site.name",
        "Hệ thống một cửa điện tử",
        "Electronic one-stop shop",
    ),
    (
        "site.owner",
        "Ủy ban nhân dân huyện Đồng Hỷ, tỉnh Thái Nguyên",
        "People's Committee of Đồng Hỷ district, Thái Nguyên",
    ),
    ("skip", "Truy cập nội dung luôn", "Skip to content"),
    ("nav.home", "Trang chủ", "Home"),
    (
        "nav.catalogue",
        "Thủ tục hành chính",
        "Administrative procedures",
    ),
    ("nav.units", "Đơn vị hành chính", "Administrative units"),
    ("nav.api", "API", "API"),
    ("nav.main", "Điều hướng chính", "Main navigation"),
    ("nav.breadcrumb", "Đường dẫn", "Breadcrumb"),
    (
        "home.lead",
        "Tra cứu thủ tục hành chính, thành phần hồ sơ, thời hạn giải quyết và lệ phí.",
        "Find administrative procedures, required documents, processing times and fees.",
    ),
    ("home.fields", "Lĩnh vực", "Fields"),
    ("home.count", "thủ tục đang công bố", "published procedures"),
    (
        "search.label",
        "Tìm thủ tục hành chính",
        "Search procedures",
    ),
    (
        "search.placeholder",
        "Ví dụ: đăng ký khai sinh",
        "e.g. birth registration",
    ),
    ("search.button", "Tìm kiếm", "Search"),
    ("search.field", "Lĩnh vực", "Field"),
    ("search.level", "Cấp thực hiện", "Level"),
    ("search.any", "Tất cả", "All"),
    ("search.results", "Kết quả tìm kiếm", "Search results"),
    ("search.found", "thủ tục", "procedures"),
    (
        "search.none",
        "Không tìm thấy thủ tục nào phù hợp. Hãy thử từ khóa ngắn hơn, ví dụ \"khai sinh\".",
        "No procedure found. Try a shorter query, e.g. \"khai sinh\".",
    ),
    ("page.prev", "Trang trước", "Previous page"),
    ("page.next", "Trang sau", "Next page"),
    ("page.of", "Trang", "Page"),
    ("page.nav", "Phân trang", "Pagination"),
    ("proc.code", "Mã thủ tục", "Procedure code"),
    ("proc.field", "Lĩnh vực", "Field"),
    ("proc.level", "Cấp thực hiện", "Level"),
    ("proc.type", "Loại thủ tục", "Type"),
    (
        "proc.agencies",
        "Cơ quan thực hiện",
        "Implementing agencies",
    ),
    ("proc.ministry", "Cơ quan ban hành", "Issuing ministry"),
    ("proc.decision", "Quyết định công bố", "Publishing decision"),
    ("proc.applicants", "Đối tượng thực hiện", "Applicants"),
    ("proc.channels", "Cách thức thực hiện", "Channels"),
    ("proc.channel", "Hình thức nộp", "Channel"),
    ("proc.time", "Thời hạn giải quyết", "Processing time"),
    ("proc.fee", "Phí, lệ phí", "Fees"),
    ("proc.documents", "Thành phần hồ sơ", "Required documents"),
    ("proc.doc.name", "Tên giấy tờ", "Document"),
    ("proc.doc.quantity", "Số lượng", "Quantity"),
    ("proc.doc.template", "Mẫu đơn, tờ khai", "Template"),
    ("proc.results", "Kết quả thực hiện", "Results"),
    ("proc.conditions", "Yêu cầu, điều kiện", "Conditions"),
    ("proc.legal", "Căn cứ pháp lý", "Legal basis"),
    ("proc.steps", "Trình tự thực hiện", "Steps"),
    ("proc.online", "Nộp hồ sơ trực tuyến", "Online submission"),
    (
        "proc.online.yes",
        "Có thể nộp trực tuyến",
        "Can be submitted online",
    ),
    (
        "proc.online.no",
        "Chỉ nộp trực tiếp hoặc qua bưu chính",
        "Direct or postal submission only",
    ),
    ("proc.version", "Phiên bản", "Version"),
    ("proc.valid", "Hiệu lực từ", "In force from"),
    ("proc.versions", "Các phiên bản", "Versions"),
    ("proc.source", "Nguồn", "Source"),
    ("proc.none", "Không có", "None"),
    ("unit.children", "Đơn vị trực thuộc", "Subordinate units"),
    ("unit.history", "Lịch sử", "History"),
    ("unit.name", "Tên đơn vị", "Unit name"),
    ("unit.agencies", "Cơ quan, đơn vị", "Agencies"),
    ("unit.on", "Tình trạng ngày", "State on"),
    ("unit.parent", "Trực thuộc", "Part of"),
    ("unit.valid", "Thời gian hiệu lực", "Validity"),
    ("unit.now", "nay", "now"),
    ("unit.desk", "Bộ phận một cửa", "One-stop desk"),
    ("unit.hours", "Giờ làm việc", "Working hours"),
    ("nav.calendar", "Lịch làm việc", "Working calendar"),
    ("cal.title", "Lịch làm việc năm", "Working calendar of"),
    ("cal.agency", "Cơ quan", "Agency"),
    (
        "cal.installation",
        "Lịch chung của hệ thống",
        "Installation calendar",
    ),
    ("cal.show", "Xem", "Show"),
    ("cal.years", "Năm khác", "Other years"),
    (
        "cal.cutoff",
        "Hồ sơ nhận sau giờ này tính từ ngày làm việc tiếp theo",
        "Dossiers received after this time count from the next working day",
    ),
    (
        "cal.tet",
        "Tết Nguyên đán (mùng 1 tháng Giêng âm lịch)",
        "Lunar New Year (1st day of the 1st lunar month)",
    ),
    (
        "cal.working_days",
        "Số ngày làm việc trong năm",
        "Working days in the year",
    ),
    (
        "cal.exceptions",
        "Ngày nghỉ trong tuần và ngày làm việc cuối tuần",
        "Weekdays off and working weekend days",
    ),
    ("cal.date", "Ngày", "Date"),
    ("cal.weekday", "Thứ", "Weekday"),
    ("cal.status", "Tình trạng", "Status"),
    ("cal.kind", "Loại", "Kind"),
    ("cal.reason", "Lý do", "Reason"),
    ("cal.working", "Làm việc", "Working"),
    ("cal.off", "Nghỉ", "Day off"),
    ("error.title", "Có lỗi xảy ra", "Something went wrong"),
    ("error.back", "Về trang chủ", "Back to home"),
    (
        "footer.licence",
        "Phần mềm nguồn mở motcua, giấy phép AGPL-3.0-or-later.",
        "motcua open-source software, AGPL-3.0-or-later.",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_in_vietnamese() {
        assert_eq!(
            Tr::vi().hours("Mon-Fri 07:30-11:30 13:30-17:00; Sat 07:30-11:30"),
            "Thứ Hai - Thứ Sáu: 07:30-11:30, 13:30-17:00; Thứ Bảy: 07:30-11:30"
        );
    }

    #[test]
    fn keys_are_unique_and_vietnamese_complete() {
        let mut keys: Vec<&str> = TABLE.iter().map(|(k, _, _)| *k).collect();
        keys.sort();
        let n = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), n, "duplicate translation keys");
        assert!(TABLE.iter().all(|(_, vi, _)| !vi.is_empty()));
    }

    #[test]
    fn every_key_used_by_templates_exists() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            for part in text.split("tr.t(\"").skip(1) {
                let key = part.split('"').next().unwrap();
                assert!(
                    TABLE.iter().any(|(k, _, _)| *k == key),
                    "{}: missing key {key}",
                    path.display()
                );
            }
        }
    }
}
