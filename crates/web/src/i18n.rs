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
    ("search.desk", "Nơi tiếp nhận", "Where to submit"),
    ("nav.account", "Tài khoản", "Account"),
    ("rep.title", "Báo cáo, thống kê", "Reports"),
    ("rep.group_by", "Nhóm theo", "Group by"),
    ("rep.group", "Nhóm", "Group"),
    ("rep.download", "Tải báo cáo", "Download the report"),
    (
        "rep.table",
        "Tình hình, kết quả giải quyết TTHC",
        "Procedures handled",
    ),
    ("rep.returned", "Trả lại", "Returned"),
    ("rep.withdrawn", "Rút hồ sơ", "Withdrawn"),
    (
        "rep.note",
        "Mỗi hồ sơ được tính một lần trong mỗi phần: kỳ trước chuyển qua + mới tiếp nhận = đã giải quyết + trả lại + rút hồ sơ + đang giải quyết.",
        "Each dossier counts once in each part: carried over + received = resolved + returned + withdrawn + in progress.",
    ),
    (
        "rep.ontime",
        "Tỷ lệ giải quyết đúng hạn theo tháng",
        "On-time rate by month",
    ),
    (
        "rep.ontime.table",
        "Tỷ lệ đúng hạn (%) theo tháng",
        "On-time rate (%) by month",
    ),
    ("rep.all", "Toàn phạm vi", "Whole scope"),
    ("rep.month", "Tháng", "Month"),
    (
        "rep.causes",
        "Nguyên nhân hồ sơ quá hạn",
        "Causes of overdue",
    ),
    (
        "rep.causes.none",
        "Không có hồ sơ giải quyết quá hạn trong kỳ.",
        "No dossier was resolved late in the period.",
    ),
    ("rep.reason", "Lý do (thư xin lỗi)", "Reason (apology)"),
    ("rep.step", "Bước làm chậm", "Step where time was lost"),
    ("rep.step_agency", "Cơ quan", "Agency"),
    ("rep.dossiers", "Số hồ sơ", "Dossiers"),
    ("rep.lost_hours", "Giờ làm việc chậm", "Working hours lost"),
    (
        "rep.load",
        "Khối lượng hồ sơ theo Bộ phận một cửa",
        "Load per desk",
    ),
    (
        "rep.load.received",
        "Tiếp nhận trong kỳ",
        "Received in the period",
    ),
    (
        "rep.index",
        "Thành phần Bộ chỉ số phục vụ (Quyết định 766/QĐ-TTg)",
        "Service index components (Decision 766/QĐ-TTg)",
    ),
    (
        "rep.index.note",
        "Cùng công thức với Cổng Dịch vụ công quốc gia, trên số liệu của hệ thống; điểm chính thức do Cổng tính.",
        "The national portal's formulas on this system's figures; the official score is the portal's.",
    ),
    ("rep.index.group", "Nhóm", "Group"),
    (
        "rep.index.component",
        "Thành phần, công thức",
        "Component, formula",
    ),
    ("rep.index.figures", "Số liệu", "Figures"),
    ("rep.index.score", "Điểm", "Score"),
    ("acct.title", "Tài khoản công dân", "Citizen account"),
    (
        "acct.signed_in_as",
        "Đã đăng nhập bằng địa chỉ",
        "Signed in as",
    ),
    ("acct.sign_out", "Đăng xuất", "Sign out"),
    ("acct.mine", "Hồ sơ của tôi", "My dossiers"),
    (
        "acct.none",
        "Tài khoản chưa theo dõi hồ sơ nào. Hồ sơ nộp trực tuyến khi đã đăng nhập được thêm tự động; hồ sơ khác thêm ở dưới.",
        "No dossiers yet. Dossiers submitted online while signed in are added automatically; add others below.",
    ),
    ("acct.code", "Mã hồ sơ", "Dossier code"),
    ("acct.procedure", "Thủ tục", "Procedure"),
    ("acct.state", "Tình trạng", "Status"),
    ("acct.due", "Hẹn trả kết quả", "Due"),
    ("acct.add", "Thêm hồ sơ vào tài khoản", "Add a dossier"),
    (
        "acct.add.help",
        "Nhập mã hồ sơ và số định danh cá nhân (hoặc mã số thuế) của người nộp, như trên giấy tiếp nhận.",
        "Enter the dossier code and the applicant's ID number (or tax code), as on the receipt.",
    ),
    ("acct.add.button", "Thêm hồ sơ", "Add"),
    (
        "acct.intro",
        "Tài khoản không bắt buộc: không cần tài khoản vẫn nộp và tra cứu hồ sơ được. Với tài khoản, ông/bà xem mọi hồ sơ của mình ở một nơi. Nhập địa chỉ thư điện tử; hệ thống gửi một đường dẫn đăng nhập (không cần mật khẩu).",
        "An account is optional: submitting and looking up dossiers work without one. With an account you see all your dossiers in one place. Enter your e-mail address; we send a sign-in link (no password).",
    ),
    ("acct.email", "Địa chỉ thư điện tử", "E-mail address"),
    (
        "acct.send_link",
        "Gửi đường dẫn đăng nhập",
        "Send a sign-in link",
    ),
    (
        "acct.sent",
        "Đã gửi đường dẫn đăng nhập đến",
        "A sign-in link was sent to",
    ),
    (
        "acct.sent.help",
        "Đường dẫn dùng được một lần, trong 30 phút. Nếu không thấy thư, xin xem cả thư mục thư rác.",
        "The link works once, for 30 minutes. If the message is missing, check the spam folder.",
    ),
    (
        "acct.confirm.help",
        "Bấm nút dưới đây để đăng nhập trên trình duyệt này.",
        "Press the button to sign in on this browser.",
    ),
    ("acct.confirm.button", "Đăng nhập", "Sign in"),
    (
        "acct.privacy",
        "Địa chỉ thư chỉ dùng để đăng nhập; hệ thống không lưu mật khẩu. Phiên đăng nhập kéo dài 30 ngày trên trình duyệt này.",
        "The address is used only to sign in; no password is stored. A sign-in lasts 30 days on this browser.",
    ),
    ("search.desk.address", "Địa chỉ", "Address"),
    (
        "search.desk.listing",
        "Danh mục thủ tục niêm yết tại nơi tiếp nhận này (PDF, để in)",
        "Procedures posted at this desk (PDF, to print)",
    ),
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
    (
        "login.title",
        "Đăng nhập hệ thống một cửa",
        "Sign in to the one-stop system",
    ),
    (
        "login.intro",
        "Dành cho cán bộ, công chức tiếp nhận và giải quyết thủ tục hành chính.",
        "For officers who receive and process administrative procedures.",
    ),
    ("login.username", "Tên đăng nhập", "Username"),
    ("login.password", "Mật khẩu", "Password"),
    ("login.submit", "Đăng nhập", "Sign in"),
    (
        "login.help",
        "Quên mật khẩu? Liên hệ quản trị hệ thống của cơ quan để được đặt lại.",
        "Forgot your password? Ask your agency's administrator to reset it.",
    ),
    ("ws.title", "Phần mềm một cửa điện tử", "One-stop workspace"),
    ("ws.nav", "Điều hướng làm việc", "Workspace navigation"),
    ("ws.password", "Đổi mật khẩu", "Change password"),
    ("ws.logout", "Đăng xuất", "Sign out"),
    ("ws.find", "Tìm hồ sơ theo mã", "Find a dossier by code"),
    ("ws.find.go", "Tìm", "Find"),
    ("ws.desk", "Tiếp nhận hồ sơ", "Receive a dossier"),
    ("ws.queues", "Hồ sơ cần xử lý", "Work queues"),
    ("ws.admin", "Quản trị", "Administration"),
    ("ws.users", "Người dùng và vai trò", "Users and roles"),
    ("ws.q.mine", "Được giao cho tôi", "Assigned to me"),
    (
        "ws.q.inbox",
        "Nộp trực tuyến chờ tiếp nhận",
        "Online, awaiting reception",
    ),
    ("ws.q.due_today", "Đến hạn hôm nay", "Due today"),
    (
        "ws.q.due_soon",
        "Sắp đến hạn (2 ngày làm việc)",
        "Due within 2 working days",
    ),
    ("ws.q.overdue", "Quá hạn", "Overdue"),
    ("ws.q.paused", "Tạm dừng, chờ bổ sung", "Paused"),
    (
        "ws.q.transferred",
        "Đang liên thông cơ quan khác",
        "At another agency",
    ),
    (
        "ws.q.to_return",
        "Chờ trả kết quả",
        "Awaiting return of result",
    ),
    ("ws.q.all", "Tất cả hồ sơ đang mở", "All open dossiers"),
    ("ws.q.code", "Mã hồ sơ bắt đầu bằng", "Code starts with"),
    ("ws.q.sort", "Sắp xếp", "Sort"),
    ("ws.q.sort.due", "Hạn xử lý sớm nhất", "Earliest due"),
    ("ws.q.sort.received", "Mới tiếp nhận", "Most recent"),
    ("ws.q.sort.code", "Mã hồ sơ", "Code"),
    ("ws.q.apply", "Lọc", "Filter"),
    (
        "ws.q.empty",
        "Không có hồ sơ nào trong danh sách này.",
        "No dossier in this list.",
    ),
    ("ws.q.col.code", "Mã hồ sơ", "Code"),
    ("ws.q.col.procedure", "Thủ tục", "Procedure"),
    ("ws.q.col.applicant", "Người nộp", "Applicant"),
    ("ws.q.col.state", "Trạng thái", "State"),
    ("ws.q.col.due", "Hạn trả kết quả", "Due"),
    (
        "ws.desk.find",
        "Tìm thủ tục (gõ không dấu cũng được)",
        "Find the procedure (diacritics optional)",
    ),
    (
        "ws.desk.intro",
        "Gõ tên thủ tục, ví dụ \"khai sinh\", rồi chọn thủ tục để mở phiếu tiếp nhận.",
        "Type the procedure's name, e.g. \"khai sinh\", then choose it to open the reception form.",
    ),
    ("ws.receive", "Tiếp nhận hồ sơ", "Receive a dossier"),
    (
        "ws.receive.checklist",
        "Thành phần hồ sơ đã nhận",
        "Documents received",
    ),
    (
        "ws.receive.checklist.hint",
        "Đánh dấu các giấy tờ người nộp đã nộp; giấy tờ bắt buộc phải có.",
        "Tick the documents handed in; required ones must be there.",
    ),
    ("ws.receive.required", "bắt buộc", "required"),
    ("ws.receive.applicant", "Người nộp hồ sơ", "Applicant"),
    ("ws.receive.kind", "Loại người nộp", "Kind of applicant"),
    ("ws.receive.kind.citizen", "Công dân", "Citizen"),
    (
        "ws.receive.kind.organisation",
        "Tổ chức, doanh nghiệp",
        "Organisation",
    ),
    (
        "ws.receive.name",
        "Họ và tên / tên tổ chức",
        "Full name / organisation",
    ),
    (
        "ws.receive.id",
        "Số định danh cá nhân (12 số) / mã số thuế",
        "Personal ID number (12 digits) / tax code",
    ),
    (
        "ws.receive.id.hint",
        "Công dân: 12 chữ số trên thẻ căn cước. Tổ chức: mã số thuế 10 hoặc 13 số.",
        "Citizen: the 12 digits of the ID card. Organisation: the 10- or 13-digit tax code.",
    ),
    ("ws.receive.phone", "Số điện thoại", "Phone"),
    ("ws.receive.email", "Thư điện tử", "E-mail"),
    ("ws.receive.address", "Địa chỉ", "Address"),
    ("ws.receive.channel", "Hình thức nộp", "Channel"),
    (
        "ws.receive.channel.direct",
        "Trực tiếp tại Bộ phận một cửa",
        "In person at the desk",
    ),
    (
        "ws.receive.channel.postal",
        "Qua dịch vụ bưu chính",
        "By post",
    ),
    (
        "ws.receive.submit",
        "Tiếp nhận và lập giấy hẹn",
        "Receive and issue the appointment slip",
    ),
    ("ws.d.title", "Hồ sơ", "Dossier"),
    ("ws.d.state", "Trạng thái", "State"),
    ("ws.d.versionno", "phiên bản", "version"),
    ("ws.d.procedure", "Thủ tục", "Procedure"),
    ("ws.d.version", "Phiên bản thủ tục", "Procedure version"),
    ("ws.d.channel", "Hình thức nộp", "Channel"),
    ("ws.d.applicant", "Người nộp", "Applicant"),
    ("ws.d.contact", "Liên hệ", "Contact"),
    ("ws.d.desk", "Nơi tiếp nhận", "Received at"),
    ("ws.d.holder", "Cơ quan đang giữ", "Held by"),
    ("ws.d.time", "Thời hạn giải quyết", "Processing time"),
    ("ws.d.received", "Thời điểm tiếp nhận", "Received"),
    ("ws.d.due", "Hẹn trả kết quả", "Due"),
    (
        "ws.d.promised",
        "Hẹn lại (thư xin lỗi)",
        "New appointment (apology)",
    ),
    (
        "ws.d.remaining",
        "Thời gian còn lại (giờ làm việc)",
        "Working time left",
    ),
    ("ws.d.assignee", "Người được giao", "Assignee"),
    ("ws.d.step", "Bước hiện tại", "Current step"),
    ("ws.d.print", "In phiếu", "Print"),
    ("ws.d.actions", "Thao tác", "Actions"),
    (
        "ws.d.no_actions",
        "Bạn không có thao tác nào trên hồ sơ này ở trạng thái hiện tại.",
        "You have no action on this dossier in its current state.",
    ),
    (
        "ws.d.slip_after",
        "Sau khi thực hiện, in phiếu ở mục In phiếu.",
        "Afterwards, print the slip under Print.",
    ),
    ("ws.d.documents", "Giấy tờ", "Documents"),
    (
        "ws.d.checklist",
        "Danh mục giấy tờ khi tiếp nhận",
        "Checklist at reception",
    ),
    ("ws.d.files", "Tệp đính kèm", "Attached files"),
    ("ws.d.no_files", "Chưa có tệp nào.", "No file yet."),
    ("ws.d.file_name", "Tên giấy tờ", "Document name"),
    (
        "ws.d.file",
        "Tệp (PDF, PNG, JPEG; tối đa 20 MB)",
        "File (PDF, PNG, JPEG; at most 20 MB)",
    ),
    ("ws.d.upload", "Đính kèm", "Attach"),
    (
        "ws.d.sheet",
        "Phiếu kiểm soát quá trình giải quyết",
        "Process control sheet",
    ),
    (
        "ws.d.no_sheet",
        "Chưa có bước bàn giao nào.",
        "No hand-over yet.",
    ),
    ("ws.d.open", "đang xử lý", "in progress"),
    ("ws.d.s.step", "Bước", "Step"),
    ("ws.d.s.agency", "Cơ quan", "Agency"),
    ("ws.d.s.start", "Nhận lúc", "Started"),
    ("ws.d.s.end", "Chuyển lúc", "Finished"),
    ("ws.d.s.used", "Đã dùng / được giao", "Used / allowed"),
    ("ws.d.s.verdict", "Kết quả", "Result"),
    ("ws.d.timeline", "Nhật ký xử lý", "History"),
    ("ws.done", "Đã thực hiện", "Done"),
    ("ws.f.note", "Ghi chú", "Note"),
    ("ws.f.reason", "Lý do", "Reason"),
    ("ws.f.to", "Cơ quan nhận", "Receiving agency"),
    ("ws.f.default", "(theo quy trình)", "(per the process)"),
    (
        "ws.f.items",
        "Giấy tờ cần bổ sung",
        "Documents to supplement",
    ),
    (
        "ws.f.items.hint",
        "Mỗi dòng một giấy tờ.",
        "One document per line.",
    ),
    ("ws.f.assignee", "Giao cho", "Assign to"),
    (
        "ws.f.budget_days",
        "Thời gian cho cơ quan phối hợp (ngày làm việc)",
        "Time for the other agency (working days)",
    ),
    ("ws.f.task", "Nội dung cần phối hợp", "Task"),
    ("ws.f.amount", "Số tiền (đồng)", "Amount (VND)"),
    ("ws.f.description", "Khoản thu", "Item"),
    ("ws.f.reference", "Số biên lai, chứng từ", "Receipt number"),
    ("ws.f.reason_code", "Nguyên nhân quá hạn", "Cause of delay"),
    (
        "ws.f.promised_at",
        "Hẹn lại ngày trả kết quả",
        "New appointment",
    ),
    (
        "ws.f.document",
        "Số, ký hiệu văn bản kết quả",
        "Result document number",
    ),
    ("ws.f.delivery", "Hình thức trả", "Delivery"),
    ("ws.pw.current", "Mật khẩu hiện tại", "Current password"),
    ("ws.pw.new", "Mật khẩu mới", "New password"),
    (
        "ws.pw.hint",
        "Ít nhất 12 ký tự; nên dùng một cụm từ dễ nhớ. Sau khi đổi, bạn đăng nhập lại.",
        "At least 12 characters; a memorable phrase works well. You sign in again afterwards.",
    ),
    (
        "ws.pw.confirm",
        "Nhập lại mật khẩu mới",
        "Repeat the new password",
    ),
    ("ws.pw.submit", "Đổi mật khẩu", "Change password"),
    ("ws.u.username", "Tên đăng nhập", "Username"),
    ("ws.u.name", "Họ và tên", "Full name"),
    ("ws.u.agency", "Cơ quan", "Agency"),
    ("ws.u.status", "Tình trạng", "Status"),
    ("ws.u.manage", "Quản lý", "Manage"),
    ("ws.u.active", "Đang hoạt động", "Active"),
    ("ws.u.disabled", "Đã khóa", "Disabled"),
    ("ws.u.locked", "Tạm khóa đến", "Locked until"),
    ("ws.u.no_password", "Chưa đặt mật khẩu", "No password set"),
    ("ws.u.edit", "Sửa", "Edit"),
    ("ws.u.roles", "Vai trò", "Roles"),
    ("ws.u.save_roles", "Lưu vai trò", "Save roles"),
    ("ws.u.new_password", "Mật khẩu mới", "New password"),
    ("ws.u.reset", "Đặt lại mật khẩu", "Reset password"),
    ("ws.u.disable", "Khóa tài khoản", "Disable"),
    ("ws.u.enable", "Mở khóa tài khoản", "Enable"),
    ("ws.u.create", "Thêm người dùng", "Add a user"),
    ("ws.u.password", "Mật khẩu ban đầu", "Initial password"),
    (
        "slip.receipt",
        "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
        "Receipt and appointment",
    ),
    (
        "slip.supplement",
        "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
        "Supplementation request",
    ),
    ("slip.refusal", "Phiếu từ chối tiếp nhận", "Refusal slip"),
    (
        "slip.apology",
        "Phiếu xin lỗi và hẹn lại ngày trả kết quả",
        "Apology and new appointment",
    ),
    (
        "slip.control_sheet",
        "Phiếu kiểm soát quá trình giải quyết",
        "Process control sheet",
    ),
    ("ws.p.title", "Quy trình nội bộ", "Internal processes"),
    ("ws.p.hours", "giờ làm việc", "working hours"),
    (
        "ws.p.fit",
        "Tổng thời gian các bước không được vượt quá thời hạn này.",
        "The steps together may not take longer than this.",
    ),
    ("ws.p.steps", "Các bước xử lý", "Steps"),
    ("ws.p.name", "Tên bước", "Step"),
    ("ws.p.role", "Vai trò thực hiện", "Role"),
    ("ws.p.agency", "Cơ quan thực hiện", "Agency"),
    (
        "ws.p.budget",
        "Thời gian (giờ làm việc)",
        "Time (working hours)",
    ),
    (
        "ws.p.rows_hint",
        "Để trống tên bước để bỏ bước đó. Bước đầu là tiếp nhận, bước cuối là trả kết quả.",
        "Leave a step's name empty to drop it. The first step is the reception, the last the return of the result.",
    ),
    ("ws.p.valid_from", "Áp dụng từ ngày", "Applies from"),
    ("ws.p.scope", "Phạm vi áp dụng", "Applies to"),
    ("ws.p.scope.agency", "Cơ quan của tôi", "My agency"),
    ("ws.p.scope.all", "Mọi cơ quan", "Every agency"),
    (
        "ws.p.note",
        "Ghi chú (căn cứ, quyết định phê duyệt)",
        "Note (approving decision)",
    ),
    ("ws.p.save", "Lưu phiên bản quy trình", "Save this version"),
    ("ws.p.versions", "Các phiên bản đã lưu", "Saved versions"),
    (
        "ws.p.no_versions",
        "Chưa có phiên bản nào; đang dùng quy trình mặc định.",
        "No version yet; the default process applies.",
    ),
    ("ws.processes", "Quy trình nội bộ", "Internal processes"),
    ("ws.c.remove", "Bỏ ngày", "Remove"),
    (
        "ws.c.bad",
        "Ngày đã lưu không dùng được (lịch bỏ qua; hãy xóa hoặc nhập lại)",
        "Stored days the calendar skips (delete or enter them again)",
    ),
    ("ws.c.problem", "Lý do", "Problem"),
    ("ws.c.delete_bad", "Xóa dòng", "Delete row"),
    (
        "ws.c.derived",
        "theo quy định (tự tính)",
        "by rule (derived)",
    ),
    ("ws.c.add", "Thêm hoặc sửa một ngày", "Add or change a day"),
    (
        "ws.c.name",
        "Tên ngày (ví dụ: Nghỉ hoán đổi dịp Quốc khánh)",
        "Name (e.g. swapped day off)",
    ),
    (
        "ws.c.note",
        "Căn cứ (văn bản thông báo)",
        "Basis (announcing document)",
    ),
    ("ws.c.save", "Lưu ngày", "Save the day"),
    ("ws.calendar", "Lịch làm việc", "Working calendar"),
    (
        "ws.a.title",
        "Cơ quan, giờ làm việc",
        "Agency and working hours",
    ),
    (
        "ws.a.hours",
        "Giờ làm việc trong tuần",
        "Weekly working hours",
    ),
    (
        "ws.a.hours.hint",
        "Dạng: Mon-Fri 07:30-11:30 13:30-17:00; Sat 07:30-11:30",
        "Format: Mon-Fri 07:30-11:30 13:30-17:00; Sat 07:30-11:30",
    ),
    (
        "ws.a.desk",
        "Là Bộ phận một cửa (tiếp nhận hồ sơ)",
        "Is a one-stop desk (receives dossiers)",
    ),
    ("ws.a.save", "Lưu thông tin cơ quan", "Save"),
    ("ws.agency", "Cơ quan, giờ làm việc", "Agency and hours"),
    ("ws.d.preview", "Xem trước", "Preview"),
    (
        "ws.t.title",
        "Danh mục thủ tục hành chính",
        "Procedure catalogue",
    ),
    (
        "ws.t.import",
        "Nhập danh mục mới (tệp JSON hoặc CSV theo mẫu quốc gia): motcua import procedures TỆP --valid-from NGÀY.",
        "Import a new catalogue (national JSON or CSV): motcua import procedures FILE --valid-from DATE.",
    ),
    ("ws.t.public", "trang công khai", "public page"),
    ("ws.t.until", "Đến ngày", "Until"),
    (
        "ws.t.required",
        "Giấy tờ bắt buộc khi tiếp nhận",
        "Documents required at reception",
    ),
    (
        "ws.t.required.hint",
        "Đánh dấu những giấy tờ mà Bộ phận một cửa không được tiếp nhận nếu thiếu. Lưu sẽ tạo phiên bản mới của thủ tục từ ngày áp dụng; hồ sơ đã nhận giữ phiên bản cũ.",
        "Tick the documents without which the desk may not receive. Saving makes a new version of the procedure from the given day; dossiers already received keep theirs.",
    ),
    ("ws.t.save", "Lưu phiên bản mới", "Save a new version"),
    ("ws.catalogue", "Danh mục thủ tục", "Procedure catalogue"),
    (
        "ws.n.title",
        "Mẫu thông báo cho người nộp",
        "Notice templates",
    ),
    (
        "ws.n.intro",
        "Nội dung thư điện tử và tin nhắn gửi người nộp khi hồ sơ thay đổi. Có thể dùng các trường:",
        "The e-mail and SMS sent to applicants when a dossier changes. Fields you can use:",
    ),
    (
        "ws.n.custom",
        "mẫu riêng của hệ thống này",
        "custom wording",
    ),
    ("ws.n.builtin", "nội dung mặc định", "built-in text"),
    ("ws.n.subject", "Tiêu đề thư", "Subject"),
    ("ws.n.body", "Nội dung thư", "E-mail body"),
    (
        "ws.n.sms",
        "Tin nhắn SMS (bỏ dấu, tối đa 160 ký tự khi gửi)",
        "SMS (sent without diacritics, at most 160 characters)",
    ),
    ("ws.n.save", "Lưu mẫu", "Save"),
    (
        "ws.n.reset",
        "Dùng lại nội dung mặc định",
        "Back to the built-in text",
    ),
    ("ws.templates", "Mẫu thông báo", "Notice templates"),
    (
        "ws.receive.lookup",
        "Tra cứu người nộp đã từng nộp hồ sơ (số định danh, mã số thuế)",
        "Look up a returning applicant (ID number, tax code)",
    ),
    ("ws.receive.lookup.go", "Tra cứu", "Look up"),
    (
        "ws.receive.found",
        "Đã điền thông tin người nộp từ hồ sơ",
        "Applicant filled in from dossier",
    ),
    (
        "ws.receive.not_found",
        "Chưa có hồ sơ nào của người nộp này tại Bộ phận; vui lòng nhập thông tin.",
        "No earlier dossier of this applicant at this desk; please enter the details.",
    ),
    (
        "ws.receive.refuse",
        "Từ chối tiếp nhận (không đủ điều kiện)",
        "Refuse (not receivable)",
    ),
    (
        "ws.receive.refuse.reason",
        "Lý do từ chối (in trên Phiếu từ chối tiếp nhận)",
        "Reason (printed on the refusal slip)",
    ),
    (
        "ws.receive.refuse.submit",
        "Từ chối và lập phiếu từ chối",
        "Refuse and issue the refusal slip",
    ),
    ("lookup.title", "Tra cứu hồ sơ", "Dossier lookup"),
    (
        "lookup.code",
        "Mã hồ sơ (trên giấy tiếp nhận hoặc mã QR)",
        "Dossier code (on the receipt or its QR code)",
    ),
    ("lookup.go", "Tra cứu", "Look up"),
    (
        "lookup.hint",
        "Ví dụ: H55.305.1-261129-0001",
        "Example: H55.305.1-261129-0001",
    ),
    (
        "lookup.too_many",
        "Bạn đã tra cứu quá nhiều lần trong thời gian ngắn. Vui lòng thử lại sau 10 phút.",
        "Too many lookups in a short time. Please try again in 10 minutes.",
    ),
    (
        "lookup.bad_code",
        "Mã hồ sơ không đúng định dạng:",
        "The code is not a dossier code:",
    ),
    (
        "lookup.not_found",
        "Không tìm thấy hồ sơ mã",
        "No dossier with the code",
    ),
    (
        "lookup.privacy",
        "Tên người nộp được che một phần; số định danh và nội dung hồ sơ không hiển thị công khai.",
        "The applicant's name is partly hidden; ID numbers and the dossier's content are not shown publicly.",
    ),
    ("nav.lookup", "Tra cứu hồ sơ", "Dossier lookup"),
    (
        "reads.title",
        "Ai đã xem hồ sơ của tôi",
        "Who opened my dossier",
    ),
    (
        "reads.intro",
        "Mỗi lần cán bộ mở thông tin cá nhân trong hồ sơ (trang hồ sơ, giấy tờ, phiếu in, hệ thống khác) đều được ghi lại. Nhập mã hồ sơ và số định danh cá nhân (hoặc mã số thuế) của người nộp để xem.",
        "Every time an officer opens the personal data of a dossier (its page, documents, slips, other systems) is recorded. Enter the dossier code and the applicant's ID number (or tax code) to see it.",
    ),
    (
        "reads.id",
        "Số định danh cá nhân hoặc mã số thuế của người nộp",
        "Applicant's ID number or tax code",
    ),
    ("reads.go", "Xem nhật ký", "Show the log"),
    (
        "reads.back_account",
        "← Về tài khoản của tôi",
        "← Back to my account",
    ),
    ("acct.reads", "Ai đã xem", "Who opened it"),
    (
        "reads.not_followed",
        "Tài khoản này không theo dõi hồ sơ có mã đó. Hãy thêm hồ sơ vào tài khoản (mã hồ sơ và số định danh) rồi xem lại.",
        "This account does not follow a dossier with that code. Add it to the account (code and ID number) first.",
    ),
    ("acct.reads.link", "Xem nhật ký", "Show the log"),
    (
        "reads.no_match",
        "Mã hồ sơ và số định danh không khớp với hồ sơ nào.",
        "The code and ID number match no dossier.",
    ),
    (
        "reads.none",
        "Chưa có cán bộ nào mở hồ sơ này.",
        "No officer has opened this dossier yet.",
    ),
    ("reads.at", "Thời điểm", "When"),
    ("reads.agency", "Cơ quan", "Agency"),
    ("reads.officer", "Cán bộ", "Officer"),
    ("reads.what", "Xem qua", "How"),
    (
        "reads.via.api",
        "Hệ thống khác (API)",
        "Another system (API)",
    ),
    ("reads.via.page", "Trang hồ sơ", "Dossier page"),
    ("reads.via.action", "Xử lý hồ sơ", "Processing"),
    ("reads.via.documents", "Danh sách giấy tờ", "Document list"),
    ("reads.via.document", "Tải giấy tờ", "Document download"),
    ("reads.via.slip", "In phiếu", "Printed slip"),
    ("sub.title", "Nộp hồ sơ trực tuyến", "Submit online"),
    (
        "sub.intro",
        "Không cần tài khoản. Mã hồ sơ và giấy biên nhận được gửi tới thư điện tử của ông/bà (nếu có).",
        "No account needed. The dossier code and receipt are sent to your e-mail (if given).",
    ),
    (
        "sub.desk",
        "Nơi nộp hồ sơ (Bộ phận một cửa)",
        "Where to submit (one-stop desk)",
    ),
    (
        "sub.docs",
        "Giấy tờ đính kèm (PDF, PNG, JPEG; mỗi tệp tối đa 20 MB)",
        "Documents (PDF, PNG, JPEG; 20 MB each)",
    ),
    ("sub.submit", "Nộp hồ sơ", "Submit"),
    (
        "sub.done",
        "Đã nộp hồ sơ. Mã hồ sơ của ông/bà:",
        "Submitted. Your dossier code:",
    ),
    ("sub.done.desk", "Hồ sơ được gửi tới", "Sent to"),
    (
        "sub.done.due",
        "và sẽ được kiểm tra, tiếp nhận trước",
        "and will be checked and received by",
    ),
    (
        "sub.done.lookup",
        "Tra cứu tình trạng hồ sơ",
        "Look up its status",
    ),
    ("error.title", "Có lỗi xảy ra", "Something went wrong"),
    ("error.back", "Về trang chủ", "Back to home"),
    (
        "footer.licence",
        "Phần mềm nguồn mở motcua, giấy phép AGPL-3.0-or-later.",
        "motcua open-source software, AGPL-3.0-or-later.",
    ),
    // news
    ("news.title", "Tin tức", "News"),
    ("news.categories", "Chuyên mục tin", "News categories"),
    ("news.all", "Tất cả", "All"),
    ("news.none", "Chưa có bài viết.", "No articles yet."),
    ("news.feed", "Nhận tin qua Atom/RSS", "Atom/RSS feed"),
    ("news.new", "Viết bài mới", "New article"),
    ("news.edit", "Sửa bài viết", "Edit article"),
    ("news.view", "xem trên Cổng", "view on the portal"),
    (
        "news.list",
        "Bài viết (cả bản nháp và bài hẹn giờ đăng)",
        "Articles (drafts and scheduled too)",
    ),
    ("news.status", "Trạng thái", "Status"),
    ("news.status.draft", "Bản nháp", "Draft"),
    ("news.status.scheduled", "Hẹn giờ đăng", "Scheduled"),
    ("news.status.published", "Đã đăng", "Published"),
    ("news.updated", "Sửa lần cuối", "Last changed"),
    ("news.saved", "Đã lưu bài viết.", "Article saved."),
    ("news.save", "Lưu bài viết", "Save"),
    ("news.preview", "Xem trước", "Preview"),
    ("news.f.title", "Tiêu đề", "Title"),
    (
        "news.f.slug",
        "Đường dẫn (để trống: tạo từ tiêu đề)",
        "Address (empty: from the title)",
    ),
    (
        "news.f.slug.help",
        "Chữ thường không dấu, số và dấu gạch ngang, ví dụ huong-dan-nop-ho-so.",
        "Lower-case letters, digits and dashes.",
    ),
    ("news.f.category", "Chuyên mục", "Category"),
    ("news.f.summary", "Tóm tắt (sa-pô)", "Summary"),
    ("news.f.body", "Nội dung", "Body"),
    (
        "news.f.body.help",
        "Viết theo cú pháp Markdown: ## tiêu đề mục, **đậm**, *nghiêng*, [liên kết](https://…), ![chú thích ảnh](địa chỉ ảnh). Mã HTML không được hiển thị.",
        "Markdown; HTML is shown as text.",
    ),
    (
        "news.f.image",
        "Ảnh minh họa (PNG hoặc JPEG, tối đa 5 MB)",
        "Cover image (PNG or JPEG, up to 5 MB)",
    ),
    ("news.f.image.remove", "Bỏ ảnh này", "Remove this image"),
    ("news.f.caption", "Chú thích ảnh", "Image caption"),
    ("news.f.author", "Tác giả", "Author"),
    ("news.f.source", "Đơn vị đưa tin", "Source"),
    ("news.f.publish", "Đăng bài", "Publication"),
    ("news.f.publish.now", "Đăng ngay", "Publish now"),
    ("news.f.publish.at", "Hẹn giờ đăng", "Publish at"),
    ("news.f.publish_at", "Thời điểm đăng", "Publication time"),
    ("ws.portal", "Cổng thông tin", "Portal"),
    // home
    ("home.quick.submit", "Nộp hồ sơ trực tuyến", "Submit online"),
    ("home.news", "Tin mới", "Latest news"),
    ("home.news.all", "Tất cả tin tức", "All news"),
    (
        "home.stats",
        "Kết quả giải quyết hồ sơ năm",
        "Dossiers resolved in",
    ),
    (
        "home.stats.more",
        "Xem thống kê chi tiết",
        "Detailed statistics",
    ),
    (
        "search.online",
        "Chỉ thủ tục nộp trực tuyến",
        "Online submission only",
    ),
    // statistics
    ("stats.title", "Thống kê", "Statistics"),
    ("stats.from", "Từ ngày", "From"),
    ("stats.to", "Đến ngày", "To"),
    ("stats.show", "Xem", "Show"),
    ("stats.all", "Tổng cộng", "Total"),
    ("stats.lead", "Trong kỳ có", "In the period:"),
    (
        "stats.dossiers",
        "hồ sơ phải giải quyết",
        "dossiers to handle",
    ),
    ("stats.received", "Tiếp nhận", "Received"),
    (
        "stats.received_in",
        "tiếp nhận trong kỳ",
        "received in the period",
    ),
    ("stats.carried", "Từ kỳ trước", "Carried over"),
    ("stats.resolved", "đã giải quyết", "resolved"),
    (
        "stats.early_on_time",
        "Trước hạn và đúng hạn",
        "Early and on time",
    ),
    ("stats.early", "Trước hạn", "Early"),
    ("stats.on_time", "Đúng hạn", "On time"),
    ("stats.overdue", "Quá hạn", "Overdue"),
    ("stats.returned", "Trả lại", "Returned"),
    ("stats.in_progress", "Đang giải quyết", "In progress"),
    (
        "stats.in_progress_within",
        "Đang giải quyết trong hạn",
        "In progress, within time",
    ),
    (
        "stats.in_progress_overdue",
        "Đang giải quyết quá hạn",
        "In progress, overdue",
    ),
    (
        "stats.on_time_rate",
        "Tỷ lệ giải quyết đúng hạn",
        "On-time rate",
    ),
    ("stats.satisfaction", "Tỷ lệ hài lòng", "Satisfaction"),
    ("stats.ratings", "lượt đánh giá", "ratings"),
    (
        "stats.chart",
        "Biểu đồ kết quả giải quyết hồ sơ theo đơn vị tiếp nhận",
        "Dossiers by receiving desk",
    ),
    (
        "stats.chart.note",
        "Mỗi thanh là một đơn vị; độ dài các đoạn là số hồ sơ, số liệu đầy đủ ở bảng dưới.",
        "One bar per desk; the table below has the figures.",
    ),
    (
        "stats.table",
        "Tình hình, kết quả giải quyết hồ sơ từ",
        "Dossiers handled from",
    ),
    ("stats.unit", "Đơn vị tiếp nhận", "Receiving desk"),
    ("stats.total", "Tổng số phải giải quyết", "Total to handle"),
    ("stats.online", "Trực tuyến", "Online"),
    ("stats.direct", "Trực tiếp, bưu chính", "Desk, post"),
    (
        "stats.method",
        "Mỗi hồ sơ được tính một lần: tiếp nhận trong kỳ hoặc từ kỳ trước chuyển sang; đã giải quyết (trước hạn, đúng hạn, quá hạn so với thời điểm hẹn trả), trả lại (rút hoặc dừng giải quyết), hoặc đang giải quyết vào cuối kỳ. Hồ sơ từ chối tiếp nhận không tính. Tỷ lệ hài lòng: số đánh giá “Hài lòng” và “Rất hài lòng” trên tổng số đánh giá trong kỳ.",
        "Each dossier counts once.",
    ),
    // rating
    ("rate.title", "Đánh giá mức độ hài lòng", "Rate the service"),
    (
        "rate.intro",
        "Ý kiến của ông/bà giúp cơ quan phục vụ tốt hơn. Mỗi hồ sơ được đánh giá một lần.",
        "One rating per dossier.",
    ),
    (
        "rate.id",
        "Số định danh cá nhân (hoặc mã số thuế) của người nộp hồ sơ",
        "ID number (or tax code) of the applicant",
    ),
    (
        "rate.id.help",
        "Số đã ghi trên giấy tiếp nhận hồ sơ; dùng để xác nhận ông/bà là người nộp, không được lưu cùng đánh giá.",
        "As on the receipt; not stored with the rating.",
    ),
    (
        "rate.overall",
        "Mức độ hài lòng chung",
        "Overall satisfaction",
    ),
    (
        "rate.contacts",
        "Số lần phải đến hoặc liên hệ để hoàn thành thủ tục",
        "Times you had to come or call",
    ),
    (
        "rate.cost",
        "Ông/bà có phải trả khoản chi phí nào ngoài phí, lệ phí đã công khai không?",
        "Any cost beyond the published fees?",
    ),
    ("rate.no", "Không", "No"),
    ("rate.yes", "Có", "Yes"),
    (
        "rate.comment",
        "Góp ý thêm (không bắt buộc)",
        "Comment (optional)",
    ),
    ("rate.send", "Gửi đánh giá", "Send"),
    (
        "rate.thanks",
        "Cảm ơn ông/bà đã đánh giá. Kết quả được tổng hợp vào thống kê công khai.",
        "Thank you.",
    ),
    (
        "rate.already",
        "Hồ sơ này đã được đánh giá",
        "This dossier was rated",
    ),
    ("rate.given", "Đánh giá đã gửi", "Rating given"),
    (
        "rate.not_yet",
        "Hồ sơ chưa trả kết quả nên chưa thể đánh giá. Ông/bà có thể đánh giá sau khi nhận kết quả.",
        "The result has not been returned yet.",
    ),
    (
        "rate.privacy",
        "Đánh giá được bảo mật: chỉ số liệu tổng hợp được công bố.",
        "Ratings are confidential: only totals are published.",
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
