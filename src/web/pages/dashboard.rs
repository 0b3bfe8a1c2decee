//! Dashboards: a level's figures (commune, province, nation) from its
//! rollups, with SVG charts drawn here on the server, the "as of" time, the
//! ranking of the levels below it, and a link behind every figure to the
//! tasks it counts.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

use super::Layout;
use crate::actions::dashboard::{self, Ranked};
use crate::domain::score::FORMULA_VI;
use crate::web::AppState;
use crate::web::error::PageError;
use crate::web::session::PageAuth;

/// One bar of a horizontal bar chart, in viewBox units (0–100 wide).
pub struct Bar {
    pub label: String,
    pub value: i64,
    pub width: u32,
    pub y: u32,
    pub class: &'static str,
    pub link: String,
}

pub struct Chart {
    pub title: String,
    pub height: u32,
    pub bars: Vec<Bar>,
}

fn chart(title: &str, items: Vec<(String, i64, &'static str, String)>) -> Chart {
    let max = items.iter().map(|i| i.1).max().unwrap_or(0).max(1);
    let bars: Vec<Bar> = items
        .into_iter()
        .enumerate()
        .map(|(i, (label, value, class, link))| Bar {
            width: u32::try_from(value.max(0) * 60 / max).unwrap_or(0),
            y: u32::try_from(i).unwrap_or(0) * 10,
            label,
            value,
            class,
            link,
        })
        .collect();
    Chart {
        title: title.to_string(),
        height: u32::try_from(bars.len()).unwrap_or(0) * 10,
        bars,
    }
}

pub struct RankRow {
    pub rank: u32,
    pub unit_id: i64,
    pub name: String,
    pub score: String,
    pub parts: String,
    pub overdue: i64,
    pub width: u32,
}

/// A rank row as the page shows it: the score and its parts in words.
fn rank_row(r: Ranked) -> RankRow {
    let f = &r.figures;
    let parts = f
        .score
        .parts
        .iter()
        .map(|p| format!("{}: {:.1}", p.label_vi, p.points))
        .collect::<Vec<_>>()
        .join(" · ");
    RankRow {
        rank: r.rank,
        unit_id: r.unit_id,
        name: r.name,
        score: format!("{:.1}", f.score.total),
        parts,
        overdue: f.tasks.overdue,
        width: (f.score.total.clamp(0.0, 100.0) * 0.6) as u32,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "dashboard.html")]
pub struct DashboardPage {
    layout: Layout,
    unit_id: i64,
    name: String,
    parent: Option<(i64, String)>,
    as_of: String,
    overdue: i64,
    due_soon: i64,
    done_on_time: i64,
    done_late: i64,
    total: i64,
    charts: Vec<Chart>,
    reports: Vec<(String, i64, i64, i64, i64)>,
    score: String,
    score_parts: Vec<(String, String, String)>,
    ranking: Vec<RankRow>,
    child_level: &'static str,
    formula: &'static str,
    /// Targets whose trend misses their goal: id, name, the warning.
    off_track: Vec<(i64, String, String)>,
}

pub fn as_of_text(ms: Option<i64>) -> String {
    match ms.and_then(chrono::DateTime::from_timestamp_millis) {
        Some(t) => (t + chrono::Duration::hours(7))
            .format("%H:%M:%S ngày %d/%m/%Y")
            .to_string(),
        None => "chưa có số liệu".into(),
    }
}

pub async fn my_dashboard(PageAuth(auth): PageAuth) -> Response {
    let level_id = auth
        .principal
        .read_path
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .and_then(|s| s.parse::<i64>().ok())
        .unwrap_or(auth.principal.unit_id);
    Redirect::to(&format!("/dashboard/{level_id}")).into_response()
}

pub async fn show_dashboard(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(unit_id): Path<i64>,
) -> Result<DashboardPage, PageError> {
    let l = dashboard::dashboard(&state, &auth.principal, unit_id).await?;
    let parent = l.parent.as_ref().map(|p| (p.id, p.name.clone()));
    let child_level = match l.unit.kind {
        crate::domain::unit::UnitKind::Nation => "Tỉnh, thành phố",
        crate::domain::unit::UnitKind::Province => "Xã, phường",
        _ => "",
    };
    let f = &l.figures;
    let tasks_link = |state: &str| format!("/tasks?within={unit_id}&state={state}");
    let tasks_chart = chart(
        "Nhiệm vụ theo tình trạng",
        vec![
            (
                "Quá hạn".into(),
                f.tasks.overdue,
                "bad",
                tasks_link("overdue"),
            ),
            (
                "Sắp đến hạn (7 ngày làm việc)".into(),
                f.tasks.due_soon,
                "warn",
                tasks_link("due_soon"),
            ),
            (
                "Chưa đến hạn / thường xuyên".into(),
                f.tasks.open_later,
                "neutral",
                format!("/tasks?within={unit_id}"),
            ),
            (
                "Hoàn thành đúng hạn".into(),
                f.tasks.done_on_time,
                "good",
                tasks_link("done_on_time"),
            ),
            (
                "Hoàn thành trễ hạn".into(),
                f.tasks.done_late,
                "late",
                tasks_link("done_late"),
            ),
        ],
    );
    let targets_chart = chart(
        &format!("Chỉ tiêu năm {}", f.targets.year),
        vec![
            ("Đạt".into(), f.targets.met, "good", String::new()),
            ("Chưa đạt".into(), f.targets.not_met, "bad", String::new()),
            (
                "Chưa có số liệu".into(),
                f.targets.no_data,
                "neutral",
                String::new(),
            ),
        ],
    );
    Ok(DashboardPage {
        layout: Layout::new(format!("Bảng điều hành — {}", l.unit.name), &auth),
        unit_id,
        name: l.unit.name.clone(),
        parent,
        as_of: as_of_text(f.as_of),
        overdue: f.tasks.overdue,
        due_soon: f.tasks.due_soon,
        done_on_time: f.tasks.done_on_time,
        done_late: f.tasks.done_late,
        total: f.tasks.total,
        charts: vec![tasks_chart, targets_chart],
        reports: f
            .reports
            .iter()
            .map(|r| (r.month.clone(), r.expected, r.on_time, r.late, r.missing))
            .collect(),
        score: format!("{:.1}", f.score.total),
        score_parts: f
            .score
            .parts
            .iter()
            .map(|p| {
                (
                    p.label_vi.to_string(),
                    format!("{:.1}/{:.1}", p.points, p.weight),
                    p.explain_vi.clone(),
                )
            })
            .collect(),
        off_track: l
            .off_track
            .iter()
            .map(|t| (t.target_id, t.name.clone(), t.warning.clone()))
            .collect(),
        ranking: l.ranking.into_iter().map(rank_row).collect(),
        child_level,
        formula: FORMULA_VI,
    })
}
