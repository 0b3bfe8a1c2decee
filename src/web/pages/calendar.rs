//! The working-day calendar, kept by administrators: public holidays,
//! swapped days and make-up Saturdays, which every "working days" count
//! (deadlines due soon, escalations) follows.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};

use super::Layout;
use crate::actions::calendar;
use crate::domain::calendar::{DayKind, Holiday};
use crate::web::AppState;
use crate::web::error::{AppError, PageError};
use crate::web::forms::FormPairs;
use crate::web::session::{ClientIp, PageAuth};

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

pub async fn show_calendar(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
) -> Result<CalendarPage, PageError> {
    let (days, cal) = calendar::calendar(&state).await?;
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
        can_edit: calendar::may_edit(&auth.principal),
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
    if !calendar::may_edit(&auth.principal) {
        return Err(AppError::Forbidden.into());
    }
    let f = FormPairs::parse(&body)?;
    let date = f
        .date("date", "Ngày")?
        .ok_or_else(|| AppError::Invalid("Hãy chọn ngày".into()))?;
    let caller = auth.caller(&ip);
    if f.text("action") == "remove" {
        calendar::remove_day(&state, &caller, date).await?;
    } else {
        let kind = match f.text("kind").as_str() {
            "work" => DayKind::Work,
            _ => DayKind::Off,
        };
        let day = Holiday {
            date,
            kind,
            name: f.text("name"),
            estimated: false,
        };
        calendar::set_day(&state, &caller, day).await?;
    }
    Ok(Redirect::to("/admin/calendar").into_response())
}
