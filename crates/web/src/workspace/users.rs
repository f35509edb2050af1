//! Administration of users: create, roles, reset a password, deactivate.

use super::*;

struct UserLine {
    username: String,
    name: String,
    agency: String,
    roles: Vec<(&'static str, &'static str, bool)>,
    active: bool,
    locked: String,
    has_password: bool,
}

#[derive(Template)]
#[template(path = "ws_users.html")]
struct UsersPage {
    tr: Tr,
    nav: Nav,
    users: Vec<UserLine>,
    agencies: Vec<(String, String)>,
    all_roles: Vec<(&'static str, &'static str)>,
    error: Option<String>,
    done: Option<String>,
}

/// An administrator manages the users of their own agency; one of an
/// agency without a parent (the installation's root) manages everyone.
pub(super) async fn admin_scope(st: &AppState, u: &User) -> Result<Option<AgencyCode>, WebError> {
    if !is_admin(u) {
        return Err(WebError::Forbidden(
            "chỉ quản trị hệ thống được quản lý người dùng".into(),
        ));
    }
    let root = st
        .store
        .agency(&u.agency)
        .await?
        .is_some_and(|a| a.parent_code.is_none());
    Ok((!root).then(|| u.agency.clone()))
}

async fn users_page(
    st: &AppState,
    staff: &Staff,
    error: Option<String>,
    done: Option<String>,
) -> Result<UsersPage, WebError> {
    let scope = admin_scope(st, &staff.0.user).await?;
    let (nav, _, _) = nav(st, staff, None, "admin").await?;
    let all = st.store.users(scope.as_ref()).await?;
    let agencies = st
        .store
        .all_agencies()
        .await?
        .into_iter()
        .filter(|a| scope.as_ref().is_none_or(|s| *s == a.code))
        .map(|a| (a.code.to_string(), format!("{} ({})", a.name, a.code)))
        .collect();
    let users = all
        .into_iter()
        .map(|i| UserLine {
            roles: Role::ALL
                .iter()
                .map(|r| (r.as_str(), r.label_vi(), i.user.roles.contains(r)))
                .collect(),
            username: i.user.username,
            name: i.user.full_name,
            agency: i.user.agency.to_string(),
            active: i.active,
            locked: i
                .locked_until
                .filter(|t| *t > Utc::now())
                .map(|t| fmt_time(to_local(t)))
                .unwrap_or_default(),
            has_password: i.has_password,
        })
        .collect();
    Ok(UsersPage {
        tr: Tr::vi(),
        nav,
        users,
        agencies,
        all_roles: Role::ALL
            .iter()
            .map(|r| (r.as_str(), r.label_vi()))
            .collect(),
        error,
        done,
    })
}

/// `GET /workspace/quan-tri/nguoi-dung`.
pub async fn users(State(st): State<AppState>, staff: Staff) -> Result<Html<String>, PageError> {
    Ok(Html(users_page(&st, &staff, None, None).await?.render()?))
}

/// `POST /workspace/quan-tri/nguoi-dung`: `op` = `create` (username, name,
/// agency, role…, password), `password` (username, password: a reset by the
/// administrator), `roles` (username, role…), `enable` / `disable`
/// (username).
pub async fn users_post(
    State(st): State<AppState>,
    staff: Staff,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = staff.checked_form(&body)?;
    let scope = admin_scope(&st, &staff.0.user).await?;
    let username = field(&f, "username").unwrap_or("").trim().to_string();
    let roles = || -> Result<Vec<Role>, WebError> {
        f.iter()
            .filter(|(k, _)| k == "role")
            .map(|(_, v)| {
                Role::parse(v)
                    .ok_or_else(|| WebError::BadRequest(format!("vai trò `{v}` không hợp lệ")))
            })
            .collect()
    };
    let result = async {
        // Every target must be in the administrator's scope.
        let in_scope = |a: &AgencyCode| scope.as_ref().is_none_or(|s| s == a);
        let op = field(&f, "op").unwrap_or("");
        if op != "create" {
            let target = st
                .store
                .user(&username)
                .await?
                .filter(|u| in_scope(&u.agency))
                .ok_or_else(|| WebError::NotFound(format!("không có người dùng `{username}`")))?;
            if target.username == staff.0.user.username && matches!(op, "disable" | "roles") {
                return Err(WebError::BadRequest(
                    "không tự khóa hay đổi vai trò của chính mình".into(),
                ));
            }
        }
        match op {
            "create" => {
                let agency = AgencyCode::new(field(&f, "agency").unwrap_or(""))
                    .map_err(|e| WebError::BadRequest(e.to_string()))?;
                if !in_scope(&agency) {
                    return Err(WebError::Forbidden(
                        "cơ quan ngoài phạm vi quản trị của bạn".into(),
                    ));
                }
                let password = field(&f, "password").unwrap_or("");
                motcua_store::sessions::hash_password(password)?;
                st.store
                    .create_user(
                        &username,
                        field(&f, "name").unwrap_or(""),
                        &agency,
                        &roles()?,
                        None,
                    )
                    .await?;
                st.store.set_password(&username, password).await?;
                Ok(format!("đã tạo người dùng {username}"))
            }
            "password" => {
                st.store
                    .set_password(&username, field(&f, "password").unwrap_or(""))
                    .await?;
                tracing::info!(admin = %staff.0.user.username, user = %username, "password reset");
                Ok(format!("đã đặt lại mật khẩu của {username}"))
            }
            "roles" => {
                st.store.set_roles(&username, &roles()?).await?;
                Ok(format!("đã cập nhật vai trò của {username}"))
            }
            "enable" | "disable" => {
                st.store.set_active(&username, op == "enable").await?;
                Ok(format!(
                    "đã {} tài khoản {username}",
                    if op == "enable" { "mở" } else { "khóa" }
                ))
            }
            _ => Err(WebError::BadRequest(format!(
                "thao tác `{op}` không hợp lệ"
            ))),
        }
    }
    .await;
    answer(result, |error, done| async move {
        Ok(users_page(&st, &staff, error, done).await?.render()?)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::super::remaining_words;

    #[test]
    fn remaining_in_words() {
        assert_eq!(remaining_words(480 + 190, 480, false), "còn 1 ngày 3 giờ");
        assert_eq!(remaining_words(-130, 480, true), "quá hạn 2 giờ 10 phút");
        assert_eq!(remaining_words(0, 480, true), "quá hạn");
        assert_eq!(remaining_words(0, 480, false), "còn 0 phút");
    }
}
