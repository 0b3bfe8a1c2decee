//! Dashboards: a level's figures (commune, province, nation) from its
//! rollups, with SVG charts drawn here on the server, the "as of" time, the
//! ranking of the levels below it, and a link behind every figure to the
//! tasks it counts.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

use super::Layout;
use super::charts::{BarChart, BarInput, LineChart, Series, bar_chart, line_chart};
use crate::actions::dashboard::{self, Ranked};
use crate::domain::score::FORMULA_VI;
use crate::web::AppState;
use crate::web::error::PageError;
use crate::web::labels;
use crate::web::session::PageAuth;

pub struct RankRow {
    pub rank: u32,
    pub unit_id: i64,
    pub name: String,
    pub score: String,
    /// Each part of the score: its points out of its weight.
    pub parts: Vec<(&'static str, String)>,
    pub overdue: String,
    /// The completion rate and, beside it, the update rate.
    pub completion: String,
    pub updated: String,
    pub width: u32,
}

/// A rate in percent as the pages write it, or a dash with nothing counted.
fn rate(r: Option<f64>) -> String {
    r.map_or_else(|| "—".into(), |r| format!("{}%", labels::number(r, 1)))
}

/// "20,5/40": a part's points out of its weight.
fn points_of(points: f64, weight: f64) -> String {
    format!(
        "{}/{}",
        labels::number(points, 1),
        labels::number(weight, 1)
    )
}

/// A rank row as the page shows it: the score and its parts in words.
fn rank_row(r: Ranked) -> RankRow {
    let f = &r.standing;
    let parts = f
        .score
        .parts
        .iter()
        .map(|p| (p.label_vi, points_of(p.points, p.weight)))
        .collect();
    RankRow {
        rank: r.rank,
        unit_id: r.unit_id,
        name: r.name,
        score: labels::number(f.score.total, 1),
        parts,
        overdue: labels::int(f.overdue),
        completion: rate(f.completion_rate),
        updated: rate(f.update_rate),
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
    overdue: String,
    due_soon: String,
    done_on_time: String,
    done_late: String,
    total: String,
    completion_rate: String,
    update_rate: String,
    not_updated: String,
    charts: Vec<BarChart>,
    /// Reports on time, then tasks done, over the last twelve months.
    trends: Vec<LineChart>,
    reports: Vec<[String; 5]>,
    score: String,
    score_parts: Vec<(String, String, String)>,
    ranking: Vec<RankRow>,
    /// The names of the score's parts, the ranking's columns.
    part_names: Vec<&'static str>,
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
    let charts = vec![tasks_chart(unit_id, f), targets_chart(f)];
    Ok(DashboardPage {
        layout: Layout::new(format!("Bảng điều hành — {}", l.unit.name), &auth),
        unit_id,
        name: l.unit.name.clone(),
        parent,
        as_of: as_of_text(f.as_of),
        overdue: labels::int(f.tasks.overdue),
        due_soon: labels::int(f.tasks.due_soon),
        done_on_time: labels::int(f.tasks.done_on_time),
        done_late: labels::int(f.tasks.done_late),
        total: labels::int(f.tasks.total),
        completion_rate: rate(f.tasks.completion_rate),
        update_rate: rate(f.tasks.update_rate),
        not_updated: labels::int(f.tasks.not_updated),
        charts,
        trends: vec![trend_chart(f), done_chart(&l.done_trend, f.tasks.total)],
        reports: f
            .reports
            .iter()
            .map(|r| {
                [
                    labels::period_key(&r.month),
                    labels::int(r.expected),
                    labels::int(r.on_time),
                    labels::int(r.late),
                    labels::int(r.missing),
                ]
            })
            .collect(),
        part_names: f.score.parts.iter().map(|p| p.label_vi).collect(),
        score: labels::number(f.score.total, 1),
        score_parts: f
            .score
            .parts
            .iter()
            .map(|p| {
                (
                    p.label_vi.to_string(),
                    points_of(p.points, p.weight),
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

fn tasks_chart(unit_id: i64, f: &crate::domain::figures::Figures) -> BarChart {
    let link = |state: &str| format!("/tasks?within={unit_id}&state={state}");
    bar_chart(
        "Nhiệm vụ theo tình trạng",
        vec![
            BarInput::new("Quá hạn", f.tasks.overdue, "bad", link("overdue")),
            BarInput::new(
                "Sắp đến hạn (7 ngày làm việc)",
                f.tasks.due_soon,
                "warn",
                link("due_soon"),
            ),
            BarInput::new(
                "Chưa đến hạn, thường xuyên",
                f.tasks.open_later,
                "neutral",
                format!("/tasks?within={unit_id}"),
            ),
            BarInput::new(
                "Hoàn thành đúng hạn",
                f.tasks.done_on_time,
                "good",
                link("done_on_time"),
            ),
            BarInput::new(
                "Hoàn thành trễ hạn",
                f.tasks.done_late,
                "late",
                link("done_late"),
            ),
        ],
    )
}

fn targets_chart(f: &crate::domain::figures::Figures) -> BarChart {
    bar_chart(
        &format!("Chỉ tiêu năm {}", f.targets.year),
        vec![
            BarInput::new("Đạt", f.targets.met, "good", String::new()),
            BarInput::new("Chưa đạt", f.targets.not_met, "bad", String::new()),
            BarInput::new(
                "Chưa có số liệu",
                f.targets.no_data,
                "neutral",
                String::new(),
            ),
        ],
    )
}

/// Reports received on time, and at all, month by month over the year.
fn trend_chart(f: &crate::domain::figures::Figures) -> LineChart {
    let periods: Vec<(String, String)> = f
        .trend
        .iter()
        .map(|r| (short_month(&r.month), labels::period_key(&r.month)))
        .collect();
    let share = |part: i64, whole: i64| (whole > 0).then(|| part as f64 / whole as f64);
    line_chart(
        "Báo cáo của đơn vị 12 tháng qua",
        &periods,
        vec![
            Series {
                class: "good",
                label: "Đúng hạn".into(),
                values: f
                    .trend
                    .iter()
                    .map(|r| share(r.on_time, r.expected))
                    .collect(),
            },
            Series {
                class: "info",
                label: "Đã nộp".into(),
                values: f
                    .trend
                    .iter()
                    .map(|r| share(r.on_time + r.late, r.expected))
                    .collect(),
            },
        ],
    )
}

/// Tasks done so far, as a share of the tasks followed, month by month;
/// its table gives the month's completions and the total so far.
fn done_chart(trend: &[crate::domain::figures::DoneMonth], total: i64) -> LineChart {
    let periods: Vec<(String, String)> = trend
        .iter()
        .map(|m| (short_month(&m.month), labels::period_key(&m.month)))
        .collect();
    let mut chart = line_chart(
        "Nhiệm vụ hoàn thành 12 tháng qua",
        &periods,
        vec![Series {
            class: "good",
            label: "Đã hoàn thành (lũy kế, trên tổng số nhiệm vụ)".into(),
            values: trend
                .iter()
                .map(|m| (total > 0).then(|| (m.done_so_far as f64 / total as f64).min(1.0)))
                .collect(),
        }],
    );
    chart.columns = vec![
        "Kỳ".into(),
        "Hoàn thành trong tháng".into(),
        "Lũy kế".into(),
        "Tỷ lệ lũy kế".into(),
    ];
    for (row, m) in chart.rows.iter_mut().zip(trend) {
        let share = row.pop().unwrap_or_default();
        row.extend([labels::int(m.done), labels::int(m.done_so_far), share]);
    }
    chart
}

/// "3/2026" for the axis, from `2026-03`.
fn short_month(key: &str) -> String {
    match key.split_once('-') {
        Some((y, m)) => format!("{}/{}", m.trim_start_matches('0'), y),
        None => key.to_string(),
    }
}
