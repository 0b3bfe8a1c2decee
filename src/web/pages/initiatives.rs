//! Initiatives: the list and registration for staff, one initiative with
//! its council, scores and decision, and the public list of recognised
//! initiatives.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use serde::Deserialize;

use super::Layout;
use super::public_feedback::{Choice, commune_choices};
use super::tasks::{HistoryRow, history_rows};
use crate::actions::access::{readable_initiative, scorable_initiative};
use crate::domain::access::Principal;
use crate::domain::initiative::{
    CRITERIA, Decision, InitiativeDraft, InitiativeStatus, RECOMMEND_AT, Scores, average_total,
};
use crate::domain::unit::Unit;
use crate::store::{Initiative, InitiativeFilter, Page, Review};
use crate::web::AppState;
use crate::web::error::{AppError, PageError};
use crate::web::forms::{FormPairs, read_multipart};
use crate::web::session::{Auth, ClientIp, MaybeAuth, PageAuth, form_csrf, with_cookie};

pub const MAX_FILES: usize = 5;
pub const MAX_FILE_BYTES: usize = crate::domain::evidence::MAX_EVIDENCE_BYTES;
pub const UPLOAD_LIMIT: usize = MAX_FILES * MAX_FILE_BYTES + 256 * 1024;

pub struct InitiativeRow {
    pub id: i64,
    pub title: String,
    pub authors: String,
    pub unit: String,
    pub commune: String,
    pub status: &'static str,
    pub decision: String,
    pub benefit: String,
}

pub fn initiative_row(i: &Initiative) -> InitiativeRow {
    InitiativeRow {
        id: i.id,
        title: i.title.clone(),
        authors: i.authors.join(", "),
        unit: i.unit_name.clone(),
        commune: i.commune_name.clone(),
        status: i.status.label_vi(),
        decision: match (&i.decision_number, i.decision_date) {
            (Some(n), Some(d)) => format!("Quyết định số {n} ngày {}", d.format("%d/%m/%Y")),
            _ => String::new(),
        },
        benefit: i.benefit.clone(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "initiatives.html")]
pub struct InitiativesPage {
    layout: Layout,
    rows: Vec<InitiativeRow>,
    total: i64,
    year: i32,
    recognised: i64,
    can_register: bool,
}

#[derive(Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    page: Option<u32>,
}

/// Units the user may register an initiative for: inside a commune and
/// within their own unit.
async fn registrable_units(state: &AppState, p: &Principal) -> Result<Vec<Unit>, AppError> {
    Ok(state
        .store
        .subtree(&p.unit_path)
        .await?
        .into_iter()
        .filter(|u| u.commune_id.is_some() && p.can_register_initiative(&u.path))
        .collect())
}

pub async fn list_initiatives(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    Query(q): Query<ListQuery>,
) -> Result<InitiativesPage, PageError> {
    let p = &auth.principal;
    let list = state
        .store
        .initiatives(
            &InitiativeFilter {
                within_path: Some(p.read_path.clone()),
                query: q.q,
                ..InitiativeFilter::default()
            },
            Page::new(q.page, Some(100)),
        )
        .await?;
    let year = state.store.clock().today().year();
    Ok(InitiativesPage {
        layout: Layout::new("Sáng kiến", &auth),
        rows: list.items.iter().map(initiative_row).collect(),
        total: list.total,
        year,
        recognised: state.store.recognised_count(&p.read_path, year).await?,
        can_register: !registrable_units(&state, p).await?.is_empty(),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "initiative_form.html")]
pub struct InitiativeForm {
    layout: Layout,
    units: Vec<Choice>,
    title: String,
    authors: String,
    problem: String,
    solution: String,
    benefit: String,
    max_files: usize,
    error: Option<String>,
}

fn form_of(
    auth: &Auth,
    units: &[Unit],
    f: Option<&FormPairs>,
    error: Option<String>,
) -> InitiativeForm {
    let text = |name: &str| f.map(|f| f.raw(name)).unwrap_or_default();
    let selected = f.and_then(|f| f.text("unit_id").parse::<i64>().ok());
    InitiativeForm {
        layout: Layout::new("Đăng ký sáng kiến", auth),
        units: units
            .iter()
            .map(|u| Choice {
                value: u.id.to_string(),
                label: u.name.clone(),
                selected: Some(u.id) == selected,
            })
            .collect(),
        title: text("title"),
        authors: text("authors"),
        problem: text("problem"),
        solution: text("solution"),
        benefit: text("benefit"),
        max_files: MAX_FILES,
        error,
    }
}

pub async fn new_initiative(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
) -> Result<InitiativeForm, PageError> {
    let units = registrable_units(&state, &auth.principal).await?;
    if units.is_empty() {
        return Err(AppError::Forbidden.into());
    }
    Ok(form_of(&auth, &units, None, None))
}

pub async fn create_initiative(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let units = registrable_units(&state, &auth.principal).await?;
    if units.is_empty() {
        return Err(AppError::Forbidden.into());
    }
    let (f, files) = read_multipart(multipart, "file", MAX_FILES, MAX_FILE_BYTES).await?;
    let result = async {
        let unit_id = f
            .id("unit_id", "Đơn vị")?
            .ok_or_else(|| AppError::Invalid("Hãy chọn đơn vị có sáng kiến".into()))?;
        let unit = units
            .iter()
            .find(|u| u.id == unit_id)
            .ok_or(AppError::Forbidden)?;
        let draft = InitiativeDraft {
            unit_id,
            title: f.text("title"),
            authors: f.lines("authors"),
            problem: f.raw("problem"),
            solution: f.raw("solution"),
            benefit: f.raw("benefit"),
        }
        .validate()
        .map_err(AppError::invalid)?;
        Ok(state
            .store
            .create_initiative(draft, unit, files, &auth.actor(&ip))
            .await?)
    }
    .await;
    match result {
        Ok(i) => Ok(Redirect::to(&format!("/initiatives/{}", i.id)).into_response()),
        Err(e @ AppError::Invalid(_)) => {
            let page = form_of(&auth, &units, Some(&f), Some(e.to_string()));
            Ok((e.status(), page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub struct ReviewRow {
    pub name: String,
    pub points: Vec<String>,
    pub total: String,
    pub comment: String,
}

pub struct CriterionRow {
    pub key: &'static str,
    pub label: &'static str,
    pub description: &'static str,
    pub max: i64,
    pub value: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "initiative.html")]
pub struct InitiativePage {
    layout: Layout,
    id: i64,
    version: i64,
    title: String,
    authors: String,
    unit: String,
    commune: String,
    status: &'static str,
    problem: String,
    solution: String,
    benefit: String,
    decision: String,
    decision_note: String,
    files: Vec<(i64, String)>,
    criteria: Vec<CriterionRow>,
    reviews: Vec<ReviewRow>,
    average: String,
    recommend_at: f64,
    can_name: bool,
    candidates: Vec<Choice>,
    can_score: bool,
    can_decide: bool,
    can_add_file: bool,
    history: Vec<HistoryRow>,
    error: Option<String>,
}

async fn page_of(
    state: &AppState,
    auth: &Auth,
    i: &Initiative,
    error: Option<String>,
) -> Result<InitiativePage, AppError> {
    let p = &auth.principal;
    let reviews: Vec<Review> = state.store.reviews_of(i.id).await?;
    let mine = reviews.iter().find(|r| r.reviewer_id == p.user_id);
    let scored: Vec<Scores> = reviews.iter().filter_map(|r| r.scores).collect();
    let open = !i.status.is_decided();
    let can_name = open && p.can_manage(&i.commune_path);
    let candidates = if can_name {
        state
            .store
            .users(&i.commune_path, Page::all())
            .await?
            .items
            .into_iter()
            .map(|u| Choice {
                selected: reviews.iter().any(|r| r.reviewer_id == u.id),
                value: u.id.to_string(),
                label: format!("{} ({})", u.full_name, u.unit_name),
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(InitiativePage {
        layout: Layout::new(i.title.clone(), auth),
        id: i.id,
        version: i.version,
        title: i.title.clone(),
        authors: i.authors.join(", "),
        unit: i.unit_name.clone(),
        commune: i.commune_name.clone(),
        status: i.status.label_vi(),
        problem: i.problem.clone(),
        solution: i.solution.clone(),
        benefit: i.benefit.clone(),
        decision: initiative_row(i).decision,
        decision_note: i.decision_note.clone().unwrap_or_default(),
        files: state
            .store
            .initiative_files(i.id)
            .await?
            .into_iter()
            .map(|f| (f.id, f.file_name))
            .collect(),
        criteria: CRITERIA
            .iter()
            .enumerate()
            .map(|(n, c)| CriterionRow {
                key: c.key,
                label: c.label,
                description: c.description,
                max: c.max,
                value: mine
                    .and_then(|r| r.scores)
                    .map(|s| s.0[n].to_string())
                    .unwrap_or_default(),
            })
            .collect(),
        reviews: reviews
            .iter()
            .map(|r| ReviewRow {
                name: r.reviewer_name.clone(),
                points: match r.scores {
                    Some(s) => s.0.iter().map(|x| x.to_string()).collect(),
                    None => vec!["—".into(); CRITERIA.len()],
                },
                total: r
                    .scores
                    .map(|s| s.total().to_string())
                    .unwrap_or_else(|| "chưa chấm".into()),
                comment: r.comment.clone().unwrap_or_default(),
            })
            .collect(),
        average: average_total(&scored)
            .map(|a| a.to_string())
            .unwrap_or_default(),
        recommend_at: RECOMMEND_AT,
        can_name,
        candidates,
        can_score: open && mine.is_some(),
        can_decide: open && p.can_decide_initiative(&i.commune_path),
        can_add_file: open
            && (p.can_register_initiative(&i.unit_path) || p.can_manage(&i.commune_path)),
        history: history_rows(&state.store.audit_of("initiative", i.id).await?),
        error,
    })
}

pub async fn show_initiative(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<i64>,
) -> Result<InitiativePage, PageError> {
    let i = readable_initiative(&state, &auth.principal, id).await?;
    Ok(page_of(&state, &auth, &i, None).await?)
}

async fn after_change(
    state: &AppState,
    auth: &Auth,
    id: i64,
    result: Result<(), AppError>,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/initiatives/{id}")).into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            let i = readable_initiative(state, &auth.principal, id).await?;
            let page = page_of(state, auth, &i, Some(e.to_string())).await?;
            Ok((e.status(), page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn name_reviewers(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let i = readable_initiative(&state, &auth.principal, id).await?;
    if !auth.principal.can_manage(&i.commune_path) {
        return Err(AppError::Forbidden.into());
    }
    let f = FormPairs::parse(&body)?;
    let result = async {
        let ids = f.ids("reviewer", "Thành viên hội đồng")?;
        if ids.is_empty() {
            return Err(AppError::Invalid(
                "Hãy chọn ít nhất một thành viên hội đồng".into(),
            ));
        }
        state
            .store
            .name_reviewers(id, &ids, &auth.actor(&ip))
            .await?;
        Ok(())
    }
    .await;
    after_change(&state, &auth, id, result).await
}

pub async fn score_initiative(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    scorable_initiative(&state, &auth.principal, id).await?;
    let f = FormPairs::parse(&body)?;
    let result = async {
        let mut points = [0i64; 4];
        for (n, c) in CRITERIA.iter().enumerate() {
            points[n] = f.text(c.key).parse::<i64>().map_err(|_| {
                AppError::Invalid(format!("Điểm “{}” phải là số từ 0 đến {}", c.label, c.max))
            })?;
        }
        let scores = Scores::validate(points).map_err(AppError::invalid)?;
        state
            .store
            .score_initiative(
                id,
                auth.principal.user_id,
                scores,
                f.optional("comment"),
                &auth.actor(&ip),
            )
            .await?;
        Ok(())
    }
    .await;
    after_change(&state, &auth, id, result).await
}

pub async fn decide_initiative(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let i = readable_initiative(&state, &auth.principal, id).await?;
    if !auth.principal.can_decide_initiative(&i.commune_path) {
        return Err(AppError::Forbidden.into());
    }
    let f = FormPairs::parse(&body)?;
    let result = async {
        let recognised = match f.text("decision").as_str() {
            "recognised" => true,
            "not_recognised" => false,
            _ => {
                return Err(AppError::Invalid(
                    "Hãy chọn công nhận hoặc không công nhận".into(),
                ));
            }
        };
        let scored = state
            .store
            .reviews_of(id)
            .await?
            .iter()
            .filter(|r| r.scores.is_some())
            .count();
        let decision = Decision::validate(
            recognised,
            f.optional("number"),
            f.date("date", "Ngày quyết định")?,
            f.optional("note"),
            i.status,
            scored,
        )
        .map_err(AppError::invalid)?;
        state
            .store
            .decide_initiative(id, decision, f.version()?, &auth.actor(&ip))
            .await?;
        Ok(())
    }
    .await;
    after_change(&state, &auth, id, result).await
}

pub async fn add_file(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let i = readable_initiative(&state, &auth.principal, id).await?;
    let p = &auth.principal;
    if !(p.can_register_initiative(&i.unit_path) || p.can_manage(&i.commune_path)) {
        return Err(AppError::Forbidden.into());
    }
    let (_, files) = read_multipart(multipart, "file", MAX_FILES, MAX_FILE_BYTES).await?;
    if files.is_empty() {
        return Err(AppError::Invalid("Hãy chọn tệp".into()).into());
    }
    for file in files {
        state
            .store
            .add_initiative_file(id, file, &auth.actor(&ip))
            .await?;
    }
    Ok(Redirect::to(&format!("/initiatives/{id}")).into_response())
}

pub async fn download_file(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let file = state
        .store
        .initiative_file(id)
        .await?
        .ok_or(AppError::NotFound)?;
    readable_initiative(&state, &auth.principal, file.initiative_id).await?;
    let (content_type, bytes) = state
        .store
        .blob(&file.blob_sha256)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(super::attachments::attachment(
        &content_type,
        &file.file_name,
        bytes,
    ))
}

#[derive(Template, WebTemplate)]
#[template(path = "initiatives_public.html")]
pub struct PublicInitiativesPage {
    layout: Layout,
    communes: Vec<Choice>,
    rows: Vec<InitiativeRow>,
    total: i64,
}

#[derive(Deserialize)]
pub struct PublicQuery {
    xa: Option<String>,
    trang: Option<u32>,
}

/// Recognised initiatives, for everyone.
pub async fn public_initiatives(
    State(state): State<AppState>,
    MaybeAuth(auth): MaybeAuth,
    headers: HeaderMap,
    Query(q): Query<PublicQuery>,
) -> Result<Response, PageError> {
    let (csrf, set_cookie) = form_csrf(state.config.secure_cookies, auth.as_deref(), &headers);
    let commune = q.xa.as_deref().and_then(|x| x.parse::<i64>().ok());
    let list = state
        .store
        .initiatives(
            &InitiativeFilter {
                status: Some(InitiativeStatus::Recognised),
                commune_id: commune,
                ..InitiativeFilter::default()
            },
            Page::new(q.trang, Some(50)),
        )
        .await?;
    let page = PublicInitiativesPage {
        layout: Layout::public("Sáng kiến được công nhận", auth.as_deref(), csrf),
        communes: commune_choices(&state, commune).await?,
        rows: list.items.iter().map(initiative_row).collect(),
        total: list.total,
    };
    Ok(with_cookie(page.into_response(), set_cookie))
}
