//! The working-day calendar as administrators keep it: the built-in
//! Vietnamese table until someone edits it, then the edited rows.

use chrono::NaiveDate;
use serde_json::json;
use sqlx::Row;

use super::audit::{self, Change};
use super::rows::{date_text, parse_date};
use super::{Actor, Store, StoreError, StoreResult};
use crate::domain::calendar::{DayKind, Holiday, WorkCalendar};

impl Store {
    pub async fn calendar_days(&self) -> StoreResult<Vec<Holiday>> {
        let rows = sqlx::query("SELECT day, kind, name, estimated FROM calendar_days ORDER BY day")
            .fetch_all(&self.read)
            .await?;
        if rows.is_empty() {
            return Ok(WorkCalendar::builtin_days());
        }
        rows.iter()
            .map(|r| {
                let kind: String = r.try_get("kind")?;
                Ok(Holiday {
                    date: parse_date(r.try_get("day")?)?
                        .ok_or_else(|| StoreError::Corrupt("day".into()))?,
                    kind: if kind == "work" {
                        DayKind::Work
                    } else {
                        DayKind::Off
                    },
                    name: r.try_get("name")?,
                    estimated: r.try_get::<i64, _>("estimated")? != 0,
                })
            })
            .collect()
    }

    pub async fn work_calendar(&self) -> StoreResult<WorkCalendar> {
        Ok(WorkCalendar::from_days(&self.calendar_days().await?))
    }

    /// Adds or changes a day; the first edit copies the built-in table so
    /// nothing of it is lost.
    pub async fn set_calendar_day(&self, day: Holiday, actor: &Actor) -> StoreResult<()> {
        let now = self.now_ms();
        let current = self.calendar_days().await?;
        let mut tx = self.write.begin().await?;
        let stored: i64 = sqlx::query("SELECT COUNT(*) AS n FROM calendar_days")
            .fetch_one(&mut *tx)
            .await?
            .try_get("n")?;
        if stored == 0 {
            for h in &current {
                upsert(&mut tx, h, now, None).await?;
            }
        }
        upsert(&mut tx, &day, now, actor.user_id).await?;
        audit::record(
            &mut tx,
            now,
            actor,
            Change {
                action: "calendar_day",
                entity: "calendar",
                entity_id: None,
                province_id: None,
                commune_id: None,
                before: None,
                after: Some(json!(day)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn remove_calendar_day(&self, day: NaiveDate, actor: &Actor) -> StoreResult<()> {
        let current = self.calendar_days().await?;
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        let stored: i64 = sqlx::query("SELECT COUNT(*) AS n FROM calendar_days")
            .fetch_one(&mut *tx)
            .await?
            .try_get("n")?;
        if stored == 0 {
            for h in &current {
                upsert(&mut tx, h, now, None).await?;
            }
        }
        sqlx::query("DELETE FROM calendar_days WHERE day = $1")
            .bind(date_text(Some(day)))
            .execute(&mut *tx)
            .await?;
        audit::record(
            &mut tx,
            now,
            actor,
            Change {
                action: "calendar_day_removed",
                entity: "calendar",
                entity_id: None,
                province_id: None,
                commune_id: None,
                before: Some(json!({"day": day.to_string()})),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

async fn upsert(
    conn: &mut sqlx::AnyConnection,
    h: &Holiday,
    now: i64,
    by: Option<i64>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO calendar_days (day, kind, name, estimated, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (day) DO UPDATE SET kind = $2, name = $3, estimated = $4, updated_at = $5, updated_by = $6",
    )
    .bind(date_text(Some(h.date)))
    .bind(match h.kind {
        DayKind::Off => "off",
        DayKind::Work => "work",
    })
    .bind(h.name.clone())
    .bind(i64::from(h.estimated))
    .bind(now)
    .bind(by)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
