//! The officer's own account: changing the password.

use super::*;

#[derive(Template)]
#[template(path = "ws_password.html")]
struct PasswordPage {
    tr: Tr,
    nav: Nav,
    error: Option<String>,
}

/// `GET /workspace/mat-khau`.
pub async fn password_form(
    State(st): State<AppState>,
    staff: Staff,
) -> Result<Html<String>, PageError> {
    let (nav, _, _) = nav(&st, &staff, None, "password").await?;
    Ok(Html(
        PasswordPage {
            tr: Tr::vi(),
            nav,
            error: None,
        }
        .render()?,
    ))
}

/// `POST /workspace/mat-khau`: current password, new one twice. Every
/// session of the user ends (this one too): sign in again.
pub async fn password_change(
    State(st): State<AppState>,
    staff: Staff,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = staff.checked_form(&body)?;
    let u = &staff.0.user;
    let current = field(&f, "current").unwrap_or("");
    let new = field(&f, "new").unwrap_or("");
    let check = async {
        if new != field(&f, "confirm").unwrap_or("") {
            return Err(WebError::BadRequest(
                "hai lần nhập mật khẩu mới không khớp".into(),
            ));
        }
        if new == current {
            return Err(WebError::BadRequest(
                "mật khẩu mới phải khác mật khẩu cũ".into(),
            ));
        }
        // Checked without counting a failed sign-in: a wrong current
        // password here never slows or locks the account (issue 18.6).
        if !st.store.password_matches(&u.username, current).await? {
            return Err(WebError::BadRequest("mật khẩu hiện tại không đúng".into()));
        }
        st.store.set_password(&u.username, new).await?;
        Ok(())
    }
    .await;
    match check {
        Ok(()) => Ok(Redirect::to("/login?next=/workspace/").into_response()),
        Err(e) => {
            refused(e, |m| async move {
                let (nav, _, _) = nav(&st, &staff, None, "password").await?;
                Ok(PasswordPage {
                    tr: Tr::vi(),
                    nav,
                    error: Some(m),
                }
                .render()?)
            })
            .await
        }
    }
}
