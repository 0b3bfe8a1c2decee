//! The working-day calendar, kept by administrators: public holidays,
//! swapped days and make-up Saturdays, which every "working days" count
//! (deadlines due soon, escalations) follows.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};

use super::Layout;
use crate::domain::access::Role;
use crate::domain::calendar::{DayKind, Holiday};
use crate::web::AppState;
use crate::web::error::{AppError, PageError};
use crate::web::forms::FormPairs;
use crate::web::session::{Auth, ClientIp, PageAuth};

pub struct DayRow {
    pub date: String,
    pub iso: String,
    pub weekday: &'static str,
    pub kind: &'static str,
    pub name: String,
    pub estimated: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "calendar.html")]
pub struct CalendarPage {
    layout: Layout,
    days: Vec<DayRow>,
    can_edit: bool,
    working_days: Vec<(i32, u32)>,
}

fn weekday_vi(d: chrono::NaiveDate) -> &'static str {
    use chrono::Datelike;
    match d.weekday() {
        chrono::Weekday::Mon => "Thứ Hai",
        chrono::Weekday::Tue => "Thứ Ba",
        chrono::Weekday::Wed => "Thứ Tư",
        chrono::Weekday::Thu => "Thứ Năm",
        chrono::Weekday::Fri => "Thứ Sáu",
        chrono::Weekday::Sat => "Thứ Bảy",
        chrono::Weekday::Sun => "Chủ Nhật",
    }
}

/// Only a national administrator changes the calendar every commune uses.
fn can_edit(auth: &Auth) -> bool {
    auth.principal.has(Role::Administrator) && auth.principal.unit_path.matches('/').count() == 2
}

pub async fn show_calendar(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
) -> Result<CalendarPage, PageError> {
    let days = state.store.calendar_days().await?;
    let cal = state.store.work_calendar().await?;
    let year = chrono::Datelike::year(&state.store.clock().today());
    Ok(CalendarPage {
        layout: Layout::new("Lịch làm việc", &auth),
        days: days
            .iter()
            .map(|h| DayRow {
                date: h.date.format("%d/%m/%Y").to_string(),
                iso: h.date.to_string(),
                weekday: weekday_vi(h.date),
                kind: match h.kind {
                    DayKind::Off => "Ngày nghỉ",
                    DayKind::Work => "Ngày làm bù",
                },
                name: h.name.clone(),
                estimated: h.estimated,
            })
            .collect(),
        can_edit: can_edit(&auth),
        working_days: (year..=year + 1)
            .map(|y| (y, cal.working_days_in_year(y)))
            .collect(),
    })
}

pub async fn save_calendar_day(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    body: Bytes,
) -> Result<Response, PageError> {
    if !can_edit(&auth) {
        return Err(AppError::Forbidden.into());
    }
    let f = FormPairs::parse(&body)?;
    let date = f
        .date("date", "Ngày")?
        .ok_or_else(|| AppError::Invalid("Hãy chọn ngày".into()))?;
    if f.text("action") == "remove" {
        state
            .store
            .remove_calendar_day(date, &auth.actor(&ip))
            .await?;
        return Ok(Redirect::to("/admin/calendar").into_response());
    }
    let kind = match f.text("kind").as_str() {
        "work" => DayKind::Work,
        _ => DayKind::Off,
    };
    let name = f
        .optional("name")
        .ok_or_else(|| AppError::Invalid("Hãy ghi tên ngày nghỉ hoặc lý do làm bù".into()))?;
    state
        .store
        .set_calendar_day(
            Holiday {
                date,
                kind,
                name,
                estimated: false,
            },
            &auth.actor(&ip),
        )
        .await?;
    Ok(Redirect::to("/admin/calendar").into_response())
}
