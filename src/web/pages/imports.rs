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
use crate::actions::access::issuers_for;
use crate::actions::imports::{self, Corrections};
use crate::import;
use crate::web::AppState;
use crate::web::error::{AppError, PageError};
use crate::web::flash::{Flash, redirect_with};
use crate::web::forms::{FormPairs, answer_form, parse_date};
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
    let file = file
        .as_ref()
        .map(|(name, bytes)| (name.as_str(), bytes.as_ref()));
    let result = imports::stage_upload(&state, &auth.principal, issuer_id, file).await;
    answer_form(
        result,
        |token| Redirect::to(&format!("/plans/import/{token}")).into_response(),
        |e| async move { form_with_error(&state, &auth, e.to_string()).await },
    )
    .await
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
    /// Which of the "6 rõ" it lacks, named.
    pub missing: Vec<&'static str>,
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
    /// How many tasks already have all of the "6 rõ" (they go live).
    six_clear_complete: usize,
    targets: Vec<PreviewTarget>,
    warnings: Vec<(usize, String)>,
    unresolved: Vec<Unresolved>,
    /// Mentions that do not read as a unit's name, offered folded away.
    fragments: Vec<Unresolved>,
    resolved_count: usize,
    already: Option<i64>,
}

pub async fn preview_plan(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(token): Path<String>,
) -> Result<ImportPreview, PageError> {
    let preview = imports::preview(&state, &auth.principal, &token).await?;
    let (s, already) = (preview.staged, preview.already);
    let info = &s.parsed.plan;
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
                missing: imports::six_clear_missing(&s, t)
                    .into_iter()
                    .map(|c| c.label_vi())
                    .collect(),
            }
        })
        .collect::<Vec<PreviewTask>>();
    let six_clear_complete = tasks.iter().filter(|t| t.missing.is_empty()).count();
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
        .collect::<Vec<_>>();
    // Only what reads as a unit's name is asked about first; fragments of
    // sentences the reader cut out stay offered, folded away.
    let (unresolved, fragments): (Vec<Unresolved>, Vec<Unresolved>) = unresolved
        .into_iter()
        .partition(|u| crate::import::looks_like_unit_name(&u.name));
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
        six_clear_complete,
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
        fragments,
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
    let f = FormPairs::parse(&body)?;
    // The person's corrections: header facts and a unit for each name the
    // preview could not match (`map_<its place in the list>`).
    let mut units = Vec::new();
    for (key, _) in &f.0 {
        if let Some(index) = key
            .strip_prefix("map_")
            .and_then(|i| i.parse::<usize>().ok())
            && let Some(unit_id) = f.id(key, "Đơn vị")?
        {
            units.push((index, unit_id));
        }
    }
    let corrections = Corrections {
        title: f.optional("title"),
        number: f.optional("number"),
        date: f
            .optional("date")
            .map(|d| parse_date(&d, "Ngày ban hành"))
            .transpose()?,
        units,
    };
    let plan = imports::confirm(&state, &auth.caller(&ip), &token, corrections).await?;
    let d = crate::actions::plans::plan_details(&state, &auth.principal, plan.id).await?;
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let flash = Flash::PlanImported {
        tasks: count(d.tasks.len()),
        drafts: count(d.tasks.iter().filter(|t| t.draft).count()),
        targets: count(d.targets.len()),
    };
    Ok(redirect_with(
        &format!("/plans/{}", plan.id),
        flash,
        state.config.secure_cookies,
    ))
}
