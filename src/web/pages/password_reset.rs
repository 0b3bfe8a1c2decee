//! The public "Quên mật khẩu" page: a person types their username or
//! e-mail address and gets a code by e-mail (see
//! `actions::password_reset`); the code is used on the enrolment page.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::Layout;
use crate::actions::password_reset::{self, NO_MAIL};
use crate::web::AppState;
use crate::web::error::PageError;
use crate::web::forms::FormPairs;
use crate::web::session::{Auth, ClientIp, MaybeAuth, form_csrf, with_cookie};

#[derive(Template, WebTemplate)]
#[template(path = "password_forgot.html")]
pub struct ForgotPage {
    layout: Layout,
    /// Mail is set up, so the form is offered.
    available: bool,
    no_mail: &'static str,
    login: String,
    error: Option<String>,
    /// Asked: what the person is told (the same for any name).
    notice: Option<String>,
}

impl ForgotPage {
    /// The empty form; `answer` gives it its layout.
    fn new(state: &AppState) -> ForgotPage {
        ForgotPage {
            layout: Layout::public("Quên mật khẩu", None, String::new()),
            available: password_reset::available(state),
            no_mail: NO_MAIL,
            login: String::new(),
            error: None,
            notice: None,
        }
    }
}

/// The form (or, without mail, who to ask instead).
pub async fn forgot_form(
    State(state): State<AppState>,
    MaybeAuth(auth): MaybeAuth,
    headers: HeaderMap,
) -> Response {
    let page = ForgotPage::new(&state);
    answer(&state, auth.as_deref(), &headers, page, StatusCode::OK)
}

/// Asks for a code; the answer does not say whether the name exists.
pub async fn forgot_submit(
    State(state): State<AppState>,
    ip: ClientIp,
    MaybeAuth(auth): MaybeAuth,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body)?;
    let login = f.text("login");
    let mut page = ForgotPage::new(&state);
    let status = match password_reset::request_reset(&state, &login, &ip.0).await {
        Ok(notice) => {
            page.notice = Some(notice);
            StatusCode::OK
        }
        Err(e) if e.is_correctable() => {
            page.login = login;
            page.error = Some(e.to_string());
            e.status()
        }
        Err(e) => return Err(e.into()),
    };
    Ok(answer(&state, auth.as_deref(), &headers, page, status))
}

/// The page with its form token (and the double-submit cookie when new),
/// never cached.
fn answer(
    state: &AppState,
    auth: Option<&Auth>,
    headers: &HeaderMap,
    mut page: ForgotPage,
    status: StatusCode,
) -> Response {
    let (csrf, set_cookie) = form_csrf(state.config.secure_cookies, auth, headers);
    page.layout = Layout::public("Quên mật khẩu", auth, csrf);
    let mut res = with_cookie((status, page).into_response(), set_cookie);
    res.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    res
}
