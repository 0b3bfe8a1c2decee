//! Directions (ý kiến chỉ đạo) and their answers: written with the
//! notifications that tell the unit, in one transaction, and audited.

use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::audit::{self, Change};
use super::notifications::{NewNotification, insert_notifications};
use super::{Actor, Store, StoreError, StoreResult};
use crate::domain::direction::{Direction, DirectionSubject};
use crate::domain::valid::Valid;

/// A direction about to be given.
#[derive(Debug, Clone)]
pub struct NewDirection {
    pub subject: DirectionSubject,
    /// The unit that must answer.
    pub unit_id: i64,
    pub province_id: Option<i64>,
    pub commune_id: Option<i64>,
    pub body: Valid<String>,
}

const DIRECTION_SELECT: &str = "SELECT d.id, d.subject, d.task_id, d.plan_id, d.unit_id,
        u.name AS unit_name, u.path AS unit_path, COALESCE(tu.path, pu.path, u.path) AS scope_path,
        t.ref AS task_ref, t.title AS task_title, p2.title AS plan_title, d.body,
        g.full_name AS given_by, d.given_at, d.answer, a.full_name AS answered_by, d.answered_at,
        d.answer_report_id, d.province_id, d.commune_id, d.version
    FROM directions d JOIN units u ON u.id = d.unit_id JOIN users g ON g.id = d.given_by
    LEFT JOIN users a ON a.id = d.answered_by
    LEFT JOIN tasks t ON t.id = d.task_id LEFT JOIN plans tp ON tp.id = t.plan_id
    LEFT JOIN units tu ON tu.id = tp.issuer_unit_id
    LEFT JOIN plans p2 ON p2.id = d.plan_id LEFT JOIN units pu ON pu.id = p2.issuer_unit_id";

impl Store {
    /// Gives a direction and tells the people who must act on it (their
    /// notifications' event key is the direction's, set here).
    pub async fn give_direction(
        &self,
        d: NewDirection,
        notify: &[NewNotification],
        actor: &Actor,
    ) -> StoreResult<Direction> {
        let now = self.now_ms();
        let given_by = actor
            .user_id
            .ok_or_else(|| StoreError::Refused("Cần người ra ý kiến chỉ đạo".into()))?;
        let (task_id, plan_id) = match d.subject {
            DirectionSubject::Task(id) => (Some(id), None),
            DirectionSubject::Plan(id) => (None, Some(id)),
            DirectionSubject::Unit(_) => (None, None),
        };
        let body = d.body.into_inner();
        let mut tx = self.write.begin().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO directions (province_id, commune_id, subject, task_id, plan_id, unit_id,
                    body, given_by, given_at, version)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1) RETURNING id",
        )
        .bind(d.province_id)
        .bind(d.commune_id)
        .bind(d.subject.kind())
        .bind(task_id)
        .bind(plan_id)
        .bind(d.unit_id)
        .bind(body.clone())
        .bind(given_by)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        let event_key = format!("direction:{id}");
        let events: Vec<NewNotification> = notify
            .iter()
            .map(|n| NewNotification {
                event_key: event_key.clone(),
                ..n.clone()
            })
            .collect();
        insert_notifications(&mut tx, &events, now).await?;
        audit::record(
            &mut tx,
            now,
            actor,
            Change {
                action: "give_direction",
                entity: d.subject.kind(),
                entity_id: Some(d.subject.id()),
                province_id: d.province_id,
                commune_id: d.commune_id,
                before: None,
                after: Some(json!({"direction_id": id, "unit_id": d.unit_id, "body": body})),
            },
        )
        .await?;
        tx.commit().await?;
        self.direction(id).await?.ok_or(StoreError::NotFound)
    }

    pub async fn direction(&self, id: i64) -> StoreResult<Option<Direction>> {
        let sql = format!("{DIRECTION_SELECT} WHERE d.id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(direction_from_row).transpose()
    }

    /// The directions about a task, newest first.
    pub async fn directions_of_task(&self, task_id: i64) -> StoreResult<Vec<Direction>> {
        self.directions_where("d.task_id = $1", task_id).await
    }

    /// The directions about a plan and about each of its tasks.
    pub async fn directions_of_plan(&self, plan_id: i64) -> StoreResult<Vec<Direction>> {
        self.directions_where("(d.plan_id = $1 OR t.plan_id = $1)", plan_id)
            .await
    }

    /// Every direction a unit must answer or has answered, newest first.
    pub async fn directions_for_unit(&self, unit_id: i64) -> StoreResult<Vec<Direction>> {
        self.directions_where("d.unit_id = $1", unit_id).await
    }

    async fn directions_where(&self, clause: &str, id: i64) -> StoreResult<Vec<Direction>> {
        let sql = format!("{DIRECTION_SELECT} WHERE {clause} ORDER BY d.given_at DESC, d.id DESC");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(direction_from_row).collect()
    }

    /// The unit's answer, given in one of its reports; audited.
    pub async fn answer_direction(
        &self,
        id: i64,
        answer: Valid<String>,
        report_id: i64,
        actor: &Actor,
    ) -> StoreResult<Direction> {
        let before = self.direction(id).await?.ok_or(StoreError::NotFound)?;
        let now = self.now_ms();
        let answer = answer.into_inner();
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "UPDATE directions SET answer = $1, answered_by = $2, answered_at = $3,
                    answer_report_id = $4, version = version + 1 WHERE id = $5",
        )
        .bind(answer.clone())
        .bind(actor.user_id)
        .bind(now)
        .bind(report_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        audit::record(
            &mut tx,
            now,
            actor,
            Change {
                action: "answer_direction",
                entity: before.subject.kind(),
                entity_id: Some(before.subject.id()),
                province_id: before.province_id,
                commune_id: before.commune_id,
                before: Some(json!({"answer": before.answer})),
                after: Some(json!({"direction_id": id, "answer": answer, "report_id": report_id})),
            },
        )
        .await?;
        tx.commit().await?;
        self.direction(id).await?.ok_or(StoreError::NotFound)
    }
}

fn direction_from_row(r: &AnyRow) -> StoreResult<Direction> {
    let kind: String = r.try_get("subject")?;
    let subject_id: Option<i64> = match kind.as_str() {
        "task" => r.try_get("task_id")?,
        "plan" => r.try_get("plan_id")?,
        _ => Some(r.try_get("unit_id")?),
    };
    let subject = subject_id
        .and_then(|id| DirectionSubject::parse(&kind, id))
        .ok_or_else(|| StoreError::Corrupt(format!("direction subject {kind}")))?;
    let unit_name: String = r.try_get("unit_name")?;
    let about = match subject {
        DirectionSubject::Task(_) => {
            let title: Option<String> = r.try_get("task_title")?;
            match r.try_get::<Option<String>, _>("task_ref")? {
                Some(reference) => format!("nhiệm vụ {reference} “{}”", title.unwrap_or_default()),
                None => format!("nhiệm vụ “{}”", title.unwrap_or_default()),
            }
        }
        DirectionSubject::Plan(_) => format!(
            "kế hoạch “{}”",
            r.try_get::<Option<String>, _>("plan_title")?
                .unwrap_or_default()
        ),
        DirectionSubject::Unit(_) => unit_name.clone(),
    };
    Ok(Direction {
        id: r.try_get("id")?,
        subject,
        about,
        unit_id: r.try_get("unit_id")?,
        unit_name,
        unit_path: r.try_get("unit_path")?,
        scope_path: r.try_get("scope_path")?,
        body: r.try_get("body")?,
        given_by: r.try_get("given_by")?,
        given_at: r.try_get("given_at")?,
        answer: r.try_get("answer")?,
        answered_by: r.try_get("answered_by")?,
        answered_at: r.try_get("answered_at")?,
        answer_report_id: r.try_get("answer_report_id")?,
        province_id: r.try_get("province_id")?,
        commune_id: r.try_get("commune_id")?,
        version: r.try_get("version")?,
    })
}
