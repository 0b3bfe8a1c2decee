//! The public pages "Công khai": every commune, and one commune's plans,
//! progress, targets and answered feedback, for any visitor. No personal
//! data is shown; an anonymous visit may be cached for five minutes.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::Layout;
use super::views::{PlanRow, goal_label};
use crate::actions::public;
use crate::domain::status::TargetState;
use crate::web::AppState;
use crate::web::error::PageError;
use crate::web::labels;
use crate::web::session::MaybeAuth;

#[derive(Template, WebTemplate)]
#[template(path = "public_communes.html")]
struct CommunesPage {
    layout: Layout,
    communes: Vec<(i64, String)>,
}

pub struct PublicTarget {
    pub name: String,
    pub goal: String,
    pub value: String,
    pub state: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "public_commune.html")]
struct CommunePage {
    layout: Layout,
    name: String,
    province: String,
    plans: Vec<PlanRow>,
    tasks: String,
    done: String,
    done_share: String,
    overdue: String,
    overdue_share: String,
    year: i32,
    targets: Vec<PublicTarget>,
    answered: String,
    commune_id: i64,
}

/// Anonymous pages may be kept by caches for five minutes; a signed-in
/// person's page names them, so it is not.
fn cached(res: impl IntoResponse, anonymous: bool) -> Response {
    let value = if anonymous {
        "public, max-age=300"
    } else {
        "private, no-store"
    };
    let mut res = res.into_response();
    if let Ok(v) = header::HeaderValue::from_str(value) {
        res.headers_mut().insert(header::CACHE_CONTROL, v);
    }
    res
}

pub async fn communes(
    State(state): State<AppState>,
    MaybeAuth(auth): MaybeAuth,
) -> Result<Response, PageError> {
    let list = public::communes(&state).await?;
    let page = CommunesPage {
        layout: Layout::public(
            "Công khai kết quả thực hiện",
            auth.as_deref(),
            String::new(),
        ),
        communes: list.into_iter().map(|u| (u.id, u.name)).collect(),
    };
    Ok(cached(page, auth.is_none()))
}

pub async fn commune(
    State(state): State<AppState>,
    MaybeAuth(auth): MaybeAuth,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let c = public::commune_page(&state, id).await?;
    let f = &c.figures;
    let done = f.tasks.done_on_time + f.tasks.done_late;
    let targets = c
        .targets
        .iter()
        .map(|(t, st)| PublicTarget {
            name: t.name.clone(),
            goal: t
                .goal_for(c.year)
                .map(|g| goal_label(g.op, g.value))
                .map(|g| match &t.measure_unit {
                    Some(u) if !u.is_empty() => format!("{g} {u}"),
                    _ => g,
                })
                .unwrap_or_default(),
            value: st
                .as_ref()
                .and_then(|(_, v)| *v)
                .map(|v| labels::number(v, 2))
                .unwrap_or_else(|| "—".into()),
            state: st
                .as_ref()
                .and_then(|(s, _)| TargetState::parse(s))
                .map(|s| s.label_vi())
                .unwrap_or("Chưa có số liệu"),
        })
        .collect();
    let page = CommunePage {
        layout: Layout::public(
            format!("Công khai — {}", c.commune.name),
            auth.as_deref(),
            String::new(),
        ),
        name: c.commune.name.clone(),
        province: c.province.map(|p| p.name).unwrap_or_default(),
        plans: c
            .plans
            .iter()
            .map(|(p, pr)| {
                let mut row = PlanRow::from(p);
                if let Some(pr) = pr {
                    row.progress = format!(
                        "{} nhiệm vụ · {} hoàn thành ({}) · {} quá hạn",
                        labels::int(pr.tasks),
                        labels::int(pr.done),
                        labels::share(pr.done, pr.tasks),
                        labels::int(pr.overdue)
                    );
                }
                row
            })
            .collect(),
        tasks: labels::int(f.tasks.total),
        done: labels::int(done),
        done_share: labels::share(done, f.tasks.total),
        overdue: labels::int(f.tasks.overdue),
        overdue_share: labels::share(f.tasks.overdue, f.tasks.total),
        year: c.year,
        targets,
        answered: labels::int(c.answered),
        commune_id: c.commune.id,
    };
    Ok(cached(page, auth.is_none()))
}
