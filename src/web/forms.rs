//! Reading submitted forms: repeated fields (multi-selects, checkboxes),
//! optional numbers and dates, each turned into a clear Vietnamese message
//! when it cannot be read.

use std::future::Future;

use axum::extract::Multipart;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;

use super::error::{AppError, PageError};
use crate::actions::attachments::accept;
use crate::domain::attachment::{AttachedTo, UploadedFile};
use crate::domain::valid::Valid;

/// How a page answers a submitted form, the one way for every form: an
/// action that succeeded goes on to `done` (a redirect, usually); a refusal
/// the person can put right ([`AppError::is_correctable`]: a wrong value, a
/// stale version, too many tries) shows the form again through `again`,
/// with what was typed and the message, under the refusal's status; any
/// other error is an error page.
pub async fn answer_form<T, P, Fut>(
    result: Result<T, AppError>,
    done: impl FnOnce(T) -> Response,
    again: impl FnOnce(AppError) -> Fut,
) -> Result<Response, PageError>
where
    Fut: Future<Output = Result<P, AppError>>,
    P: IntoResponse,
{
    match result {
        Ok(value) => Ok(done(value)),
        Err(e) if e.is_correctable() => {
            let status = e.status();
            let page = again(e).await?;
            Ok((status, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// A url-encoded form as ordered pairs, so repeated names are kept.
#[derive(Debug, Clone, Default)]
pub struct FormPairs(pub Vec<(String, String)>);

impl FormPairs {
    pub fn parse(body: &[u8]) -> Result<FormPairs, AppError> {
        let pairs = serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
            .map_err(|_| AppError::BadRequest("Biểu mẫu gửi lên không đọc được".into()))?;
        let pairs = FormPairs(pairs);
        pairs.refuse_controls()?;
        Ok(pairs)
    }

    /// Refuses the form when a name or value holds a control character
    /// other than tab and line breaks.
    pub fn refuse_controls(&self) -> Result<(), AppError> {
        super::boundary::refuse_control_pairs(self.0.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    /// A checkbox: present with any value but empty or `0`.
    pub fn checked(&self, name: &str) -> bool {
        self.0
            .iter()
            .any(|(k, v)| k == name && !v.trim().is_empty() && v.trim() != "0")
    }

    /// The value as typed, line breaks and inner spacing kept.
    pub fn raw(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    pub fn text(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    }

    /// Whether the form has the field at all (a blank one counts).
    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }

    /// The field as an edit: absent, left as it is; blank, cleared.
    pub fn edit(&self, name: &str) -> Option<String> {
        self.has(name).then(|| self.text(name))
    }

    pub fn optional(&self, name: &str) -> Option<String> {
        Some(self.text(name)).filter(|v| !v.is_empty())
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect()
    }

    pub fn lines(&self, name: &str) -> Vec<String> {
        self.text(name)
            .lines()
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect()
    }

    pub fn ids(&self, name: &str, label: &str) -> Result<Vec<i64>, AppError> {
        self.all(name)
            .iter()
            .map(|v| v.parse::<i64>().map_err(|_| invalid_number(label)))
            .collect()
    }

    pub fn id(&self, name: &str, label: &str) -> Result<Option<i64>, AppError> {
        self.optional(name)
            .map(|v| v.parse::<i64>().map_err(|_| invalid_number(label)))
            .transpose()
    }

    pub fn day(&self, name: &str, label: &str) -> Result<Option<u32>, AppError> {
        match self.optional(name) {
            None => Ok(None),
            Some(v) => match v.parse::<u32>() {
                Ok(d) if (1..=31).contains(&d) => Ok(Some(d)),
                _ => Err(AppError::Invalid(format!(
                    "{label} phải là một ngày từ 1 đến 31"
                ))),
            },
        }
    }

    pub fn date(&self, name: &str, label: &str) -> Result<Option<NaiveDate>, AppError> {
        self.optional(name)
            .map(|v| parse_date(&v, label))
            .transpose()
    }

    pub fn version(&self) -> Result<i64, AppError> {
        self.text("version")
            .parse::<i64>()
            .map_err(|_| AppError::BadRequest("Thiếu phiên bản của bản ghi".into()))
    }
}

/// The largest multipart form carrying files for `of`: every file at its
/// largest, and room for the other fields.
pub const fn upload_limit(of: AttachedTo) -> usize {
    of.max_files() * of.max_bytes() + 256 * 1024
}

/// Reads a multipart form with files, the one way for every form that
/// carries them: its text fields, and the non-empty files sent under
/// `file_field`, each checked as it arrives as an attachment of `of` (how
/// many, how large, what its content really is; see
/// [`crate::actions::attachments::accept`]).
pub async fn read_multipart(
    multipart: Multipart,
    file_field: &str,
    of: AttachedTo,
) -> Result<(FormPairs, Vec<Valid<UploadedFile>>), AppError> {
    let (fields, files) = read_parts(multipart, of, of.max_files(), Some(file_field)).await?;
    Ok((fields, files.into_iter().map(|(_, f)| f).collect()))
}

/// A form sent either url-encoded or, when it carries files, as multipart:
/// its fields, and its files by field name (a report's form has one file
/// field a task), each checked as an attachment of `of`, at most
/// `max_files` of them.
pub async fn read_form(
    req: axum::extract::Request,
    of: AttachedTo,
    max_files: usize,
) -> Result<(FormPairs, Vec<(String, Valid<UploadedFile>)>), AppError> {
    use axum::extract::FromRequest;
    let multipart = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if multipart {
        let multipart = Multipart::from_request(req, &())
            .await
            .map_err(|_| AppError::BadRequest("Biểu mẫu không đọc được".into()))?;
        read_parts(multipart, of, max_files, None).await
    } else {
        // Through the extractor, so the route's body limit holds.
        let body = axum::body::Bytes::from_request(req, &())
            .await
            .map_err(|_| AppError::PayloadTooLarge)?;
        Ok((FormPairs::parse(&body)?, Vec::new()))
    }
}

/// The parts of a multipart form: text fields, and the non-empty files
/// (under `file_field` only, when given), each checked as it arrives.
async fn read_parts(
    mut multipart: Multipart,
    of: AttachedTo,
    max_files: usize,
    file_field: Option<&str>,
) -> Result<(FormPairs, Vec<(String, Valid<UploadedFile>)>), AppError> {
    let unreadable = || match of {
        AttachedTo::Evidence => AppError::BadRequest(format!(
            "Tệp tải lên không đọc được hoặc quá lớn (tối đa {} MB)",
            of.max_bytes() / (1024 * 1024)
        )),
        _ => AppError::BadRequest(format!(
            "Biểu mẫu không đọc được hoặc tệp quá lớn (tối đa {} tệp, mỗi tệp {} MB)",
            max_files,
            of.max_bytes() / (1024 * 1024)
        )),
    };
    let mut fields = Vec::new();
    let mut files = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(|_| unreadable())? {
        let name = field.name().unwrap_or("").to_string();
        let is_file = match file_field {
            Some(wanted) => name == wanted,
            None => field.file_name().is_some(),
        };
        if is_file {
            let file_name = field.file_name().unwrap_or("").to_string();
            // A file cut short here ran into the route's body limit.
            let bytes = field
                .bytes()
                .await
                .map_err(|_| AppError::invalid(of.too_large()))?;
            if bytes.is_empty() {
                continue;
            }
            if files.len() + 1 > max_files {
                return Err(AppError::Invalid(format!(
                    "Chỉ được gửi kèm tối đa {max_files} tệp"
                )));
            }
            files.push((name, accept(of, &file_name, bytes.to_vec())?));
        } else {
            let value = field
                .text()
                .await
                .map_err(|_| AppError::BadRequest("Biểu mẫu không hợp lệ".into()))?;
            fields.push((name, value));
        }
    }
    let fields = FormPairs(fields);
    fields.refuse_controls()?;
    Ok((fields, files))
}

fn invalid_number(label: &str) -> AppError {
    AppError::Invalid(format!("{label} không hợp lệ"))
}

/// Accepts the browser's `2026-01-23` and the Vietnamese `23/01/2026`.
pub fn parse_date(text: &str, label: &str) -> Result<NaiveDate, AppError> {
    let text = text.trim();
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%d/%m/%Y"))
        .map_err(|_| {
            AppError::Invalid(format!(
                "{label} không hợp lệ (nhập theo dạng ngày/tháng/năm)"
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_fields_are_kept_in_order() {
        let f = FormPairs::parse(b"lead=3&lead=5&title=+A+&lead=").expect("form");
        assert_eq!(f.all("lead"), vec!["3", "5"]);
        assert_eq!(f.text("title"), "A");
        assert_eq!(f.ids("lead", "Đơn vị").expect("ids"), vec![3, 5]);
    }

    /// The input the fuzzer found (raw NULs in a name, invalid UTF-8 in
    /// a value): refused as invalid text, never read as fields.
    #[test]
    fn raw_control_bytes_are_refused_as_invalid() {
        let mut body = b"a&b=c&%ZZ=1&x".to_vec();
        body.extend([0u8; 8]);
        body.extend(b"=%F0");
        body.extend([204u8, 205, 197]);
        match FormPairs::parse(&body) {
            Err(AppError::Invalid(message)) => assert!(message.contains("Tên trường"), "{message}"),
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn dates_read_both_forms() {
        let d = NaiveDate::from_ymd_opt(2026, 1, 23);
        assert_eq!(parse_date("2026-01-23", "Ngày").ok(), d);
        assert_eq!(parse_date("23/01/2026", "Ngày").ok(), d);
        assert!(parse_date("31/02/2026", "Ngày").is_err());
    }

    #[test]
    fn days_are_bounded() {
        let f = FormPairs::parse(b"d=32&e=15").expect("form");
        assert!(f.day("d", "Ngày").is_err());
        assert_eq!(f.day("e", "Ngày").expect("day"), Some(15));
        assert_eq!(f.day("x", "Ngày").expect("day"), None);
    }
}
