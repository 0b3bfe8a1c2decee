//! Citizen feedback: submission with its attachments, routing to the right
//! commune, assignment, the answer, the person's rating (which recomputes
//! the commune's satisfaction figure in the same transaction), erasure of
//! personal data, and the rate limit on anonymous submissions.
//!
//! Personal data arrives here sealed (see `auth/sealed.rs`) and leaves
//! sealed; the audit trail records that contact details exist, never them.

use chrono::NaiveDate;
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::attachments::{FileOwner, attach_in, forget_blob_in};
use super::audit::{self, Change};
use super::auto_figures::recompute;
use super::rollups::RollupDeltas;
use super::rows::{Bind, Conditions, date_text, fetch_page, flag, parse_date};
use super::{Actor, Listing, Page, Store, StoreError, StoreResult};
use crate::domain::attachment::{AttachedFile, AttachedTo, UploadedFile};
use crate::domain::auto_figure::AutoSource;
use crate::domain::feedback::{
    Feedback, FeedbackCounts, FeedbackError, FeedbackStatus, Rating, SealedContact, Topic,
    ValidFeedback,
};
use crate::domain::unit::Unit;
use crate::domain::valid::Valid;

/// A new submission, checked and with its contact sealed.
pub struct NewFeedback {
    pub feedback: ValidFeedback,
    pub sealed: SealedContact,
    pub tracking_hash: String,
    pub received_on: NaiveDate,
    pub due_on: NaiveDate,
    pub retention_days: u32,
    pub files: Vec<Valid<UploadedFile>>,
}

#[derive(Debug, Clone, Default)]
pub struct FeedbackFilter {
    /// Feedback of communes inside this path.
    pub within_path: Option<String>,
    /// Only feedback assigned to a unit inside this path.
    pub assigned_within: Option<String>,
    pub status: Option<FeedbackStatus>,
    pub commune_id: Option<i64>,
}

const FEEDBACK_COLUMNS: &str = "f.id, f.province_id, f.commune_id, c.name AS commune_name,
    c.path AS commune_path, f.topic, f.content, f.status, f.received_on, f.due_on,
    f.assigned_unit_id, a.name AS assigned_name, a.path AS assigned_path, f.answer,
    f.answered_on, f.published, f.satisfied, f.rating_reason, f.rated_on, f.contact_name,
    f.contact_phone, f.contact_email, f.contact_consent, f.personal_until,
    f.personal_erased_at, f.version";
const FEEDBACK_FROM: &str = "FROM feedback f JOIN units c ON c.id = f.commune_id
    LEFT JOIN units a ON a.id = f.assigned_unit_id";

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

impl Store {
    /// Counts an anonymous submission from `ip_hash` and says whether it is
    /// within `limit` per `window_ms`; a refused attempt is not counted.
    /// Spends a form question's nonce: true the first time, false after.
    /// Expired nonces are dropped on the way (their tokens are refused
    /// for their expiry anyway).
    pub async fn spend_challenge(&self, nonce: &str, expires_at: i64) -> StoreResult<bool> {
        let mut tx = self.write.begin().await?;
        sqlx::query("DELETE FROM spent_challenges WHERE expires_at < $1")
            .bind(self.now_ms())
            .execute(&mut *tx)
            .await?;
        let fresh = sqlx::query(
            "INSERT INTO spent_challenges (nonce, expires_at) VALUES ($1, $2) ON CONFLICT (nonce) DO NOTHING",
        )
        .bind(nonce.to_string())
        .bind(expires_at)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        tx.commit().await?;
        Ok(fresh)
    }

    pub async fn take_public_slot(
        &self,
        ip_hash: &str,
        kind: &str,
        limit: i64,
        window_ms: i64,
    ) -> StoreResult<bool> {
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        let n: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM public_submissions WHERE ip_hash = $1 AND kind = $2 AND at > $3",
        )
        .bind(ip_hash.to_string())
        .bind(kind.to_string())
        .bind(now - window_ms)
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?;
        if n >= limit {
            return Ok(false);
        }
        sqlx::query("INSERT INTO public_submissions (ip_hash, kind, at) VALUES ($1, $2, $3)")
            .bind(ip_hash.to_string())
            .bind(kind.to_string())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Forgets rate-limit entries older than a day.
    pub async fn prune_public_submissions(&self) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM public_submissions WHERE at < $1")
            .bind(self.now_ms() - DAY_MS)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected())
    }

    pub async fn create_feedback(&self, new: NewFeedback, actor: &Actor) -> StoreResult<Feedback> {
        let commune = self
            .unit(new.feedback.commune_id)
            .await?
            .filter(|u| u.kind == crate::domain::unit::UnitKind::Commune && u.ended_on.is_none())
            .ok_or_else(|| StoreError::InvalidReference("commune".into()))?;
        let now = self.now_ms();
        let personal_until =
            (!new.sealed.is_empty()).then(|| now + i64::from(new.retention_days) * DAY_MS);
        let mut tx = self.write.begin().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO feedback (province_id, commune_id, tracking_hash, topic, content, status,
                    received_on, due_on, published, contact_name, contact_phone, contact_email,
                    contact_consent, personal_until, created_at, updated_at, version)
             VALUES ($1, $2, $3, $4, $5, 'received', $6, $7, 0, $8, $9, $10, $11, $12, $13, $13, 1)
             RETURNING id",
        )
        .bind(commune.province_id)
        .bind(commune.id)
        .bind(new.tracking_hash.clone())
        .bind(new.feedback.topic.as_str())
        .bind(new.feedback.content.clone())
        .bind(date_text(Some(new.received_on)))
        .bind(date_text(Some(new.due_on)))
        .bind(new.sealed.name.clone())
        .bind(new.sealed.phone.clone())
        .bind(new.sealed.email.clone())
        .bind(i64::from(new.feedback.contact_consent))
        .bind(personal_until)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        let owner = FileOwner {
            id,
            province_id: commune.province_id,
            commune_id: commune.id,
        };
        for file in &new.files {
            attach_in(&mut tx, AttachedTo::Feedback, &owner, file, now, actor).await?;
        }
        audit::record(
            &mut tx,
            now,
            actor,
            Change {
                action: "submit_feedback",
                entity: "feedback",
                entity_id: Some(id),
                province_id: commune.province_id,
                commune_id: Some(commune.id),
                before: None,
                after: Some(json!({
                    "topic": new.feedback.topic.as_str(),
                    "has_contact": !new.sealed.is_empty(),
                    "files": new.files.len(),
                    "due_on": new.due_on.to_string(),
                })),
            },
        )
        .await?;
        tx.commit().await?;
        self.feedback(id).await?.ok_or(StoreError::NotFound)
    }

    pub async fn feedback(&self, id: i64) -> StoreResult<Option<Feedback>> {
        let sql = format!("SELECT {FEEDBACK_COLUMNS} {FEEDBACK_FROM} WHERE f.id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(feedback_from_row).transpose()
    }

    /// The feedback a tracking code (by its SHA-256) stands for.
    pub async fn feedback_by_code(&self, tracking_hash: &str) -> StoreResult<Option<Feedback>> {
        let sql = format!("SELECT {FEEDBACK_COLUMNS} {FEEDBACK_FROM} WHERE f.tracking_hash = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(tracking_hash.to_string())
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(feedback_from_row).transpose()
    }

    pub async fn feedback_list(
        &self,
        filter: &FeedbackFilter,
        page: Page,
    ) -> StoreResult<Listing<Feedback>> {
        let mut c = Conditions::default();
        if let Some(path) = &filter.within_path {
            c.push("c.path LIKE ?", Bind::Text(format!("{path}%")));
        }
        if let Some(path) = &filter.assigned_within {
            c.push("a.path LIKE ?", Bind::Text(format!("{path}%")));
        }
        if let Some(status) = filter.status {
            c.push("f.status = ?", Bind::Text(status.as_str().to_string()));
        }
        if let Some(commune) = filter.commune_id {
            c.push("f.commune_id = ?", Bind::Int(commune));
        }
        self.feedback_query(c, "f.id DESC", page).await
    }

    /// Answered feedback whose answer is published: the public list. The
    /// caller shows no personal data from it.
    pub async fn answered_public(
        &self,
        commune_id: Option<i64>,
        page: Page,
    ) -> StoreResult<Listing<Feedback>> {
        let mut c = Conditions::default();
        c.push_raw("f.status = 'answered' AND f.published = 1");
        if let Some(commune) = commune_id {
            c.push("f.commune_id = ?", Bind::Int(commune));
        }
        self.feedback_query(c, "f.answered_at DESC, f.id DESC", page)
            .await
    }

    async fn feedback_query(
        &self,
        c: Conditions,
        order: &str,
        page: Page,
    ) -> StoreResult<Listing<Feedback>> {
        let (total, rows) =
            fetch_page(&self.read, FEEDBACK_COLUMNS, FEEDBACK_FROM, &c, order, page).await?;
        let items = rows
            .iter()
            .map(feedback_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(Listing { items, total, page })
    }

    /// Sends feedback that reached the wrong commune to the right one; its
    /// deadline stays, since the person has waited since it arrived.
    pub async fn route_feedback(
        &self,
        id: i64,
        to: &Unit,
        expected_version: i64,
        actor: &Actor,
    ) -> StoreResult<Feedback> {
        let before = self.open_feedback(id).await?;
        if to.kind != crate::domain::unit::UnitKind::Commune {
            return Err(StoreError::InvalidReference("commune".into()));
        }
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        let done = sqlx::query(
            "UPDATE feedback SET province_id = $1, commune_id = $2, status = 'received',
                    assigned_unit_id = NULL, assigned_at = NULL, updated_at = $3, version = version + 1
             WHERE id = $4 AND version = $5 AND status <> 'answered'",
        )
        .bind(to.province_id)
        .bind(to.id)
        .bind(now)
        .bind(id)
        .bind(expected_version)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict {
                current: before.version,
            });
        }
        sqlx::query(
            "UPDATE feedback_files SET province_id = $1, commune_id = $2 WHERE feedback_id = $3",
        )
        .bind(to.province_id)
        .bind(to.id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        audit::record(
            &mut tx,
            now,
            actor,
            Change {
                action: "route_feedback",
                entity: "feedback",
                entity_id: Some(id),
                province_id: before.province_id,
                commune_id: Some(before.commune_id),
                before: Some(json!({"commune_id": before.commune_id})),
                after: Some(json!({"commune_id": to.id, "commune": to.name})),
            },
        )
        .await?;
        tx.commit().await?;
        self.feedback(id).await?.ok_or(StoreError::NotFound)
    }

    pub async fn assign_feedback(
        &self,
        id: i64,
        unit: &Unit,
        expected_version: i64,
        actor: &Actor,
    ) -> StoreResult<Feedback> {
        let before = self.open_feedback(id).await?;
        if !unit.is_within(&before.commune_path) {
            return Err(StoreError::InvalidReference(
                "the unit is outside the feedback's commune".into(),
            ));
        }
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        let done = sqlx::query(
            "UPDATE feedback SET status = 'assigned', assigned_unit_id = $1, assigned_at = $2,
                    updated_at = $2, version = version + 1
             WHERE id = $3 AND version = $4 AND status <> 'answered'",
        )
        .bind(unit.id)
        .bind(now)
        .bind(id)
        .bind(expected_version)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict {
                current: before.version,
            });
        }
        audit::record(
            &mut tx,
            now,
            actor,
            Change {
                action: "assign_feedback",
                entity: "feedback",
                entity_id: Some(id),
                province_id: before.province_id,
                commune_id: Some(before.commune_id),
                before: Some(json!({"assigned_unit_id": before.assigned_unit_id})),
                after: Some(json!({"assigned_unit_id": unit.id, "unit": unit.name})),
            },
        )
        .await?;
        tx.commit().await?;
        self.feedback(id).await?.ok_or(StoreError::NotFound)
    }

    /// Records the answer; when `publish`, it also appears (without any
    /// personal data) on the public list.
    pub async fn answer_feedback(
        &self,
        id: i64,
        answer: String,
        publish: bool,
        expected_version: i64,
        actor: &Actor,
    ) -> StoreResult<Feedback> {
        let before = self.open_feedback(id).await?;
        let now = self.now_ms();
        let today = self.clock.today();
        let mut tx = self.write.begin().await?;
        let done = sqlx::query(
            "UPDATE feedback SET status = 'answered', answer = $1, answered_on = $2, answered_at = $3,
                    answered_by = $4, published = $5, updated_at = $3, version = version + 1
             WHERE id = $6 AND version = $7 AND status <> 'answered'",
        )
        .bind(answer.clone())
        .bind(date_text(Some(today)))
        .bind(now)
        .bind(actor.user_id)
        .bind(i64::from(publish))
        .bind(id)
        .bind(expected_version)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict {
                current: before.version,
            });
        }
        audit::record(
            &mut tx,
            now,
            actor,
            Change {
                action: "answer_feedback",
                entity: "feedback",
                entity_id: Some(id),
                province_id: before.province_id,
                commune_id: Some(before.commune_id),
                before: Some(json!({"status": before.status.as_str()})),
                after: Some(json!({
                    "status": "answered",
                    "answer": answer,
                    "published": publish,
                    "on_time": today <= before.due_on,
                })),
            },
        )
        .await?;
        tx.commit().await?;
        self.feedback(id).await?.ok_or(StoreError::NotFound)
    }

    /// The person's rating; the commune's satisfaction figures for the
    /// periods holding today are recomputed in the same transaction.
    pub async fn rate_feedback(
        &self,
        id: i64,
        rating: Rating,
        actor: &Actor,
    ) -> StoreResult<Feedback> {
        let before = self.feedback(id).await?.ok_or(StoreError::NotFound)?;
        let now = self.now_ms();
        let today = self.clock.today();
        let mut tx = self.write.begin().await?;
        let done = sqlx::query(
            "UPDATE feedback SET satisfied = $1, rating_reason = $2, rated_on = $3, rated_at = $4,
                    updated_at = $4, version = version + 1
             WHERE id = $5 AND status = 'answered' AND satisfied IS NULL",
        )
        .bind(i64::from(rating.satisfied))
        .bind(rating.reason.clone())
        .bind(date_text(Some(today)))
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            let why = if before.satisfied.is_some() {
                FeedbackError::AlreadyRated
            } else {
                FeedbackError::NotAnswered
            };
            return Err(StoreError::Refused(why.to_string()));
        }
        audit::record(
            &mut tx,
            now,
            actor,
            Change {
                action: "rate_feedback",
                entity: "feedback",
                entity_id: Some(id),
                province_id: before.province_id,
                commune_id: Some(before.commune_id),
                before: None,
                after: Some(json!({"satisfied": rating.satisfied, "reason": rating.reason})),
            },
        )
        .await?;
        let mut deltas = RollupDeltas::new(now);
        recompute(
            &mut tx,
            &mut deltas,
            before.commune_id,
            AutoSource::FeedbackSatisfaction,
            today,
        )
        .await?;
        deltas.commit(tx).await?;
        self.feedback(id).await?.ok_or(StoreError::NotFound)
    }

    /// Erases a person's name, contact and attachments, keeping the
    /// anonymous feedback; logged with the reason (`request`, `retention`).
    pub async fn erase_personal_data(
        &self,
        id: i64,
        why: &str,
        actor: &Actor,
    ) -> StoreResult<Feedback> {
        let before = self.feedback(id).await?.ok_or(StoreError::NotFound)?;
        let files = self.feedback_files(id).await?;
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        erase_in(&mut tx, &before, &files, why, now, actor).await?;
        tx.commit().await?;
        self.feedback(id).await?.ok_or(StoreError::NotFound)
    }

    /// Erases personal data kept past its retention period; returns how
    /// many feedback items were touched. Run hourly by the server.
    pub async fn erase_expired_personal_data(&self) -> StoreResult<usize> {
        let now = self.now_ms();
        let rows = sqlx::query(
            "SELECT id FROM feedback WHERE personal_until IS NOT NULL AND personal_until < $1
                AND personal_erased_at IS NULL ORDER BY id LIMIT 1000",
        )
        .bind(now)
        .fetch_all(&self.read)
        .await?;
        let mut erased = 0;
        for row in rows {
            let id: i64 = row.try_get("id")?;
            self.erase_personal_data(id, "retention", &Actor::system())
                .await?;
            erased += 1;
        }
        Ok(erased)
    }

    /// Received, answered on time or late, open and overdue, rated and
    /// satisfied: for feedback of communes inside `within_path` received
    /// between `from` and `to` (inclusive).
    pub async fn feedback_counts(
        &self,
        within_path: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<FeedbackCounts> {
        let today = date_text(Some(self.clock.today()));
        let row = sqlx::query(
            "SELECT COUNT(*) AS received,
                COUNT(CASE WHEN f.status = 'answered' AND f.answered_on <= f.due_on THEN 1 END) AS on_time,
                COUNT(CASE WHEN f.status = 'answered' AND f.answered_on > f.due_on THEN 1 END) AS late,
                COUNT(CASE WHEN f.status <> 'answered' THEN 1 END) AS open,
                COUNT(CASE WHEN f.status <> 'answered' AND f.due_on < $4 THEN 1 END) AS overdue,
                COUNT(f.satisfied) AS rated,
                COUNT(CASE WHEN f.satisfied = 1 THEN 1 END) AS satisfied
             FROM feedback f JOIN units c ON c.id = f.commune_id
             WHERE c.path LIKE $1 AND f.received_on >= $2 AND f.received_on <= $3",
        )
        .bind(format!("{within_path}%"))
        .bind(date_text(Some(from)))
        .bind(date_text(Some(to)))
        .bind(today)
        .fetch_one(&self.read)
        .await?;
        Ok(FeedbackCounts {
            received: row.try_get("received")?,
            answered_on_time: row.try_get("on_time")?,
            answered_late: row.try_get("late")?,
            open: row.try_get("open")?,
            overdue: row.try_get("overdue")?,
            rated: row.try_get("rated")?,
            satisfied: row.try_get("satisfied")?,
        })
    }

    async fn open_feedback(&self, id: i64) -> StoreResult<Feedback> {
        let f = self.feedback(id).await?.ok_or(StoreError::NotFound)?;
        if !f.status.is_open() {
            return Err(StoreError::Refused(
                FeedbackError::AlreadyAnswered.to_string(),
            ));
        }
        Ok(f)
    }
}

async fn erase_in(
    conn: &mut AnyConnection,
    before: &Feedback,
    files: &[AttachedFile],
    why: &str,
    now: i64,
    actor: &Actor,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE feedback SET contact_name = NULL, contact_phone = NULL, contact_email = NULL,
                personal_until = NULL, personal_erased_at = $1, personal_erased_why = $2,
                updated_at = $1, version = version + 1
         WHERE id = $3",
    )
    .bind(now)
    .bind(why.to_string())
    .bind(before.id)
    .execute(&mut *conn)
    .await?;
    // Attachments may show a person (a photo, a scanned paper): they go too,
    // and their bytes when nothing else refers to them.
    sqlx::query("DELETE FROM feedback_files WHERE feedback_id = $1")
        .bind(before.id)
        .execute(&mut *conn)
        .await?;
    for f in files {
        forget_blob_in(&mut *conn, &f.blob_sha256).await?;
    }
    audit::record(
        conn,
        now,
        actor,
        Change {
            action: "erase_personal_data",
            entity: "feedback",
            entity_id: Some(before.id),
            province_id: before.province_id,
            commune_id: Some(before.commune_id),
            before: Some(json!({
                "had_contact": !before.contact.is_empty(),
                "files": files.len(),
            })),
            after: Some(json!({"reason": why})),
        },
    )
    .await
}

fn feedback_from_row(r: &AnyRow) -> StoreResult<Feedback> {
    let topic: String = r.try_get("topic")?;
    let status: String = r.try_get("status")?;
    let satisfied: Option<i64> = r.try_get("satisfied")?;
    Ok(Feedback {
        id: r.try_get("id")?,
        province_id: r.try_get("province_id")?,
        commune_id: r.try_get("commune_id")?,
        commune_name: r.try_get("commune_name")?,
        commune_path: r.try_get("commune_path")?,
        topic: Topic::parse(&topic).ok_or_else(|| StoreError::Corrupt(format!("topic {topic}")))?,
        content: r.try_get("content")?,
        status: FeedbackStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("feedback status {status}")))?,
        received_on: parse_date(r.try_get("received_on")?)?
            .ok_or_else(|| StoreError::Corrupt("received_on".into()))?,
        due_on: parse_date(r.try_get("due_on")?)?
            .ok_or_else(|| StoreError::Corrupt("due_on".into()))?,
        assigned_unit_id: r.try_get("assigned_unit_id")?,
        assigned_unit_name: r.try_get("assigned_name")?,
        assigned_unit_path: r.try_get("assigned_path")?,
        answer: r.try_get("answer")?,
        answered_on: parse_date(r.try_get("answered_on")?)?,
        published: flag(r, "published")?,
        satisfied: satisfied.map(|s| s == 1),
        rating_reason: r.try_get("rating_reason")?,
        rated_on: parse_date(r.try_get("rated_on")?)?,
        contact: SealedContact {
            name: r.try_get("contact_name")?,
            phone: r.try_get("contact_phone")?,
            email: r.try_get("contact_email")?,
        },
        contact_consent: flag(r, "contact_consent")?,
        personal_until: r.try_get("personal_until")?,
        personal_erased_at: r.try_get("personal_erased_at")?,
        version: r.try_get("version")?,
    })
}
