//! Text enters here: query strings, JSON bodies, url-encoded and multipart
//! forms are refused with a 422 when they carry a control character other
//! than tab and line breaks ([`forbidden_control`]) or a value longer than
//! [`MAX_FIELD_CHARS`], before any handler or store sees them. PostgreSQL cannot store NUL, and no person types the
//! others, so both engines answer alike.

use axum::extract::{FromRequest, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::error::{ApiError, AppError, PageError};
use crate::domain::text::{MAX_FIELD_CHARS, control_message, forbidden_control, too_long_message};

/// Refuses `value` (under `label`) when it holds a forbidden control or
/// is longer than any text field may be.
pub fn refuse_control(label: &str, value: &str) -> Result<(), AppError> {
    if let Some(c) = forbidden_control(value) {
        return Err(AppError::Invalid(control_message(label, c)));
    }
    // Bytes bound characters from above: count only when it may matter.
    if value.len() > MAX_FIELD_CHARS && value.chars().count() > MAX_FIELD_CHARS {
        return Err(AppError::Invalid(too_long_message(label)));
    }
    Ok(())
}

/// JSON keys whose strings are not text but a file's bytes in base64: their
/// size is the attachment's limit.
const FILE_KEYS: &[&str] = &["content_base64"];

/// Every name and value of url-encoded pairs.
pub fn refuse_control_pairs<'a>(
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<(), AppError> {
    for (name, value) in pairs {
        refuse_control("Tên trường", name)?;
        refuse_control(&format!("Trường «{name}»"), value)?;
    }
    Ok(())
}

/// Every string (and key) of a JSON value, named by its path.
pub fn refuse_control_json(value: &Value, path: &str) -> Result<(), AppError> {
    match value {
        Value::String(s) => refuse_control(&format!("Trường «{path}»"), s),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, v)| refuse_control_json(v, &format!("{path}[{i}]"))),
        Value::Object(map) => map.iter().try_for_each(|(k, v)| {
            if FILE_KEYS.contains(&k.as_str()) && v.is_string() {
                return Ok(());
            }
            let at = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            refuse_control("Tên trường", k)?;
            refuse_control_json(v, &at)
        }),
        _ => Ok(()),
    }
}

/// A query string with a forbidden control in a name or value is refused
/// for every route: JSON under `/api`, an error page elsewhere.
pub async fn refuse_control_query(req: Request, next: Next) -> Response {
    if let Some(query) = req.uri().query() {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
        let checked = refuse_control_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        if let Err(e) = checked {
            return if req.uri().path().starts_with("/api") {
                ApiError(e).into_response()
            } else {
                PageError(e).into_response()
            };
        }
    }
    next.run(req).await
}

/// A JSON body read as a value first, its text checked, then as `T`.
pub async fn json_body<T: DeserializeOwned, S: Send + Sync>(
    req: Request,
    state: &S,
) -> Result<T, AppError> {
    let axum::Json(value) = axum::Json::<Value>::from_request(req, state).await?;
    refuse_control_json(&value, "")?;
    serde_path_to_error::deserialize(value)
        .map_err(|e| AppError::Invalid(format!("Dữ liệu JSON không hợp lệ: {e}")))
}
