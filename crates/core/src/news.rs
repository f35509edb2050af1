//! News articles of the portal (*tin tức*, issue 6): validated on
//! construction, their Markdown body rendered to HTML that is safe to put in
//! a page, and the slug that names them in addresses.
//!
//! Sanitising: the body is CommonMark written by an editor. Raw HTML in it is
//! never passed through (it is shown as text), and link and image addresses
//! are kept only when they are `http(s):`, `mailto:` or relative to the site;
//! anything else (`javascript:`, `data:`, `vbscript:`…) becomes `#`. With raw
//! HTML gone and addresses checked, the output of pulldown-cmark's escaping
//! HTML writer is all the sanitising needed, so no HTML sanitiser crate is
//! used (docs/portal.md §News).

use crate::text::unaccent;
use chrono::NaiveDateTime;
use pulldown_cmark::{CowStr, Event, Options, Parser, Tag};
use serde::{Deserialize, Serialize};

/// Longest title, in characters.
pub const TITLE_MAX: usize = 300;
/// Longest summary, in characters.
pub const SUMMARY_MAX: usize = 1_000;
/// Longest body, in bytes of Markdown.
pub const BODY_MAX: usize = 200_000;

/// The categories of news (the portal's sections).
pub const CATEGORIES: [(&str, &str); 5] = [
    ("cai-cach-hanh-chinh", "Cải cách hành chính"),
    ("hoat-dong", "Hoạt động của chính quyền"),
    ("thong-bao", "Thông báo"),
    ("chinh-sach", "Chính sách mới"),
    ("chuyen-doi-so", "Chuyển đổi số"),
];

/// The Vietnamese name of a category slug.
pub fn category_label(slug: &str) -> Option<&'static str> {
    CATEGORIES.iter().find(|c| c.0 == slug).map(|c| c.1)
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum NewsError {
    #[error("{0} không được để trống")]
    Missing(&'static str),
    #[error("{field} dài quá {max} ký tự")]
    TooLong { field: &'static str, max: usize },
    #[error("chuyên mục `{0}` không có trong danh sách")]
    Category(String),
    #[error("đường dẫn `{0}` chỉ được gồm chữ thường không dấu, số và dấu gạch ngang")]
    Slug(String),
}

/// A slug: lower-case ASCII letters, digits and single dashes, 1-120 chars.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Slug(String);

impl Slug {
    pub fn new(s: &str) -> Result<Slug, NewsError> {
        let ok = !s.is_empty()
            && s.len() <= 120
            && !s.starts_with('-')
            && !s.ends_with('-')
            && !s.contains("--")
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if ok {
            Ok(Slug(s.to_string()))
        } else {
            Err(NewsError::Slug(s.to_string()))
        }
    }

    /// The slug of a title: without diacritics (đ → d), lower case, words
    /// joined by dashes, cut at a word boundary near 80 characters.
    pub fn from_title(title: &str) -> Slug {
        let mut out = String::new();
        for w in unaccent(title)
            .to_lowercase()
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
        {
            if !out.is_empty() && out.len() + w.len() + 1 > 80 {
                break;
            }
            if !out.is_empty() {
                out.push('-');
            }
            out.push_str(w);
        }
        if out.is_empty() {
            out.push_str("tin");
        }
        Slug(out)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Slug {
    type Error = NewsError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Slug::new(&s)
    }
}

impl From<Slug> for String {
    fn from(s: Slug) -> String {
        s.0
    }
}

impl std::fmt::Display for Slug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What an editor writes; checked by [`Draft::new`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub title: String,
    pub summary: String,
    /// CommonMark.
    pub body: String,
    pub category: String,
    pub author: String,
    pub source_unit: String,
    /// Caption of the cover image, if there is one.
    pub image_caption: String,
    /// Vietnamese local time; `None` = not published (a draft). A moment in
    /// the future is a scheduled publication.
    pub published_at: Option<NaiveDateTime>,
}

fn bounded(field: &'static str, s: &str, max: usize, required: bool) -> Result<String, NewsError> {
    let s = s.trim();
    if required && s.is_empty() {
        return Err(NewsError::Missing(field));
    }
    if s.chars().count() > max {
        return Err(NewsError::TooLong { field, max });
    }
    Ok(s.to_string())
}

impl Draft {
    /// Checks every field: title, summary and body required and bounded,
    /// category from [`CATEGORIES`]; line ends of the body normalised.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        title: &str,
        summary: &str,
        body: &str,
        category: &str,
        author: &str,
        source_unit: &str,
        image_caption: &str,
        published_at: Option<NaiveDateTime>,
    ) -> Result<Draft, NewsError> {
        let body = body.replace("\r\n", "\n");
        if body.trim().is_empty() {
            return Err(NewsError::Missing("Nội dung"));
        }
        if body.len() > BODY_MAX {
            return Err(NewsError::TooLong {
                field: "Nội dung",
                max: BODY_MAX,
            });
        }
        if category_label(category).is_none() {
            return Err(NewsError::Category(category.to_string()));
        }
        Ok(Draft {
            title: bounded("Tiêu đề", title, TITLE_MAX, true)?,
            summary: bounded("Tóm tắt", summary, SUMMARY_MAX, true)?,
            body,
            category: category.to_string(),
            author: bounded("Tác giả", author, 200, false)?,
            source_unit: bounded("Đơn vị đưa tin", source_unit, 200, false)?,
            image_caption: bounded("Chú thích ảnh", image_caption, 500, false)?,
            published_at,
        })
    }

    /// Published and visible at `now` (not a draft, not scheduled later).
    pub fn visible_at(&self, now: NaiveDateTime) -> bool {
        self.published_at.is_some_and(|p| p <= now)
    }
}

/// Whether a link or image address may be kept: `http(s):`, `mailto:`,
/// site-relative (`/…`), a fragment (`#…`), or relative without a scheme.
pub fn safe_url(url: &str) -> bool {
    let u = url.trim();
    let lower = u.to_ascii_lowercase();
    if lower.starts_with("http://")
        || lower.starts_with("https://")
        || lower.starts_with("mailto:")
        || lower.starts_with('#')
    {
        return true;
    }
    if lower.starts_with("//") {
        return false;
    }
    // No scheme: a ':' before any '/', '?' or '#' would be one.
    let head = lower.split(['/', '?', '#']).next().unwrap_or("");
    !head.contains(':') && !lower.chars().any(|c| c.is_control())
}

/// Renders an editor's Markdown as HTML that is safe in a page: raw HTML is
/// shown as text, unsafe addresses become `#`, headings start at `<h2>`
/// (the page's `<h1>` is the title).
pub fn render_markdown(md: &str) -> String {
    let opts = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let events = Parser::new_ext(md, opts).map(|ev| match ev {
        Event::Html(s) | Event::InlineHtml(s) => Event::Text(s),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: checked(dest_url),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url: checked(dest_url),
            title,
            id,
        }),
        Event::Start(Tag::Heading {
            level,
            id,
            classes,
            attrs,
        }) => Event::Start(Tag::Heading {
            level: demote(level),
            id,
            classes,
            attrs,
        }),
        Event::End(pulldown_cmark::TagEnd::Heading(level)) => {
            Event::End(pulldown_cmark::TagEnd::Heading(demote(level)))
        }
        other => other,
    });
    let mut out = String::with_capacity(md.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut out, events);
    out
}

fn checked(url: CowStr<'_>) -> CowStr<'_> {
    if safe_url(&url) { url } else { "#".into() }
}

fn demote(l: pulldown_cmark::HeadingLevel) -> pulldown_cmark::HeadingLevel {
    use pulldown_cmark::HeadingLevel::*;
    match l {
        H1 => H2,
        other => other,
    }
}

/// The first `max` characters of a text, cut at a word, with "…" when cut.
pub fn excerpt(text: &str, max: usize) -> String {
    let t = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if t.chars().count() <= max {
        return t;
    }
    let cut: String = t.chars().take(max).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > max / 2 => &cut[..i],
        _ => &cut[..],
    };
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn slug_of_a_vietnamese_title() {
        let s = Slug::from_title(
            "Tổ Khảo sát số 1 HĐND tỉnh khảo sát kết quả công tác cải cách hành chính",
        );
        assert_eq!(
            s.as_str(),
            "to-khao-sat-so-1-hdnd-tinh-khao-sat-ket-qua-cong-tac-cai-cach-hanh-chinh"
        );
        assert_eq!(Slug::from_title("!!!").as_str(), "tin");
        assert!(Slug::new("Co-Dau").is_err());
        assert!(Slug::new("a--b").is_err());
        assert!(Slug::new("-a").is_err());
        assert!(Slug::new("dong-hy-2019").is_ok());
    }

    #[test]
    fn draft_checks_its_fields() {
        let ok = Draft::new("T", "S", "B", "thong-bao", "", "", "", None).unwrap();
        assert!(!ok.visible_at(at("2026-01-01 00:00")));
        assert_eq!(
            Draft::new(" ", "S", "B", "thong-bao", "", "", "", None),
            Err(NewsError::Missing("Tiêu đề"))
        );
        assert_eq!(
            Draft::new("T", "S", "B", "khac", "", "", "", None),
            Err(NewsError::Category("khac".into()))
        );
        let long = "a".repeat(TITLE_MAX + 1);
        assert!(matches!(
            Draft::new(&long, "S", "B", "thong-bao", "", "", "", None),
            Err(NewsError::TooLong { .. })
        ));
        let sched = Draft::new(
            "T",
            "S",
            "B\r\nC",
            "thong-bao",
            "",
            "",
            "",
            Some(at("2026-12-01 08:00")),
        )
        .unwrap();
        assert_eq!(sched.body, "B\nC");
        assert!(!sched.visible_at(at("2026-11-30 23:59")));
        assert!(sched.visible_at(at("2026-12-01 08:00")));
    }

    #[test]
    fn markdown_is_rendered_without_script() {
        let html = render_markdown(
            "# Tiêu đề\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) [y](https://thainguyen.gov.vn) \
             ![ảnh](/tin-tuc/anh/abc \"Toàn cảnh\") <img src=x onerror=alert(1)> [z](JaVaScRiPt:alert(1)) [w](data:text/html,x)",
        );
        assert!(html.contains("<h2>Tiêu đề</h2>"), "{html}");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img src=x"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(
            html.contains(r#"<a href="https://thainguyen.gov.vn">y</a>"#),
            "{html}"
        );
        assert!(html.contains(r##"<a href="#">x</a>"##), "{html}");
        assert!(html.contains(r##"<a href="#">z</a>"##), "{html}");
        assert!(html.contains(r##"<a href="#">w</a>"##), "{html}");
        assert!(
            html.contains(r#"<img src="/tin-tuc/anh/abc" alt="ảnh" title="Toàn cảnh" />"#),
            "{html}"
        );
    }

    #[test]
    fn safe_urls() {
        for ok in [
            "https://a.vn/x",
            "/thu-tuc",
            "#top",
            "mailto:a@b.vn",
            "anh.png",
            "a/b:c",
        ] {
            assert!(safe_url(ok), "{ok}");
        }
        for bad in [
            "javascript:x",
            " JAVASCRIPT:x",
            "data:x",
            "vbscript:x",
            "//evil.com/x",
            "java\nscript:x",
        ] {
            assert!(!safe_url(bad), "{bad}");
        }
    }

    #[test]
    fn excerpts_cut_at_a_word() {
        assert_eq!(excerpt("một  hai\nba", 50), "một hai ba");
        assert_eq!(excerpt("một hai ba bốn năm", 12), "một hai ba…");
    }

    proptest! {
        /// Whatever an editor types, the rendered HTML opens no script,
        /// event handler or javascript: address.
        #[test]
        fn no_markup_gets_through(s in "[<>a-z =:\"'()\\[\\]!/#*\\n-]{0,200}") {
            let html = render_markdown(&s).to_ascii_lowercase();
            prop_assert!(!html.contains("<script"));
            prop_assert!(!html.contains(" onerror="));
            prop_assert!(!html.contains(" onload="));
            prop_assert!(!html.contains("href=\"javascript:"));
            prop_assert!(!html.contains("src=\"javascript:"));
            for tag in ["<iframe", "<object", "<embed", "<style", "<svg", "<form"] {
                prop_assert!(!html.contains(tag));
            }
        }
    }
}
