//! News (*tin tức*, issue 6 §2): the public listing and article pages, the
//! Atom feed, cover images, and the editors' pages in the workspace
//! (write, schedule, publish, withdraw). The body is Markdown, rendered and
//! sanitised by `motcua_core::news` when it is saved.

use crate::AppState;
use crate::auth::Staff;
use crate::error::{PageError, WebError};
use crate::i18n::Tr;
use crate::params;
use crate::workspace::{Nav, nav_for, refused_page};
use askama::Template;
use axum::body::Body;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{NaiveDateTime, Utc};
use motcua_core::calendar::to_local;
use motcua_core::news::{CATEGORIES, Draft, Slug, category_label, excerpt};
use motcua_store::{Article, ArticleSummary, Paging};
use serde::Deserialize;

/// Largest cover image.
pub const IMAGE_MAX: usize = 5 * 1024 * 1024;

fn now() -> NaiveDateTime {
    to_local(Utc::now())
}

/// `dd/mm/yyyy HH:mm`.
fn when(t: Option<NaiveDateTime>) -> String {
    t.map(crate::workspace::fmt_time).unwrap_or_default()
}

pub struct Item {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub category: &'static str,
    pub published: String,
    pub image: Option<String>,
}

fn item(a: ArticleSummary) -> Item {
    Item {
        category: category_label(&a.category).unwrap_or(""),
        published: when(a.published_at),
        summary: excerpt(&a.summary, 240),
        slug: a.slug,
        title: a.title,
        image: a.image,
    }
}

/// The latest published articles (home page).
pub async fn latest(st: &AppState, n: u32) -> Result<Vec<Item>, WebError> {
    Ok(st
        .store
        .published_articles(now(), None, Paging::new(1, n)?)
        .await?
        .items
        .into_iter()
        .map(item)
        .collect())
}

#[derive(Template)]
#[template(path = "news_list.html")]
struct ListPage {
    tr: Tr,
    items: Vec<Item>,
    categories: Vec<(&'static str, &'static str)>,
    category: String,
    page: u32,
    pages: i64,
    prev: Option<String>,
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct ListQuery {
    page: Option<String>,
    chuyen_muc: Option<String>,
}

/// `GET /tin-tuc`: published articles, newest first, 10 a page.
pub async fn list(
    State(st): State<AppState>,
    Query(q): Query<ListQuery>,
) -> Result<Html<String>, PageError> {
    let paging = params::paging(q.page.as_deref(), None, 10)?;
    let category = q.chuyen_muc.filter(|c| !c.is_empty());
    if let Some(c) = &category
        && category_label(c).is_none()
    {
        return Err(WebError::BadRequest(format!("chuyên mục `{c}` không có")).into());
    }
    let res = st
        .store
        .published_articles(now(), category.as_deref(), paging)
        .await?;
    let pages = ((res.total + 9) / 10).max(1);
    let link = |p: u32| match &category {
        Some(c) => format!("/tin-tuc?chuyen_muc={c}&page={p}"),
        None => format!("/tin-tuc?page={p}"),
    };
    Ok(Html(
        ListPage {
            tr: Tr::vi(),
            items: res.items.into_iter().map(item).collect(),
            categories: CATEGORIES.to_vec(),
            category: category.clone().unwrap_or_default(),
            page: paging.page,
            pages,
            prev: (paging.page > 1).then(|| link(paging.page - 1)),
            next: ((paging.page as i64) < pages).then(|| link(paging.page + 1)),
        }
        .render()?,
    ))
}

#[derive(Template)]
#[template(path = "news_article.html")]
struct ArticlePage {
    tr: Tr,
    a: Article,
    category: &'static str,
    published: String,
    published_iso: String,
    url: String,
    description: String,
    image_url: Option<String>,
}

/// The address the portal is reached at, for absolute links (feeds, Open
/// Graph, the sitemap): the configured `public_url`, never the request's
/// `Host` header, which the caller chooses (issue 18.11).
pub fn base_url(st: &AppState) -> String {
    st.store.portal_url().to_string()
}

/// `GET /tin-tuc/{slug}`: a published article (404 for drafts and
/// scheduled ones until their moment).
pub async fn article(
    State(st): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Html<String>, PageError> {
    let a = st
        .store
        .article(&slug)
        .await?
        .filter(|a| a.draft.visible_at(now()))
        .ok_or_else(|| WebError::NotFound("Không tìm thấy bài viết này.".into()))?;
    let base = base_url(&st);
    Ok(Html(
        ArticlePage {
            tr: Tr::vi(),
            category: category_label(&a.draft.category).unwrap_or(""),
            published: when(a.draft.published_at),
            published_iso: a.draft.published_at.map(rfc3339).unwrap_or_default(),
            url: format!("{base}/tin-tuc/{}", a.slug),
            description: excerpt(&a.draft.summary, 200),
            image_url: a
                .image
                .as_ref()
                .map(|(s, _)| format!("{base}/tin-tuc/anh/{s}")),
            a,
        }
        .render()?,
    ))
}

/// `GET /tin-tuc/anh/{sha256}`: a cover image of a published article.
pub async fn image(
    State(st): State<AppState>,
    Path(sha): Path<String>,
) -> Result<Response, PageError> {
    let missing = || WebError::NotFound("Không có ảnh này.".into());
    if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(missing().into());
    }
    let ty = st
        .store
        .public_image_type(&sha, now())
        .await?
        .ok_or_else(missing)?;
    let bytes = st.files.get(&sha).await?;
    Ok((
        [
            (header::CONTENT_TYPE, ty),
            (
                header::CACHE_CONTROL,
                "public, max-age=86400, immutable".into(),
            ),
        ],
        Body::from(bytes),
    )
        .into_response())
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// RFC 3339 of a Vietnamese local time.
fn rfc3339(t: NaiveDateTime) -> String {
    format!("{}+07:00", t.format("%Y-%m-%dT%H:%M:%S"))
}

/// `GET /tin-tuc/feed.atom`: the 20 latest articles as an Atom feed.
pub async fn feed(State(st): State<AppState>) -> Result<Response, PageError> {
    let base = base_url(&st);
    let items = st
        .store
        .published_articles(now(), None, Paging::new(1, 20)?)
        .await?
        .items;
    let tr = Tr::vi();
    let updated = items
        .iter()
        .filter_map(|a| a.published_at)
        .max()
        .unwrap_or_else(now);
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    x.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"vi\">\n");
    x.push_str(&format!(
        "<title>{} · {}</title>\n<id>{base}/tin-tuc</id>\n<link rel=\"alternate\" href=\"{base}/tin-tuc\"/>\n\
         <link rel=\"self\" href=\"{base}/tin-tuc/feed.atom\"/>\n<updated>{}</updated>\n",
        xml_escape(tr.t("news.title")),
        xml_escape(tr.t("site.owner")),
        rfc3339(updated)
    ));
    for a in items {
        let at = a.published_at.unwrap_or(a.updated_at);
        x.push_str(&format!(
            "<entry>\n<title>{}</title>\n<id>{base}/tin-tuc/{slug}</id>\n<link href=\"{base}/tin-tuc/{slug}\"/>\n\
             <published>{t}</published>\n<updated>{t}</updated>\n<category term=\"{}\"/>\n<summary>{}</summary>\n</entry>\n",
            xml_escape(&a.title),
            xml_escape(&a.category),
            xml_escape(&a.summary),
            slug = a.slug,
            t = rfc3339(at),
        ));
    }
    x.push_str("</feed>\n");
    Ok((
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        x,
    )
        .into_response())
}

// ------------------------------------------------------------ the editors

fn require_editor(staff: &Staff) -> Result<(), WebError> {
    if motcua_core::dossier::may_edit_news(&staff.0.user.roles) {
        Ok(())
    } else {
        Err(WebError::Forbidden(
            "Chỉ biên tập viên hoặc quản trị viên được viết tin.".into(),
        ))
    }
}

pub struct EditorLine {
    pub slug: String,
    pub title: String,
    pub status: &'static str,
    pub published: String,
    pub updated: String,
}

#[derive(Template)]
#[template(path = "ws_news.html")]
struct EditorListPage {
    tr: Tr,
    nav: Nav,
    lines: Vec<EditorLine>,
}

fn status(tr: Tr, p: Option<NaiveDateTime>) -> &'static str {
    match p {
        None => tr.t("news.status.draft"),
        Some(p) if p > now() => tr.t("news.status.scheduled"),
        Some(_) => tr.t("news.status.published"),
    }
}

/// `GET /workspace/tin-tuc`: every article with its status.
pub async fn editor_list(
    State(st): State<AppState>,
    staff: Staff,
) -> Result<Html<String>, PageError> {
    require_editor(&staff)?;
    let nav = nav_for(&st, &staff, "news").await?;
    let tr = Tr::vi();
    let lines = st
        .store
        .all_articles(Paging::new(1, 200)?)
        .await?
        .items
        .into_iter()
        .map(|a| EditorLine {
            status: status(tr, a.published_at),
            published: when(a.published_at),
            updated: crate::workspace::fmt_time(a.updated_at),
            slug: a.slug,
            title: a.title,
        })
        .collect();
    Ok(Html(EditorListPage { tr, nav, lines }.render()?))
}

#[derive(Template)]
#[template(path = "ws_news_edit.html")]
struct EditPage {
    tr: Tr,
    nav: Nav,
    /// `None` for a new article.
    slug: Option<String>,
    f: FormValues,
    categories: Vec<(&'static str, &'static str)>,
    image: Option<String>,
    preview: Option<String>,
    error: Option<String>,
    done: Option<String>,
}

#[derive(Default, Clone)]
struct FormValues {
    title: String,
    slug: String,
    summary: String,
    body: String,
    category: String,
    author: String,
    source_unit: String,
    image_caption: String,
    /// `yyyy-mm-ddTHH:MM` for the datetime-local input.
    publish_at: String,
    /// `draft`, `now` or `at`.
    publish: String,
}

impl FormValues {
    fn of(a: &Article) -> FormValues {
        let d = &a.draft;
        FormValues {
            title: d.title.clone(),
            slug: a.slug.to_string(),
            summary: d.summary.clone(),
            body: d.body.clone(),
            category: d.category.clone(),
            author: d.author.clone(),
            source_unit: d.source_unit.clone(),
            image_caption: d.image_caption.clone(),
            publish_at: d
                .published_at
                .map(|p| p.format("%Y-%m-%dT%H:%M").to_string())
                .unwrap_or_default(),
            publish: match d.published_at {
                None => "draft".into(),
                Some(_) => "at".into(),
            },
        }
    }

    fn draft(&self) -> Result<Draft, WebError> {
        let published_at = match self.publish.as_str() {
            "draft" | "" => None,
            "now" => Some(now()),
            "at" => Some(
                NaiveDateTime::parse_from_str(self.publish_at.trim(), "%Y-%m-%dT%H:%M").map_err(
                    |_| {
                        WebError::BadRequest(
                            "Thời điểm đăng cần dạng ngày giờ (ví dụ 2026-12-01 08:00).".into(),
                        )
                    },
                )?,
            ),
            o => {
                return Err(WebError::BadRequest(format!(
                    "cách đăng `{o}` không hợp lệ"
                )));
            }
        };
        Draft::new(
            &self.title,
            &self.summary,
            &self.body,
            &self.category,
            &self.author,
            &self.source_unit,
            &self.image_caption,
            published_at,
        )
        .map_err(|e| WebError::BadRequest(e.to_string()))
    }
}

async fn edit_page(
    st: &AppState,
    staff: &Staff,
    slug: Option<String>,
    f: FormValues,
    image: Option<String>,
    preview: Option<String>,
    (error, done): (Option<String>, Option<String>),
) -> Result<String, WebError> {
    let nav = nav_for(st, staff, "news").await?;
    Ok(EditPage {
        tr: Tr::vi(),
        nav,
        slug,
        f,
        categories: CATEGORIES.to_vec(),
        image,
        preview,
        error,
        done,
    }
    .render()?)
}

/// `GET /workspace/tin-tuc/moi`: the form of a new article.
pub async fn new_form(State(st): State<AppState>, staff: Staff) -> Result<Html<String>, PageError> {
    require_editor(&staff)?;
    let agency = st
        .store
        .agency(&staff.0.user.agency)
        .await?
        .map(|a| a.name)
        .unwrap_or_default();
    let f = FormValues {
        category: "thong-bao".into(),
        author: staff.0.user.full_name.clone(),
        source_unit: agency,
        publish: "draft".into(),
        ..Default::default()
    };
    Ok(Html(
        edit_page(&st, &staff, None, f, None, None, (None, None)).await?,
    ))
}

#[derive(Deserialize)]
pub struct EditQuery {
    xong: Option<String>,
}

/// `GET /workspace/tin-tuc/{slug}`: an article's form.
pub async fn edit_form(
    State(st): State<AppState>,
    staff: Staff,
    Path(slug): Path<String>,
    Query(q): Query<EditQuery>,
) -> Result<Html<String>, PageError> {
    require_editor(&staff)?;
    let a = st
        .store
        .article(&slug)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("Không có bài viết `{slug}`.")))?;
    let done = q.xong.map(|_| Tr::vi().t("news.saved").to_string());
    Ok(Html(
        edit_page(
            &st,
            &staff,
            Some(slug),
            FormValues::of(&a),
            a.image.map(|i| i.0),
            Some(a.body_html),
            (None, done),
        )
        .await?,
    ))
}

/// The editor's form, read from its multipart body.
struct Posted {
    csrf: Option<String>,
    f: FormValues,
    /// `save` or `preview`.
    op: String,
    remove_image: bool,
    image: Option<(Vec<u8>, Option<String>)>,
}

async fn read_form(mut mp: Multipart) -> Result<Posted, WebError> {
    let mut p = Posted {
        csrf: None,
        f: FormValues::default(),
        op: "save".into(),
        remove_image: false,
        image: None,
    };
    while let Some(part) = mp
        .next_field()
        .await
        .map_err(|e| WebError::BadRequest(format!("biểu mẫu không đọc được: {e}")))?
    {
        let name = part.name().unwrap_or("").to_string();
        if name == "image" {
            let declared = part.content_type().map(str::to_string);
            let bytes = part
                .bytes()
                .await
                .map_err(|e| WebError::TooLarge(format!("ảnh quá lớn hoặc bị ngắt: {e}")))?;
            if !bytes.is_empty() {
                p.image = Some((bytes.to_vec(), declared));
            }
            continue;
        }
        let text = part
            .text()
            .await
            .map_err(|e| WebError::BadRequest(format!("trường `{name}` không đọc được: {e}")))?;
        let f = &mut p.f;
        match name.as_str() {
            "csrf" => p.csrf = Some(text),
            "op" => p.op = text,
            "remove_image" => p.remove_image = text == "1",
            "title" => f.title = text,
            "slug" => f.slug = text.trim().to_string(),
            "summary" => f.summary = text,
            "body" => f.body = text,
            "category" => f.category = text,
            "author" => f.author = text,
            "source_unit" => f.source_unit = text,
            "image_caption" => f.image_caption = text,
            "publish" => f.publish = text,
            "publish_at" => f.publish_at = text,
            _ => {}
        }
    }
    Ok(p)
}

/// Checks and stores an uploaded cover image: PNG or JPEG by content, at
/// most [`IMAGE_MAX`].
async fn store_image(st: &AppState, bytes: &[u8]) -> Result<(String, String), WebError> {
    if bytes.len() > IMAGE_MAX {
        return Err(WebError::TooLarge(format!(
            "Ảnh lớn quá {} MB.",
            IMAGE_MAX / 1024 / 1024
        )));
    }
    let ty = motcua_store::files::sniff(bytes)
        .filter(|t| t.starts_with("image/"))
        .ok_or_else(|| WebError::Unsupported("Ảnh minh họa phải là tệp PNG hoặc JPEG.".into()))?;
    let sha = st.files.put(bytes).await?;
    Ok((sha, ty.to_string()))
}

/// `POST /workspace/tin-tuc/moi` and `POST /workspace/tin-tuc/{slug}`:
/// saves (or previews) an article.
async fn save(
    st: AppState,
    staff: Staff,
    existing: Option<String>,
    mp: Multipart,
) -> Result<Response, PageError> {
    let posted = read_form(mp).await?;
    staff.check_csrf(posted.csrf.as_deref())?;
    require_editor(&staff)?;
    let f = posted.f.clone();
    let stored_image = match &existing {
        Some(s) => st
            .store
            .article(s)
            .await?
            .and_then(|a| a.image.map(|i| i.0)),
        None => None,
    };
    let result: Result<String, WebError> = async {
        let draft = f.draft()?;
        if posted.op == "preview" {
            return Ok(String::new());
        }
        let image = match &posted.image {
            Some((bytes, _)) => Some(Some(store_image(&st, bytes).await?)),
            None if posted.remove_image => Some(None),
            None => None,
        };
        match &existing {
            Some(s) => {
                let slug = Slug::new(s).map_err(|e| WebError::NotFound(e.to_string()))?;
                st.store.update_article(&slug, &draft, image).await?;
                Ok(slug.to_string())
            }
            None => {
                let slug = if f.slug.is_empty() {
                    Slug::from_title(&draft.title)
                } else {
                    Slug::new(&f.slug).map_err(|e| WebError::BadRequest(e.to_string()))?
                };
                st.store
                    .create_article(&slug, &draft, image.flatten(), &staff.0.user.username)
                    .await?;
                Ok(slug.to_string())
            }
        }
    }
    .await;
    match result {
        Ok(slug) if posted.op != "preview" => {
            Ok(Redirect::to(&format!("/workspace/tin-tuc/{slug}?xong=1")).into_response())
        }
        Ok(_) => {
            let preview = motcua_core::news::render_markdown(&f.body);
            Ok(Html(
                edit_page(
                    &st,
                    &staff,
                    existing,
                    f,
                    stored_image,
                    Some(preview),
                    (None, None),
                )
                .await?,
            )
            .into_response())
        }
        Err(e) => {
            refused_page(e, |m| async move {
                edit_page(
                    &st,
                    &staff,
                    existing,
                    f,
                    stored_image,
                    None,
                    (Some(m), None),
                )
                .await
            })
            .await
        }
    }
}

pub async fn create(
    State(st): State<AppState>,
    staff: Staff,
    mp: Multipart,
) -> Result<Response, PageError> {
    save(st, staff, None, mp).await
}

pub async fn update(
    State(st): State<AppState>,
    staff: Staff,
    Path(slug): Path<String>,
    mp: Multipart,
) -> Result<Response, PageError> {
    save(st, staff, Some(slug), mp).await
}
