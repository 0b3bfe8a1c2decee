//! Notifications: the facts the daily warnings are made of (late and soon
//! tasks, missing reports, who to tell), and the in-app inbox. Each event
//! is kept once per person (`UNIQUE (user_id, event_key)`), so a warning is
//! never sent twice.

use chrono::NaiveDate;
use sqlx::{AnyConnection, Row};

use super::rows::{date_text, parse_date};
use super::{Store, StoreError, StoreResult};
use crate::domain::access::Role;
use crate::domain::unit::Unit;

/// An open task with a due date, and its lead unit.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenTask {
    pub task_id: i64,
    pub reference: Option<String>,
    pub title: String,
    pub due_on: NaiveDate,
    pub lead_unit_id: i64,
    pub lead_unit_name: String,
    /// The level that assigned it (the plan's commune, else its province,
    /// else its issuer), whose leaders hear of it when it is escalated.
    pub level_unit_id: i64,
    pub province_id: Option<i64>,
    pub commune_id: Option<i64>,
}

/// Where targets off track are looked for: those of the plans issued
/// within a unit's subtree.
#[derive(Debug, Clone, Copy)]
pub struct TargetScope<'a> {
    path: &'a str,
    /// The province of every unit of the subtree (a province's or one
    /// inside it): every plan issued there, and its targets, carry it.
    province_id: Option<i64>,
}

impl<'a> TargetScope<'a> {
    /// Every plan's targets.
    pub fn everywhere() -> TargetScope<'static> {
        TargetScope {
            path: "/",
            province_id: None,
        }
    }

    /// The targets of the plans issued within `unit`'s subtree.
    pub fn within(unit: &'a Unit) -> TargetScope<'a> {
        TargetScope {
            path: &unit.path,
            province_id: unit.province_id,
        }
    }
}

/// A unit report not received by its due date.
#[derive(Debug, Clone, PartialEq)]
pub struct MissingReport {
    pub report_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub period_key: String,
    pub due_on: NaiveDate,
    pub province_id: Option<i64>,
    pub commune_id: Option<i64>,
}

/// A target whose trend misses a goal year's goal (see
/// `domain::status::trajectory`), as its counters keep it.
#[derive(Debug, Clone, PartialEq)]
pub struct OffTrackTarget {
    pub target_id: i64,
    pub plan_id: i64,
    pub reference: Option<String>,
    pub name: String,
    pub year: i32,
    pub projected: Option<f64>,
    /// In words, for people: where the trend leads against the goal.
    pub warning: String,
    /// The first unit the plan names to lead it, when it is one of ours.
    pub lead_unit_id: Option<i64>,
    pub province_id: Option<i64>,
    pub commune_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewNotification {
    pub user_id: i64,
    pub province_id: Option<i64>,
    pub commune_id: Option<i64>,
    pub event_key: String,
    pub kind: &'static str,
    pub message: String,
    pub link: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    pub id: i64,
    pub kind: String,
    pub message: String,
    pub link: Option<String>,
    pub created_at: i64,
    pub read: bool,
}

impl Store {
    /// Targets of the plans issued within `within_path` whose trend misses
    /// a goal, goal year first: what the warnings, dashboards and the
    /// consolidated report say about the way things go.
    pub async fn off_track_targets(
        &self,
        within: TargetScope<'_>,
        limit: i64,
    ) -> StoreResult<Vec<OffTrackTarget>> {
        // The partial indexes `target_facts_off_track*` hold only the facts
        // off track (by province, and all of them); the search starts
        // there. CROSS JOIN keeps SQLite from starting at the plans
        // instead (50 to 80 ms for the nation, every target read);
        // PostgreSQL plans it as the inner join it is.
        let province = if within.province_id.is_some() {
            "AND f.province_id = $3"
        } else {
            ""
        };
        let sql = format!(
            "SELECT f.target_id, g.plan_id, g.ref, g.name, f.year, f.projected, f.off_track,
                    f.province_id, f.commune_id,
                    (SELECT gu.unit_id FROM target_units gu WHERE gu.target_id = g.id
                     ORDER BY gu.position LIMIT 1) AS lead_unit_id
             FROM target_facts f CROSS JOIN targets g CROSS JOIN plans p CROSS JOIN units u
             WHERE g.id = f.target_id AND p.id = g.plan_id AND u.id = p.issuer_unit_id
               AND f.off_track IS NOT NULL {province} AND u.path LIKE $1
             ORDER BY f.year, g.plan_id, g.position, g.id LIMIT $2"
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(format!("{}%", within.path))
            .bind(limit);
        if let Some(province_id) = within.province_id {
            query = query.bind(province_id);
        }
        let rows = query.fetch_all(&self.read).await?;
        let mut out = Vec::new();
        for r in rows {
            out.push(OffTrackTarget {
                target_id: r.try_get("target_id")?,
                plan_id: r.try_get("plan_id")?,
                reference: r.try_get("ref")?,
                name: r.try_get("name")?,
                year: i32::try_from(r.try_get::<i64, _>("year")?)
                    .map_err(|_| StoreError::Corrupt("target year".into()))?,
                projected: r.try_get("projected")?,
                warning: r.try_get("off_track")?,
                lead_unit_id: r.try_get("lead_unit_id")?,
                province_id: r.try_get("province_id")?,
                commune_id: r.try_get("commune_id")?,
            });
        }
        Ok(out)
    }

    /// Live tasks not done whose due date is on or before `until`, as the
    /// task rule left them in `task_facts`: the facts the dashboards count,
    /// so a warning and a figure never disagree.
    pub async fn open_tasks_due_by(&self, until: NaiveDate) -> StoreResult<Vec<OpenTask>> {
        let rows = sqlx::query(
            "SELECT t.id, t.ref, t.title, f.due_on, tu.unit_id, lu.name AS lead_unit_name,
                    COALESCE(p.commune_id, p.province_id, p.issuer_unit_id) AS level_unit_id,
                    t.province_id, t.commune_id
             FROM task_facts f JOIN tasks t ON t.id = f.task_id JOIN plans p ON p.id = t.plan_id
             JOIN task_units tu ON tu.task_id = t.id AND tu.role = 'lead' AND tu.unit_id IS NOT NULL
             JOIN units lu ON lu.id = tu.unit_id
             WHERE f.live = 1 AND f.done IS NULL AND f.due_on IS NOT NULL AND f.due_on <= $1
             ORDER BY f.due_on, t.id",
        )
        .bind(date_text(Some(until)))
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(OpenTask {
                    task_id: r.try_get("id")?,
                    reference: r.try_get("ref")?,
                    title: r.try_get("title")?,
                    due_on: parse_date(r.try_get("due_on")?)?
                        .ok_or_else(|| StoreError::Corrupt("due".into()))?,
                    lead_unit_id: r.try_get("unit_id")?,
                    lead_unit_name: r.try_get("lead_unit_name")?,
                    level_unit_id: r.try_get("level_unit_id")?,
                    province_id: r.try_get("province_id")?,
                    commune_id: r.try_get("commune_id")?,
                })
            })
            .collect()
    }

    /// Unit reports still not sent after their due date.
    pub async fn missing_reports(&self, today: NaiveDate) -> StoreResult<Vec<MissingReport>> {
        let rows = sqlx::query(
            "SELECT ur.id, ur.unit_id, un.name, r.period_key, r.unit_due_on, ur.province_id, ur.commune_id
             FROM unit_reports ur JOIN report_rounds r ON r.id = ur.round_id JOIN units un ON un.id = ur.unit_id
             WHERE ur.first_submitted_at IS NULL AND r.unit_due_on < $1
             ORDER BY r.unit_due_on, ur.id",
        )
        .bind(date_text(Some(today)))
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(MissingReport {
                    report_id: r.try_get("id")?,
                    unit_id: r.try_get("unit_id")?,
                    unit_name: r.try_get("name")?,
                    period_key: r.try_get("period_key")?,
                    due_on: parse_date(r.try_get("unit_due_on")?)?
                        .ok_or_else(|| StoreError::Corrupt("due".into()))?,
                    province_id: r.try_get("province_id")?,
                    commune_id: r.try_get("commune_id")?,
                })
            })
            .collect()
    }

    /// Active users placed on `unit_id` with `role`, and their e-mail.
    pub async fn users_at(
        &self,
        unit_id: i64,
        role: Role,
    ) -> StoreResult<Vec<(i64, Option<String>)>> {
        let rows = sqlx::query(
            "SELECT s.id, s.email FROM users s JOIN user_roles r ON r.user_id = s.id
             WHERE s.unit_id = $1 AND r.role = $2 AND s.active = 1 ORDER BY s.id",
        )
        .bind(unit_id)
        .bind(role.as_str())
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("email")?)))
            .collect()
    }

    /// Stores notifications not stored before; returns how many were new.
    pub async fn notify(&self, events: &[NewNotification]) -> StoreResult<usize> {
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        let new = insert_notifications(&mut tx, events, now).await?;
        tx.commit().await?;
        Ok(new)
    }

    pub async fn notifications_of(
        &self,
        user_id: i64,
        limit: i64,
    ) -> StoreResult<Vec<Notification>> {
        let rows = sqlx::query(
            "SELECT id, kind, message, link, created_at, read_at FROM notifications
             WHERE user_id = $1 ORDER BY (CASE WHEN read_at IS NULL THEN 0 ELSE 1 END), id DESC LIMIT $2",
        )
        .bind(user_id)
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Notification {
                    id: r.try_get("id")?,
                    kind: r.try_get("kind")?,
                    message: r.try_get("message")?,
                    link: r.try_get("link")?,
                    created_at: r.try_get("created_at")?,
                    read: r.try_get::<Option<i64>, _>("read_at")?.is_some(),
                })
            })
            .collect()
    }

    pub async fn unread_count(&self, user_id: i64) -> StoreResult<i64> {
        Ok(sqlx::query(
            "SELECT COUNT(*) AS n FROM notifications WHERE user_id = $1 AND read_at IS NULL",
        )
        .bind(user_id)
        .fetch_one(&self.read)
        .await?
        .try_get("n")?)
    }

    pub async fn mark_notifications_read(&self, user_id: i64) -> StoreResult<()> {
        sqlx::query("UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL")
            .bind(self.now_ms())
            .bind(user_id)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// Notifications waiting for an e-mail, with the address to send to.
    pub async fn unemailed(&self) -> StoreResult<Vec<(i64, String, String, Option<String>)>> {
        let rows = sqlx::query(
            "SELECT n.id, s.email, n.message, n.link FROM notifications n JOIN users s ON s.id = n.user_id
             WHERE n.emailed_at IS NULL AND s.email IS NOT NULL AND s.email <> '' ORDER BY n.id LIMIT 1000",
        )
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("id")?,
                    r.try_get("email")?,
                    r.try_get("message")?,
                    r.try_get("link")?,
                ))
            })
            .collect()
    }

    pub async fn mark_emailed(&self, id: i64) -> StoreResult<()> {
        sqlx::query(
            "UPDATE notifications SET emailed_at = $1 WHERE id = $2 AND emailed_at IS NULL",
        )
        .bind(self.now_ms())
        .bind(id)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    pub async fn set_email(&self, user_id: i64, email: Option<&str>) -> StoreResult<()> {
        sqlx::query("UPDATE users SET email = $1 WHERE id = $2")
            .bind(email.map(str::to_string))
            .bind(user_id)
            .execute(&self.write)
            .await?;
        Ok(())
    }
}

/// Writes notifications in a transaction, each once per person and event
/// (`UNIQUE (user_id, event_key)`); returns how many were new.
pub(super) async fn insert_notifications(
    conn: &mut AnyConnection,
    events: &[NewNotification],
    now: i64,
) -> StoreResult<usize> {
    let mut new = 0;
    for e in events {
        new += sqlx::query(
            "INSERT INTO notifications (user_id, province_id, commune_id, event_key, kind, message, link, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (user_id, event_key) DO NOTHING",
        )
        .bind(e.user_id)
        .bind(e.province_id)
        .bind(e.commune_id)
        .bind(e.event_key.clone())
        .bind(e.kind)
        .bind(e.message.clone())
        .bind(e.link.clone())
        .bind(now)
        .execute(&mut *conn)
        .await?
        .rows_affected() as usize;
    }
    Ok(new)
}
