//! Administration of notice templates: the text of e-mails and SMS per action.

use super::*;

struct TemplateLine {
    action: &'static str,
    label: &'static str,
    custom: bool,
    subject: String,
    body: String,
    sms: String,
}

#[derive(Template)]
#[template(path = "ws_templates.html")]
struct TemplatesPage {
    tr: Tr,
    nav: Nav,
    lines: Vec<TemplateLine>,
    placeholders: String,
    error: Option<String>,
    done: Option<String>,
}

async fn templates_page(
    st: &AppState,
    staff: &Staff,
    error: Option<String>,
    done: Option<String>,
) -> Result<TemplatesPage, WebError> {
    require_root_admin(st, &staff.0.user).await?;
    let (nav, _, _) = nav(st, staff, None, "templates").await?;
    let stored = st.store.notice_templates().await?;
    let lines = motcua_core::dossier::NOTIFIED
        .iter()
        .map(|a| {
            let t = stored.get(a.as_str());
            TemplateLine {
                action: a.as_str(),
                label: a.label_vi(),
                custom: t.is_some(),
                subject: t.map(|t| t.subject.clone()).unwrap_or_default(),
                body: t.map(|t| t.body.clone()).unwrap_or_default(),
                sms: t.map(|t| t.sms.clone()).unwrap_or_default(),
            }
        })
        .collect();
    Ok(TemplatesPage {
        tr: Tr::vi(),
        nav,
        lines,
        placeholders: motcua_core::dossier::PLACEHOLDERS
            .map(|p| format!("{{{p}}}"))
            .join(", "),
        error,
        done,
    })
}

/// `GET /workspace/quan-tri/thong-bao`: the wording of each notice.
pub async fn templates(
    State(st): State<AppState>,
    staff: Staff,
) -> Result<Html<String>, PageError> {
    Ok(Html(
        templates_page(&st, &staff, None, None).await?.render()?,
    ))
}

/// `POST /workspace/quan-tri/thong-bao`: `op` = `save` (action, subject,
/// body, sms) or `reset` (action: back to the built-in text).
pub async fn templates_post(
    State(st): State<AppState>,
    staff: Staff,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = staff.checked_form(&body)?;
    require_root_admin(&st, &staff.0.user).await?;
    let result = async {
        let action = field(&f, "action").unwrap_or("");
        let a = Action::parse(action)
            .filter(|a| motcua_core::dossier::NOTIFIED.contains(a))
            .ok_or_else(|| {
                WebError::BadRequest(format!("thao tác `{action}` không gửi thông báo"))
            })?;
        match field(&f, "op").unwrap_or("") {
            "save" => {
                let t = motcua_core::dossier::NoticeTemplate {
                    subject: field(&f, "subject").unwrap_or("").trim().to_string(),
                    body: field(&f, "body").unwrap_or("").replace("\r\n", "\n"),
                    sms: field(&f, "sms").unwrap_or("").trim().to_string(),
                };
                st.store
                    .set_notice_template(a.as_str(), &t, &staff.0.user.username)
                    .await?;
                Ok(format!("đã lưu mẫu thông báo \"{}\"", a.label_vi()))
            }
            "reset" => {
                st.store.delete_notice_template(a.as_str()).await?;
                Ok(format!("\"{}\" dùng lại nội dung mặc định", a.label_vi()))
            }
            op => Err(WebError::BadRequest(format!(
                "thao tác `{op}` không hợp lệ"
            ))),
        }
    }
    .await;
    answer(result, |error, done| async move {
        Ok(templates_page(&st, &staff, error, done).await?.render()?)
    })
    .await
}
