//! Onboarding in bulk over the API: a sheet of units and accounts (the
//! `.xlsx` or CSV file as the request body), checked whole and, unless a
//! dry run, written in one transaction with each new account's enrolment
//! code answered once; and a commune's usual units from the template.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::dto::UnitOut;
use super::{ApiJson, ApiPath, ApiQuery};
use crate::actions::onboarding::{self, PlannedAccount, PlannedUnit, SheetOutcome};
use crate::domain::access::Role;
use crate::domain::unit::UnitKind;
use crate::web::AppState;
use crate::web::error::{ApiError, AppError, ErrorBody};
use crate::web::session::{ApiAuth, ClientIp};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OnboardingParams {
    /// `true`: check every row and answer what would be created, storing
    /// nothing.
    pub dry_run: Option<bool>,
    /// A unit of the caller's subtree to read the sheet under (default:
    /// the caller's own unit).
    pub under: Option<i64>,
}

/// The sheet's bytes, as the OpenAPI document names them.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
#[expect(dead_code, reason = "only describes the body in the OpenAPI document")]
pub struct SheetBytes(Vec<u8>);

#[derive(Debug, Serialize, ToSchema)]
pub struct PlannedUnitOut {
    /// The sheet's row that first named it.
    pub row: usize,
    pub name: String,
    pub kind: UnitKind,
    /// The names above it, from the unit the sheet was read under.
    pub parent: String,
    /// Once created.
    pub id: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlannedAccountOut {
    pub row: usize,
    pub username: String,
    pub full_name: String,
    pub role: Role,
    pub unit: String,
    pub email: Option<String>,
    /// Once created.
    pub id: Option<i64>,
    /// The one-time enrolment code, answered here once (never stored).
    pub code: Option<String>,
    /// The path that opens the enrolment page with the code filled in.
    pub link: Option<String>,
    /// Epoch milliseconds.
    pub expires_at: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OnboardingOut {
    pub dry_run: bool,
    /// The unit the sheet was read under.
    pub root_id: i64,
    pub units_created: usize,
    pub accounts_created: usize,
    /// Rows whose unit was already there.
    pub units_found: usize,
    pub units: Vec<PlannedUnitOut>,
    pub accounts: Vec<PlannedAccountOut>,
}

impl From<PlannedUnit> for PlannedUnitOut {
    fn from(u: PlannedUnit) -> Self {
        PlannedUnitOut {
            row: u.row,
            name: u.name,
            kind: u.kind,
            parent: u.parent,
            id: u.id,
        }
    }
}

impl From<PlannedAccount> for PlannedAccountOut {
    fn from(a: PlannedAccount) -> Self {
        PlannedAccountOut {
            row: a.row,
            username: a.username,
            full_name: a.full_name,
            role: a.role,
            unit: a.unit,
            email: a.email,
            id: a.id,
            code: a.code,
            link: a.link,
            expires_at: a.expires_at,
        }
    }
}

impl From<SheetOutcome> for OnboardingOut {
    fn from(o: SheetOutcome) -> Self {
        OnboardingOut {
            dry_run: o.dry_run,
            root_id: o.root_id,
            units_created: o.units.len(),
            accounts_created: o.accounts.len(),
            units_found: o.units_found,
            units: o.units.into_iter().map(Into::into).collect(),
            accounts: o.accounts.into_iter().map(Into::into).collect(),
        }
    }
}

/// Administrators only, within their subtree: units and accounts from a
/// sheet (columns Đơn vị, Mã hoặc đường dẫn, Loại, Họ tên, Tên đăng nhập,
/// Vai trò, Email, Điện thoại). Every row is checked first; one bad row
/// refuses the sheet (`bad_sheet`, with each bad row and its reason) and
/// nothing is stored. New accounts get enrolment codes, answered once.
#[utoipa::path(post, path = "/api/onboarding", tag = "accounts", params(OnboardingParams),
    request_body(content((inline(SheetBytes) = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (inline(SheetBytes) = "text/csv"))),
    responses((status = 200, description = "Dry run: what would be created", body = OnboardingOut),
        (status = 201, description = "Created, with each account's code (shown once)", body = OnboardingOut),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn onboard(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<OnboardingParams>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, HeaderMap, ApiJson<OnboardingOut>), ApiError> {
    if !auth.principal.has(Role::Administrator) {
        return Err(AppError::Forbidden.into());
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if ![XLSX, "text/csv", "text/plain", "application/octet-stream"]
        .contains(&content_type.as_str())
    {
        return Err(AppError::BadRequest(format!(
            "Gửi tệp bảng tính làm nội dung yêu cầu, với Content-Type: {XLSX} hoặc text/csv"
        ))
        .into());
    }
    let dry_run = q.dry_run.unwrap_or(false);
    let outcome = onboarding::onboard(&state, &auth.caller(&ip), &body, dry_run, q.under).await?;
    let mut out_headers = HeaderMap::new();
    out_headers.insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    let status = if dry_run {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, out_headers, ApiJson(outcome.into())))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TemplateOut {
    /// The units created now.
    pub created: Vec<UnitOut>,
    /// Units of the template the commune already had (by name or alias).
    pub skipped: usize,
}

/// Administrators of the commune or above: the usual working units of a
/// commune after the 2025 reform, those it does not have yet; again, it
/// creates nothing.
#[utoipa::path(post, path = "/api/units/{id}/template", tag = "units", params(("id" = i64, Path)),
    responses((status = 200, body = TemplateOut), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn apply_template(
    State(state): State<AppState>,
    ip: ClientIp,
    ApiAuth(auth): ApiAuth,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<TemplateOut>, ApiError> {
    let done = onboarding::apply_template(&state, &auth.caller(&ip), id).await?;
    Ok(ApiJson(TemplateOut {
        created: done.created.into_iter().map(UnitOut::from).collect(),
        skipped: done.skipped,
    }))
}
