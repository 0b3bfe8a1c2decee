//! Initiatives: the list and registration for staff, one initiative with
//! its council, scores and decision, and the public list of recognised
//! initiatives. The rules are in `actions::initiatives`; these handlers
//! read forms and render.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::Layout;
use super::public_feedback::commune_choices;
use super::tasks::{HistoryRow, history_rows};
use super::views::{Choice, day};
use crate::actions::initiatives::{self, DecisionInput, NewInitiative, ScoreInput};
use crate::domain::attachment::AttachedTo;
use crate::domain::initiative::{CRITERIA, Initiative, InitiativeDraft, RECOMMEND_AT};
use crate::domain::unit::Unit;
use crate::store::Page;
use crate::web::AppState;
use crate::web::error::{AppError, PageError};
use crate::web::forms::{FormPairs, answer_form, read_multipart};
use crate::web::session::{Auth, ClientIp, MaybeAuth, PageAuth, form_csrf, with_cookie};

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
            (Some(n), Some(d)) => format!("Quyết định số {n} ngày {}", day(d)),
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

pub async fn list_initiatives(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    Query(q): Query<ListQuery>,
) -> Result<InitiativesPage, PageError> {
    let p = &auth.principal;
    let list = initiatives::list(&state, p, None, q.q, q.page).await?;
    let (year, recognised) = initiatives::recognised_this_year(&state, p).await?;
    Ok(InitiativesPage {
        layout: Layout::new("Sáng kiến", &auth),
        rows: list.items.iter().map(initiative_row).collect(),
        total: list.total,
        year,
        recognised,
        can_register: !initiatives::registrable_units(&state, p).await?.is_empty(),
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
        max_files: AttachedTo::Initiative.max_files(),
        error,
    }
}

/// Units the user may register for; a page for someone with none is
/// refused (403).
async fn registrable(state: &AppState, auth: &Auth) -> Result<Vec<Unit>, AppError> {
    let units = initiatives::registrable_units(state, &auth.principal).await?;
    if units.is_empty() {
        return Err(AppError::Forbidden);
    }
    Ok(units)
}

pub async fn new_initiative(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
) -> Result<InitiativeForm, PageError> {
    let units = registrable(&state, &auth).await?;
    Ok(form_of(&auth, &units, None, None))
}

fn new_initiative_of(f: &FormPairs) -> Result<InitiativeDraft, AppError> {
    let unit_id = f
        .id("unit_id", "Đơn vị")?
        .ok_or_else(|| AppError::Invalid("Hãy chọn đơn vị có sáng kiến".into()))?;
    Ok(InitiativeDraft {
        unit_id,
        title: f.text("title"),
        authors: f.lines("authors"),
        problem: f.raw("problem"),
        solution: f.raw("solution"),
        benefit: f.raw("benefit"),
    })
}

pub async fn create_initiative(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let units = registrable(&state, &auth).await?;
    let (f, files) = read_multipart(multipart, "file", AttachedTo::Initiative).await?;
    let result = match new_initiative_of(&f) {
        Ok(draft) => {
            let input = NewInitiative {
                draft,
                files: Ok(files),
            };
            initiatives::create(&state, &auth.caller(&ip), input).await
        }
        Err(e) => Err(e),
    };
    answer_form(
        result,
        |i| Redirect::to(&format!("/initiatives/{}", i.id)).into_response(),
        |e| {
            let page = form_of(&auth, &units, Some(&f), Some(e.to_string()));
            std::future::ready(Ok::<_, AppError>(page))
        },
    )
    .await
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

/// The initiative's page, with `error` above it when a change was refused.
async fn page_of(
    state: &AppState,
    auth: &Auth,
    id: i64,
    error: Option<String>,
) -> Result<InitiativePage, AppError> {
    let d = initiatives::detail(state, &auth.principal, id).await?;
    let i = &d.view.initiative;
    let reviews = &d.view.reviews;
    let mine = reviews
        .iter()
        .find(|r| r.reviewer_id == auth.principal.user_id);
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
        files: d
            .files
            .iter()
            .map(|f| (f.id, f.file_name.clone()))
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
        average: d.view.average().map(|a| a.to_string()).unwrap_or_default(),
        recommend_at: RECOMMEND_AT,
        can_name: d.can_name,
        candidates: d
            .candidates
            .iter()
            .map(|u| Choice {
                selected: reviews.iter().any(|r| r.reviewer_id == u.id),
                value: u.id.to_string(),
                label: format!("{} ({})", u.full_name, u.unit_name),
            })
            .collect(),
        can_score: d.can_score,
        can_decide: d.can_decide,
        can_add_file: d.can_add_file,
        history: history_rows(&d.history),
        error,
    })
}

pub async fn show_initiative(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<i64>,
) -> Result<InitiativePage, PageError> {
    Ok(page_of(&state, &auth, id, None).await?)
}

/// Answers a change to an initiative: back to its page, or the page again
/// with the message when the person can put it right.
async fn answer_change<T>(
    state: &AppState,
    auth: &Auth,
    id: i64,
    result: Result<T, AppError>,
) -> Result<Response, PageError> {
    answer_form(
        result,
        |_| Redirect::to(&format!("/initiatives/{id}")).into_response(),
        |e| page_of(state, auth, id, Some(e.to_string())),
    )
    .await
}

pub async fn name_reviewers(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let ids = FormPairs::parse(&body).and_then(|f| f.ids("reviewer", "Thành viên hội đồng"));
    let result = initiatives::name_reviewers(&state, &auth.caller(&ip), id, ids).await;
    answer_change(&state, &auth, id, result).await
}

fn scores_of(body: &[u8]) -> Result<ScoreInput, AppError> {
    let f = FormPairs::parse(body)?;
    let mut points = [0i64; 4];
    for (n, c) in CRITERIA.iter().enumerate() {
        points[n] = f.text(c.key).parse::<i64>().map_err(|_| {
            AppError::Invalid(format!("Điểm “{}” phải là số từ 0 đến {}", c.label, c.max))
        })?;
    }
    Ok(ScoreInput {
        points,
        comment: f.optional("comment"),
    })
}

pub async fn score_initiative(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let result = initiatives::score(&state, &auth.caller(&ip), id, scores_of(&body)).await;
    answer_change(&state, &auth, id, result).await
}

fn decision_of(body: &[u8]) -> Result<DecisionInput, AppError> {
    let f = FormPairs::parse(body)?;
    let recognised = match f.text("decision").as_str() {
        "recognised" => true,
        "not_recognised" => false,
        _ => {
            return Err(AppError::Invalid(
                "Hãy chọn công nhận hoặc không công nhận".into(),
            ));
        }
    };
    Ok(DecisionInput {
        recognised,
        number: f.optional("number"),
        date: f.date("date", "Ngày quyết định")?,
        note: f.optional("note"),
        version: f.version()?,
    })
}

pub async fn decide_initiative(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let result = initiatives::decide(&state, &auth.caller(&ip), id, decision_of(&body)).await;
    answer_change(&state, &auth, id, result).await
}

pub async fn add_file(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let files = read_multipart(multipart, "file", AttachedTo::Initiative)
        .await
        .map(|(_, files)| files);
    initiatives::add_files(&state, &auth.caller(&ip), id, files).await?;
    Ok(Redirect::to(&format!("/initiatives/{id}")).into_response())
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
    let list = initiatives::recognised(&state, commune, Page::new(q.trang, Some(50))).await?;
    let page = PublicInitiativesPage {
        layout: Layout::public("Sáng kiến được công nhận", auth.as_deref(), csrf),
        communes: commune_choices(&state, commune).await?,
        rows: list.items.iter().map(initiative_row).collect(),
        total: list.total,
    };
    Ok(with_cookie(page.into_response(), set_cookie))
}
