//! Staff administration pages: the accounts of the administrator's subtree
//! (filtered by unit, role and state, paged), one account with its forms
//! (profile, unit, roles, disable or enable, second factor, password
//! reset), the enrolment code shown once, and the public page where a
//! person sets their password with that code. Forms only, no script.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::Layout;
use super::filters::{Active, Chip, Pager, chips, pager};
use super::views::{UnitOption, unit_options};
use crate::actions::accounts;
use crate::actions::staff::{self, Issued, NewAccount, UserQuery};
use crate::domain::access::Role;
use crate::domain::staff::{Profile, grantable};
use crate::store::{DORMANT, Page, User};
use crate::web::AppState;
use crate::web::error::{AppError, PageError};
use crate::web::flash::{Flash, redirect_with};
use crate::web::forms::{FormPairs, answer_form};
use crate::web::labels;
use crate::web::session::{Auth, ClientIp, MaybeAuth, PageAuth, form_csrf, with_cookie};

/// Accounts a page of the list shows.
const PER_PAGE: u32 = 30;

pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub unit_name: String,
    pub roles: String,
    pub active: bool,
    pub status: String,
    pub last_login: String,
    pub totp: bool,
}

fn status_words(u: &User) -> String {
    if u.active {
        if u.password_hash == crate::store::NO_PASSWORD {
            "Chờ đặt mật khẩu".to_string()
        } else {
            "Đang hoạt động".to_string()
        }
    } else if u.disabled_reason.as_deref() == Some(DORMANT) {
        format!(
            "Đã khóa do không dùng quá 45 ngày ({})",
            u.disabled_at.map(labels::date_time).unwrap_or_default()
        )
    } else {
        format!(
            "Đã khóa ({})",
            u.disabled_at.map(labels::date_time).unwrap_or_default()
        )
    }
}

fn role_words(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.label_vi())
        .collect::<Vec<_>>()
        .join(", ")
}

impl From<&User> for UserRow {
    fn from(u: &User) -> Self {
        UserRow {
            id: u.id,
            username: u.username.clone(),
            full_name: u.full_name.clone(),
            unit_name: u.unit_name.clone(),
            roles: role_words(&u.roles),
            active: u.active,
            status: status_words(u),
            last_login: u
                .last_login_at
                .map(labels::date_time)
                .unwrap_or_else(|| "Chưa đăng nhập".into()),
            totp: u.totp_enabled(),
        }
    }
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    q: Option<String>,
    unit_id: Option<String>,
    role: Option<String>,
    /// `1` active, `0` disabled.
    active: Option<String>,
    page: Option<u32>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_users.html")]
pub struct UsersPage {
    layout: Layout,
    users: Vec<UserRow>,
    total: String,
    q: String,
    /// Units of the administrator's subtree (filter and new account).
    units: Vec<UnitOption>,
    roles: Vec<(&'static str, &'static str, bool)>,
    states: Vec<(&'static str, &'static str, bool)>,
    chips: Vec<Chip>,
    pager: Pager,
    /// What was typed into the new-account form when it was refused.
    new: NewForm,
    error: Option<String>,
}

pub struct NewForm {
    username: String,
    full_name: String,
    email: String,
    phone: String,
    unit_id: Option<i64>,
    role: String,
}

impl NewForm {
    /// An empty form; a new account is a unit reporter unless chosen
    /// otherwise (never an administrator by default).
    fn blank() -> NewForm {
        NewForm {
            username: String::new(),
            full_name: String::new(),
            email: String::new(),
            phone: String::new(),
            unit_id: None,
            role: Role::UnitReporter.as_str().to_string(),
        }
    }
}

const STATES: [(&str, &str); 2] = [("1", "Đang hoạt động"), ("0", "Đã khóa")];

fn parse_query(q: &ListQuery) -> Result<UserQuery, AppError> {
    let bad = |what: &str| AppError::BadRequest(format!("{what} không hợp lệ"));
    let unit_id = match q.unit_id.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(s.parse::<i64>().map_err(|_| bad("Đơn vị"))?),
        None => None,
    };
    let role = match q.role.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(Role::parse(s).ok_or_else(|| bad("Vai trò"))?),
        None => None,
    };
    let active = match q.active.as_deref().filter(|s| !s.is_empty()) {
        Some("1") => Some(true),
        Some("0") => Some(false),
        Some(_) => return Err(bad("Trạng thái")),
        None => None,
    };
    Ok(UserQuery {
        unit_id,
        role,
        active,
        query: q.q.clone().filter(|s| !s.trim().is_empty()),
    })
}

async fn users_page(
    state: &AppState,
    auth: &Auth,
    q: &ListQuery,
    new: NewForm,
    error: Option<String>,
) -> Result<UsersPage, AppError> {
    let p = &auth.principal;
    let query = parse_query(q)?;
    let listing = staff::list_users(state, p, &query, Page::new(q.page, Some(PER_PAGE))).await?;
    let units: Vec<_> = crate::actions::units::readable_units(state, p)
        .await?
        .into_iter()
        .filter(|u| p.can_administer(&u.path))
        .collect();
    let mut active = Vec::new();
    if let Some(text) = &query.query {
        active.push(Active {
            name: "q",
            value: text.clone(),
            words: format!("“{text}”"),
        });
    }
    if let Some(id) = query.unit_id {
        let name = units
            .iter()
            .find(|u| u.id == id)
            .map(|u| u.name.clone())
            .unwrap_or_default();
        active.push(Active {
            name: "unit_id",
            value: id.to_string(),
            words: format!("Đơn vị: {name}"),
        });
    }
    if let Some(role) = query.role {
        active.push(Active {
            name: "role",
            value: role.as_str().into(),
            words: format!("Vai trò: {}", role.label_vi()),
        });
    }
    if let Some(a) = query.active {
        active.push(Active {
            name: "active",
            value: if a { "1" } else { "0" }.into(),
            words: if a {
                "Đang hoạt động"
            } else {
                "Đã khóa"
            }
            .into(),
        });
    }
    let selected: Vec<i64> = query.unit_id.into_iter().collect();
    Ok(UsersPage {
        layout: Layout::new("Tài khoản người dùng", auth),
        users: listing.items.iter().map(UserRow::from).collect(),
        total: labels::int(listing.total),
        q: query.query.clone().unwrap_or_default(),
        units: unit_options(&units, &selected),
        roles: Role::ALL
            .iter()
            .map(|r| (r.as_str(), r.label_vi(), query.role == Some(*r)))
            .collect(),
        states: STATES
            .iter()
            .map(|(v, w)| (*v, *w, q.active.as_deref() == Some(*v)))
            .collect(),
        chips: chips("/admin/users", &active),
        pager: pager(
            "/admin/users",
            &active,
            listing.page.page,
            PER_PAGE,
            listing.total,
        ),
        new,
        error,
    })
}

pub async fn list_users(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    Query(q): Query<ListQuery>,
) -> Result<UsersPage, PageError> {
    Ok(users_page(&state, &auth, &q, NewForm::blank(), None).await?)
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_enrolment.html")]
pub struct EnrolmentIssuedPage {
    layout: Layout,
    username: String,
    full_name: String,
    user_id: i64,
    code: Option<String>,
    link: Option<String>,
    emailed_to: Option<String>,
    expires: String,
    /// A new account, rather than a password reset.
    created: bool,
}

fn issued_page(auth: &Auth, issued: Issued, created: bool) -> Response {
    let title = if created {
        "Đã tạo tài khoản"
    } else {
        "Đã đặt lại mật khẩu"
    };
    let page = EnrolmentIssuedPage {
        layout: Layout::new(title, auth),
        username: issued.user.username.clone(),
        full_name: issued.user.full_name.clone(),
        user_id: issued.user.id,
        code: issued.code,
        link: issued.link,
        emailed_to: issued.emailed_to,
        expires: labels::date_time(issued.expires_at),
        created,
    };
    // The code is shown once: never kept by a browser or a proxy.
    let mut res = page.into_response();
    res.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    res
}

/// An administrator creates an account on a unit of its subtree; the
/// page that answers shows the enrolment code once (or says where it was
/// e-mailed).
pub async fn create_user_submit(
    State(state): State<AppState>,
    ip: ClientIp,
    PageAuth(auth): PageAuth,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body)?;
    let role = Role::parse(&f.text("role"))
        .ok_or_else(|| AppError::BadRequest("Vai trò không hợp lệ".into()))?;
    let unit_id = f
        .id("unit_id", "Đơn vị")?
        .ok_or_else(|| AppError::BadRequest("Chọn đơn vị".into()))?;
    let typed = NewForm {
        username: f.text("username"),
        full_name: f.text("full_name"),
        email: f.text("email"),
        phone: f.text("phone"),
        unit_id: Some(unit_id),
        role: role.as_str().to_string(),
    };
    let input = NewAccount {
        username: f.text("username"),
        full_name: f.text("full_name"),
        unit_id,
        role,
        email: f.optional("email"),
        phone: f.optional("phone"),
    };
    let result = staff::create_account(&state, &auth.caller(&ip), input).await;
    let no_filter = ListQuery::default();
    answer_form(
        result,
        |issued| issued_page(&auth, issued, true),
        |e| users_page(&state, &auth, &no_filter, typed, Some(e.to_string())),
    )
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_user.html")]
pub struct UserPage {
    layout: Layout,
    user: UserRow,
    version: i64,
    email: String,
    phone: String,
    units: Vec<UnitOption>,
    roles: Vec<(&'static str, &'static str, bool)>,
    is_self: bool,
    password_pending: bool,
    created: String,
    error: Option<String>,
}

async fn user_page(
    state: &AppState,
    auth: &Auth,
    id: i64,
    error: Option<String>,
) -> Result<UserPage, AppError> {
    let p = &auth.principal;
    let user = accounts::managed_user(state, p, id).await?;
    let units: Vec<_> = crate::actions::units::readable_units(state, p)
        .await?
        .into_iter()
        .filter(|u| p.can_administer(&u.path))
        .collect();
    let allowed = grantable(p, &user.unit_path);
    Ok(UserPage {
        layout: Layout::new(format!("Tài khoản {}", user.username), auth),
        version: user.version,
        email: user.email.clone().unwrap_or_default(),
        phone: user.phone.clone().unwrap_or_default(),
        units: unit_options(&units, &[user.unit_id]),
        roles: allowed
            .iter()
            .map(|r| (r.as_str(), r.label_vi(), user.roles.contains(r)))
            .collect(),
        is_self: user.id == p.user_id,
        password_pending: user.password_hash == crate::store::NO_PASSWORD,
        created: labels::date_time(user.created_at),
        user: UserRow::from(&user),
        error,
    })
}

pub async fn show_user(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<i64>,
) -> Result<UserPage, PageError> {
    Ok(user_page(&state, &auth, id, None).await?)
}

/// Back to the account's page, saying what was done.
fn back(state: &AppState, id: i64, flash: Flash) -> Response {
    redirect_with(
        &format!("/admin/users/{id}"),
        flash,
        state.config.secure_cookies,
    )
}

/// Answers one of the account page's forms: back to the page with a flash,
/// or the page again with the refusal.
async fn answer<T>(
    state: &AppState,
    auth: &Auth,
    id: i64,
    result: Result<T, AppError>,
    flash: Flash,
) -> Result<Response, PageError> {
    answer_form(
        result,
        |_| back(state, id, flash),
        |e| user_page(state, auth, id, Some(e.to_string())),
    )
    .await
}

pub async fn update_user_submit(
    State(state): State<AppState>,
    ip: ClientIp,
    PageAuth(auth): PageAuth,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body)?;
    let version = f.version()?;
    let result = match Profile::parse(
        &f.text("full_name"),
        Some(&f.text("email")),
        Some(&f.text("phone")),
    ) {
        Ok(profile) => staff::update_profile(&state, &auth.caller(&ip), id, version, profile).await,
        Err(e) => Err(AppError::invalid(e)),
    };
    answer(&state, &auth, id, result, Flash::Saved).await
}

pub async fn move_user_submit(
    State(state): State<AppState>,
    ip: ClientIp,
    PageAuth(auth): PageAuth,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body)?;
    let unit_id = f
        .id("unit_id", "Đơn vị")?
        .ok_or_else(|| AppError::BadRequest("Chọn đơn vị".into()))?;
    let result = staff::move_user(&state, &auth.caller(&ip), id, unit_id).await;
    answer(&state, &auth, id, result, Flash::Saved).await
}

pub async fn roles_submit(
    State(state): State<AppState>,
    ip: ClientIp,
    PageAuth(auth): PageAuth,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body)?;
    let roles = f
        .all("role")
        .iter()
        .map(|r| Role::parse(r).ok_or_else(|| AppError::BadRequest("Vai trò không hợp lệ".into())))
        .collect::<Result<Vec<_>, _>>()?;
    let result = staff::set_roles(&state, &auth.caller(&ip), id, &roles).await;
    answer(&state, &auth, id, result, Flash::Saved).await
}

pub async fn disable_user_submit(
    State(state): State<AppState>,
    ip: ClientIp,
    PageAuth(auth): PageAuth,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let result = staff::disable_user(&state, &auth.caller(&ip), id).await;
    answer(&state, &auth, id, result, Flash::AccountDisabled).await
}

pub async fn enable_user_submit(
    State(state): State<AppState>,
    ip: ClientIp,
    PageAuth(auth): PageAuth,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let result = accounts::enable_user(&state, &auth.caller(&ip), id).await;
    answer(&state, &auth, id, result, Flash::AccountEnabled).await
}

pub async fn reset_totp_submit(
    State(state): State<AppState>,
    ip: ClientIp,
    PageAuth(auth): PageAuth,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let result = accounts::reset_totp(&state, &auth.caller(&ip), id).await;
    answer(&state, &auth, id, result, Flash::TotpReset).await
}

pub async fn reset_password_submit(
    State(state): State<AppState>,
    ip: ClientIp,
    PageAuth(auth): PageAuth,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let result = staff::reset_password(&state, &auth.caller(&ip), id).await;
    answer_form(
        result,
        |issued| issued_page(&auth, issued, false),
        |e| user_page(&state, &auth, id, Some(e.to_string())),
    )
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "enrol.html")]
pub struct EnrolPage {
    layout: Layout,
    code: String,
    /// The account the code is for, once the code is known to work.
    username: Option<String>,
    error: Option<String>,
    /// The password was set: the page says so and links to the login.
    done: bool,
}

fn enrol_layout(state: &AppState, auth: Option<&Auth>, headers: &HeaderMap) -> (Layout, Response) {
    let (csrf, set_cookie) = form_csrf(state.config.secure_cookies, auth, headers);
    let layout = Layout::public("Đặt mật khẩu", auth, csrf);
    (layout, with_cookie(().into_response(), set_cookie))
}

/// The page as answered, with the double-submit cookie when it was new,
/// and never cached (the code may be in its address).
fn enrol_response(page: EnrolPage, status: StatusCode, cookie_carrier: Response) -> Response {
    let mut res = (status, page).into_response();
    for v in cookie_carrier
        .headers()
        .get_all(axum::http::header::SET_COOKIE)
    {
        res.headers_mut()
            .append(axum::http::header::SET_COOKIE, v.clone());
    }
    res.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    res
}

async fn show_enrol(
    state: &AppState,
    auth: Option<&Auth>,
    headers: &HeaderMap,
    code: String,
) -> Response {
    let (layout, carrier) = enrol_layout(state, auth, headers);
    let (username, error, status) = if code.is_empty() {
        (None, None, StatusCode::OK)
    } else {
        match staff::enrolment_for(state, &code).await {
            Ok((_, user)) => (Some(user.username), None, StatusCode::OK),
            Err(e) => (None, Some(e.to_string()), e.status()),
        }
    };
    let page = EnrolPage {
        layout,
        code,
        username,
        error,
        done: false,
    };
    enrol_response(page, status, carrier)
}

/// The enrolment form, the code to be typed.
pub async fn enrol_form(
    State(state): State<AppState>,
    MaybeAuth(auth): MaybeAuth,
    headers: HeaderMap,
) -> Response {
    show_enrol(&state, auth.as_deref(), &headers, String::new()).await
}

/// The enrolment form opened from the link, the code filled in.
pub async fn enrol_with_code(
    State(state): State<AppState>,
    MaybeAuth(auth): MaybeAuth,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Response {
    show_enrol(&state, auth.as_deref(), &headers, code).await
}

/// Sets the password with the code; the answer says so and links to the
/// login page.
pub async fn enrol_submit(
    State(state): State<AppState>,
    ip: ClientIp,
    MaybeAuth(auth): MaybeAuth,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body)?;
    let code = f.text("code");
    let password = f.raw("password");
    let result = if password != f.raw("confirm_password") {
        Err(AppError::Invalid(
            "Hai lần nhập mật khẩu mới không khớp".into(),
        ))
    } else {
        staff::enrol(&state, &ip.0, &code, &password).await
    };
    let (layout, carrier) = enrol_layout(&state, auth.as_deref(), &headers);
    let (page, status) = match result {
        Ok(user) => (
            EnrolPage {
                layout,
                code: String::new(),
                username: Some(user.username),
                error: None,
                done: true,
            },
            StatusCode::OK,
        ),
        Err(e) if e.is_correctable() => {
            let status = e.status();
            (
                EnrolPage {
                    layout,
                    code,
                    username: None,
                    error: Some(e.to_string()),
                    done: false,
                },
                status,
            )
        }
        Err(e) => return Err(e.into()),
    };
    Ok(enrol_response(page, status, carrier))
}
