//! Importing a plan from a file, for a focal point: upload, preview what
//! was read (tasks, targets, warnings, unit names not yet matched, each
//! with a choice of unit), correct, confirm. The plan is stored only on
//! confirmation; until then only the uploaded file is held.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};

use super::Layout;
use super::views::{UnitOption, goal_label, unit_options};
use crate::actions::access::{issuers_for, readable_unit};
use crate::auth::token::{random_token, sha256_bytes_hex};
use crate::domain::unit::Unit;
use crate::import::{self, ParsedPlan, Resolution, UnitEntry, resolve_units};
use crate::store::StagedUpload;
use crate::web::AppState;
use crate::web::error::{AppError, PageError};
use crate::web::forms::{FormPairs, parse_date};
use crate::web::session::{Auth, ClientIp, PageAuth};

/// Uploads a little larger than the importer's own limit reach it, so the
/// person gets its message rather than a bare "too large".
pub const UPLOAD_LIMIT: usize = import::MAX_INPUT_BYTES + 1024 * 1024;

#[derive(Template, WebTemplate)]
#[template(path = "import_form.html")]
pub struct ImportForm {
    layout: Layout,
    issuers: Vec<(i64, String)>,
    error: Option<String>,
}

pub async fn import_form(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
) -> Result<ImportForm, PageError> {
    let issuers: Vec<(i64, String)> = issuers_for(&state, &auth.principal)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    if issuers.is_empty() {
        return Err(AppError::Forbidden.into());
    }
    Ok(ImportForm {
        layout: Layout::new("Nhập kế hoạch từ tệp", &auth),
        issuers,
        error: None,
    })
}

async fn form_with_error(
    state: &AppState,
    auth: &Auth,
    error: String,
) -> Result<ImportForm, AppError> {
    Ok(ImportForm {
        layout: Layout::new("Nhập kế hoạch từ tệp", auth),
        issuers: issuers_for(state, &auth.principal)
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect(),
        error: Some(error),
    })
}

pub async fn upload_plan(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    mut multipart: Multipart,
) -> Result<Response, PageError> {
    let mut issuer_id = None;
    let mut file: Option<(String, Bytes)> = None;
    while let Some(field) = multipart.next_field().await.map_err(|_| {
        AppError::BadRequest("Tệp tải lên không đọc được hoặc quá lớn (tối đa 20 MB)".into())
    })? {
        match field.name() {
            Some("issuer_unit_id") => {
                issuer_id = field
                    .text()
                    .await
                    .ok()
                    .and_then(|t| t.trim().parse::<i64>().ok());
            }
            Some("file") => {
                let name = field.file_name().unwrap_or("ke-hoach").to_string();
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|_| AppError::Invalid("Tệp quá lớn (tối đa 20 MB)".into()))?;
                file = Some((name, bytes));
            }
            _ => {}
        }
    }
    let issuer_id =
        issuer_id.ok_or_else(|| AppError::Invalid("Hãy chọn cơ quan ban hành".into()))?;
    let issuer = readable_unit(&state, &auth.principal, issuer_id).await?;
    if !auth.principal.can_manage(&issuer.path) {
        return Err(AppError::Forbidden.into());
    }
    let Some((name, bytes)) = file else {
        let form = form_with_error(&state, &auth, "Hãy chọn tệp kế hoạch".into()).await?;
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, form).into_response());
    };
    // Parse first: a file the importer cannot read is never held.
    if let Err(e) = import::parse_plan(&bytes, Some(&name)) {
        let form = form_with_error(&state, &auth, e.to_string()).await?;
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, form).into_response());
    }
    let sha = state
        .store
        .put_blob(&bytes, "application/octet-stream")
        .await?;
    let token = random_token();
    state
        .store
        .stage_upload(&token, auth.principal.user_id, issuer.id, &sha, &name)
        .await?;
    Ok(Redirect::to(&format!("/plans/import/{token}")).into_response())
}

pub struct PreviewTask {
    pub heading: Option<String>,
    pub reference: String,
    pub title: String,
    pub lead: String,
    pub support: String,
    pub deadline: String,
    pub deadline_kind: &'static str,
    pub draft: bool,
}

pub struct PreviewTarget {
    pub reference: String,
    pub name: String,
    pub unit: String,
    pub lead: String,
    pub goals: String,
}

pub struct Unresolved {
    pub index: usize,
    pub name: String,
    pub options: Vec<UnitOption>,
}

#[derive(Template, WebTemplate)]
#[template(path = "import_preview.html")]
pub struct ImportPreview {
    layout: Layout,
    token: String,
    file_name: String,
    issuer: String,
    number: String,
    date: String,
    title: String,
    regime: String,
    basis: Vec<String>,
    tasks: Vec<PreviewTask>,
    targets: Vec<PreviewTarget>,
    warnings: Vec<(usize, String)>,
    unresolved: Vec<Unresolved>,
    resolved_count: usize,
    already: Option<i64>,
}

struct Staged {
    upload: StagedUpload,
    issuer: Unit,
    units: Vec<Unit>,
    parsed: ParsedPlan,
    resolution: Resolution,
    digest: String,
}

async fn load_staged(state: &AppState, auth: &Auth, token: &str) -> Result<Staged, AppError> {
    let upload = state
        .store
        .staged_upload(token)
        .await?
        .ok_or(AppError::NotFound)?;
    if upload.user_id != auth.principal.user_id {
        return Err(AppError::NotFound);
    }
    let issuer = readable_unit(state, &auth.principal, upload.issuer_unit_id).await?;
    if !auth.principal.can_manage(&issuer.path) {
        return Err(AppError::Forbidden);
    }
    let (_, bytes) = state
        .store
        .blob(&upload.blob_sha256)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut parsed =
        import::parse_plan(&bytes, Some(&upload.file_name)).map_err(AppError::invalid)?;
    let units = state.store.subtree(&issuer.path).await?;
    let directory: Vec<UnitEntry> = units
        .iter()
        .map(|u| UnitEntry {
            id: u.id,
            name: u.name.clone(),
            aliases: u.aliases.clone(),
        })
        .collect();
    let resolution = resolve_units(&parsed, &directory);
    parsed.unresolved_units = resolution.unresolved();
    Ok(Staged {
        digest: sha256_bytes_hex(&bytes),
        upload,
        issuer,
        units,
        parsed,
        resolution,
    })
}

pub async fn preview_plan(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(token): Path<String>,
) -> Result<ImportPreview, PageError> {
    let s = load_staged(&state, &auth, &token).await?;
    let info = &s.parsed.plan;
    let already = state
        .store
        .plan_by_digest(s.issuer.id, &s.digest)
        .await?
        .map(|p| p.id);
    let mut last_group: Vec<String> = Vec::new();
    let tasks = s
        .parsed
        .tasks
        .iter()
        .map(|t| {
            let heading = (t.group != last_group).then(|| t.group.join(" › "));
            last_group = t.group.clone();
            PreviewTask {
                heading: heading.filter(|h| !h.is_empty()),
                reference: t.reference.clone().unwrap_or_default(),
                title: t.title.clone(),
                lead: t.lead.join("; "),
                support: t.support.join("; "),
                deadline: t.deadline.label_vi(),
                deadline_kind: t.deadline.kind().label_vi(),
                draft: t.draft,
            }
        })
        .collect();
    let targets = s
        .parsed
        .targets
        .iter()
        .map(|t| PreviewTarget {
            reference: t.reference.clone().unwrap_or_default(),
            name: t.name.clone(),
            unit: t.unit.clone().unwrap_or_default(),
            lead: t.lead.join("; "),
            goals: t
                .goals
                .iter()
                .map(|g| {
                    format!(
                        "{}: {}",
                        g.year.map(|y| y.to_string()).unwrap_or_default(),
                        goal_label(g.op, g.value)
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
        })
        .collect();
    let unresolved = s
        .parsed
        .unresolved_units
        .iter()
        .enumerate()
        .map(|(index, name)| Unresolved {
            index,
            name: name.clone(),
            options: unit_options(&s.units, &[]),
        })
        .collect();
    let reporting = &info.reporting;
    Ok(ImportPreview {
        layout: Layout::new("Xem trước kế hoạch", &auth),
        token,
        file_name: s.upload.file_name.clone(),
        issuer: s.issuer.name.clone(),
        number: info.number.clone().unwrap_or_default(),
        date: info.date.map(|d| d.to_string()).unwrap_or_default(),
        title: info.title.clone().unwrap_or_default(),
        regime: format!(
            "{} · đơn vị báo cáo trước ngày {} · tổng hợp trước ngày {}",
            reporting
                .periods
                .iter()
                .map(|p| p.label_vi())
                .collect::<Vec<_>>()
                .join(", "),
            reporting
                .unit_due_day
                .map(|d| d.to_string())
                .unwrap_or_else(|| "—".into()),
            reporting
                .consolidated_due_day
                .map(|d| d.to_string())
                .unwrap_or_else(|| "—".into()),
        ),
        basis: info.basis.iter().map(|b| b.text.clone()).collect(),
        tasks,
        targets,
        warnings: s
            .parsed
            .warnings
            .iter()
            .map(|w| (w.line, w.message.clone()))
            .collect(),
        resolved_count: s
            .resolution
            .mentions
            .iter()
            .filter(|(_, id)| id.is_some())
            .count(),
        unresolved,
        already,
    })
}

pub async fn confirm_plan(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(token): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let mut s = load_staged(&state, &auth, &token).await?;
    let f = FormPairs::parse(&body)?;
    // The person's corrections: header facts and a unit for each name.
    if let Some(title) = f.optional("title") {
        s.parsed.plan.title = Some(title);
    }
    s.parsed.plan.number = f.optional("number").or(s.parsed.plan.number);
    if let Some(date) = f.optional("date") {
        s.parsed.plan.date = Some(parse_date(&date, "Ngày ban hành")?);
    }
    for (index, name) in s.parsed.unresolved_units.clone().iter().enumerate() {
        if let Some(unit_id) = f.id(&format!("map_{index}"), "Đơn vị")? {
            if !s.units.iter().any(|u| u.id == unit_id) {
                return Err(AppError::Invalid(
                    "Đơn vị được chọn không thuộc phạm vi kế hoạch".into(),
                )
                .into());
            }
            for m in s.resolution.mentions.iter_mut().filter(|(n, _)| n == name) {
                m.1 = Some(unit_id);
            }
        }
    }
    let outcome = state
        .store
        .import_plan(
            &s.issuer,
            &s.parsed,
            &s.resolution,
            &s.digest,
            &auth.actor(&ip),
        )
        .await?;
    state.store.drop_staged_upload(&token).await?;
    Ok(Redirect::to(&format!("/plans/{}", outcome.plan.id)).into_response())
}
