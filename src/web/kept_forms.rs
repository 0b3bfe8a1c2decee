//! Nothing typed is lost when a session ends: a long form (a report, a
//! task, an answer to feedback) sent after its session expired is kept,
//! sealed, for the same user and the same form, for a day. After signing in
//! again the person lands on the form with the values back and a message
//! that they are not saved yet; they are applied only when the person saves.
//!
//! Who sent it is known from the expired session, which the store keeps a
//! day past its end for this; the form must carry that session's CSRF
//! token, so another site cannot plant content in someone's form. Files are
//! not kept (the person attaches them again; the message says so).

use axum::body::{Body, to_bytes};
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_TYPE, LOCATION};
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::forms::FormPairs;
use super::session::{CSRF_FIELD, SESSION_COOKIE, cookie, encode_component};
use crate::auth::sealed::{DataKey, KEPT_FORM_FIELD, KEPT_FORMS_PURPOSE};
use crate::auth::token::{constant_time_eq, sha256_hex};

/// The long forms: where they are sent, and the page that shows them.
const FORMS: &[(&str, &str)] = &[
    ("/reports/{}", "/reports/{}"),
    ("/tasks/{}", "/tasks/{}/edit"),
    ("/plans/{}/tasks", "/plans/{}/tasks/new"),
    ("/feedback/{}/answer", "/feedback/{}"),
];

/// Largest body read to keep a form: the report form with its files.
const MAX_KEPT_BODY: usize = 40 * 1024 * 1024;

/// The id in `path` when it has the shape of `pattern` (`{}` one id).
fn matches(pattern: &str, path: &str) -> Option<String> {
    let (p, q): (Vec<&str>, Vec<&str>) = (pattern.split('/').collect(), path.split('/').collect());
    if p.len() != q.len() {
        return None;
    }
    let mut id = None;
    for (a, b) in p.iter().zip(&q) {
        if *a == "{}" {
            b.parse::<i64>().ok()?;
            id = Some(b.to_string());
        } else if a != b {
            return None;
        }
    }
    id
}

/// The page that shows the form sent to `post_path`.
pub fn page_of(post_path: &str) -> Option<String> {
    FORMS
        .iter()
        .find_map(|(post, page)| matches(post, post_path).map(|id| page.replace("{}", &id)))
}

/// Where the form shown at `page_path` is sent.
pub fn post_of(page_path: &str) -> Option<String> {
    FORMS
        .iter()
        .find_map(|(post, page)| matches(page, page_path).map(|id| post.replace("{}", &id)))
}

/// The key kept forms are sealed with: the data key when there is one,
/// else this process's form secret (then they do not outlive a restart).
fn key(state: &AppState) -> DataKey {
    match &state.config.data_key {
        Some(k) => DataKey::from_bytes(k.derive(KEPT_FORMS_PURPOSE)),
        None => DataKey::from_bytes(state.config.form_secret),
    }
}

/// A long form sent on an expired session: kept, and the person sent to
/// sign in again (`Ok`); anything else goes on as usual (`Err`, the request
/// put back together).
pub async fn keep_if_expired(state: &AppState, req: Request) -> Result<Response, Request> {
    let path = req.uri().path().to_string();
    let Some(page) = page_of(&path) else {
        return Err(req);
    };
    let Some(token) = cookie(req.headers(), SESSION_COOKIE) else {
        return Err(req);
    };
    let Ok(Some(session)) = state.store.session(&sha256_hex(&token)).await else {
        return Err(req);
    };
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_KEPT_BODY).await else {
        return Err(Request::from_parts(parts, Body::empty()));
    };
    let content_type = parts.headers.get(CONTENT_TYPE).cloned();
    let query_token = parts
        .uri
        .query()
        .and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok())
        .and_then(|q| q.into_iter().find(|(k, _)| k == CSRF_FIELD).map(|(_, v)| v));
    let rebuilt = Request::from_parts(parts, Body::from(bytes.clone()));
    let Some((fields, files)) = read_fields(content_type, bytes).await else {
        return Err(rebuilt);
    };
    let sent = query_token.unwrap_or_else(|| fields.text(CSRF_FIELD));
    if !constant_time_eq(&sent, &session.csrf_token) {
        return Err(rebuilt);
    }
    let typed: Vec<(String, String)> = fields
        .0
        .into_iter()
        .filter(|(k, _)| k != CSRF_FIELD)
        .collect();
    let Ok(encoded) = serde_urlencoded::to_string(&typed) else {
        return Err(rebuilt);
    };
    let Ok(sealed) = key(state).seal(KEPT_FORM_FIELD, &encoded) else {
        return Err(rebuilt);
    };
    if let Err(e) = state.store.keep_form(session.user_id, &path, &sealed).await {
        tracing::error!(error = %e, "keeping a form failed");
        return Err(rebuilt);
    }
    let to = format!(
        "/login?next={}&kept={}",
        encode_component(&page),
        if files > 0 { "files" } else { "1" }
    );
    Ok((StatusCode::SEE_OTHER, [(LOCATION, to)]).into_response())
}

/// The text fields of a form (url-encoded or multipart) and how many files
/// it carried.
async fn read_fields(
    content_type: Option<axum::http::HeaderValue>,
    bytes: axum::body::Bytes,
) -> Option<(FormPairs, usize)> {
    let multipart = content_type
        .as_ref()
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !multipart {
        return FormPairs::parse(&bytes).ok().map(|f| (f, 0));
    }
    let mut req = Request::new(Body::from(bytes));
    if let Some(ct) = content_type {
        req.headers_mut().insert(CONTENT_TYPE, ct);
    }
    let mut multipart = Multipart::from_request(req, &()).await.ok()?;
    let mut fields = Vec::new();
    let mut files = 0;
    while let Ok(Some(field)) = multipart.next_field().await {
        let name = field.name().unwrap_or("").to_string();
        if field.file_name().is_some() {
            if field.bytes().await.is_ok_and(|b| !b.is_empty()) {
                files += 1;
            }
        } else {
            fields.push((name, field.text().await.ok()?));
        }
    }
    Some((FormPairs(fields), files))
}

/// What `user_id` typed into the form shown at `page_path`, if it was kept.
pub async fn kept_for(state: &AppState, user_id: i64, page_path: &str) -> Option<FormPairs> {
    let post = post_of(page_path)?;
    let sealed = state.store.kept_form(user_id, &post).await.ok()??;
    let encoded = key(state).open(KEPT_FORM_FIELD, &sealed).ok()?;
    FormPairs::parse(encoded.as_bytes()).ok()
}

/// Forgets what was kept for the form sent to `post_path`: it was saved,
/// or the person put it aside.
pub async fn forget(state: &AppState, user_id: i64, post_path: &str) {
    if let Err(e) = state.store.discard_kept_form(user_id, post_path).await {
        tracing::error!(error = %e, "forgetting a kept form failed");
    }
}

/// The person puts aside what was kept of a form (`path`: where the form
/// is sent) and goes back to the form as it is stored.
pub async fn discard(
    axum::extract::State(state): axum::extract::State<AppState>,
    super::session::PageAuth(auth): super::session::PageAuth,
    body: axum::body::Bytes,
) -> Result<Response, super::error::PageError> {
    let f = FormPairs::parse(&body)?;
    let post = f.text("path");
    let page = page_of(&post)
        .ok_or_else(|| crate::actions::AppError::BadRequest("Biểu mẫu không hợp lệ".into()))?;
    forget(&state, auth.principal.user_id, &post).await;
    Ok(super::flash::redirect_with(
        &page,
        super::flash::Flash::KeptDiscarded,
        state.config.secure_cookies,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_long_form_has_its_page() {
        assert_eq!(page_of("/reports/12").as_deref(), Some("/reports/12"));
        assert_eq!(page_of("/tasks/7").as_deref(), Some("/tasks/7/edit"));
        assert_eq!(
            page_of("/plans/3/tasks").as_deref(),
            Some("/plans/3/tasks/new")
        );
        assert_eq!(
            page_of("/feedback/9/answer").as_deref(),
            Some("/feedback/9")
        );
        assert_eq!(page_of("/reports/12/review"), None);
        assert_eq!(page_of("/reports/x"), None);
        assert_eq!(post_of("/tasks/7/edit").as_deref(), Some("/tasks/7"));
        assert_eq!(
            post_of("/feedback/9").as_deref(),
            Some("/feedback/9/answer")
        );
        assert_eq!(post_of("/plans/3"), None);
    }
}
