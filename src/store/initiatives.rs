//! Initiatives: registration with attachments, the council of named
//! reviewers and their scores, and the decision — which recomputes the
//! commune's recognised-initiative figure in the same transaction.

use chrono::NaiveDate;
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::audit::{self, Change};
use super::auto_figures::recompute;
use super::feedback::{UploadedFile, put_blob_in};
use super::rows::{Bind, Conditions, date_text, fetch_page, join_lines, parse_date, split_lines};
use super::{Actor, Listing, Page, Store, StoreError, StoreResult};
use crate::domain::auto_figure::AutoSource;
use crate::domain::initiative::{
    Decision, InitiativeDraft, InitiativeError, InitiativeStatus, Scores,
};
use crate::domain::text::search_key;
use crate::domain::unit::Unit;

#[derive(Debug, Clone, PartialEq)]
pub struct Initiative {
    pub id: i64,
    pub province_id: Option<i64>,
    pub commune_id: i64,
    pub commune_name: String,
    pub commune_path: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_path: String,
    pub title: String,
    pub authors: Vec<String>,
    pub problem: String,
    pub solution: String,
    pub benefit: String,
    pub status: InitiativeStatus,
    pub decision_number: Option<String>,
    pub decision_date: Option<NaiveDate>,
    pub decision_note: Option<String>,
    pub created_at: i64,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitiativeFile {
    pub id: i64,
    pub initiative_id: i64,
    pub blob_sha256: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
}

/// A council member and, once given, their scores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub reviewer_id: i64,
    pub reviewer_name: String,
    pub scores: Option<Scores>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct InitiativeFilter {
    pub within_path: Option<String>,
    pub status: Option<InitiativeStatus>,
    pub commune_id: Option<i64>,
    pub query: Option<String>,
}

const INITIATIVE_COLUMNS: &str = "i.id, i.province_id, i.commune_id, c.name AS commune_name,
    c.path AS commune_path, i.unit_id, u.name AS unit_name, u.path AS unit_path, i.title,
    i.authors, i.problem, i.solution, i.benefit, i.status, i.decision_number, i.decision_date,
    i.decision_note, i.created_at, i.version";
const INITIATIVE_FROM: &str = "FROM initiatives i JOIN units c ON c.id = i.commune_id
    JOIN units u ON u.id = i.unit_id";

impl Store {
    /// Registers an initiative of `unit` (a unit inside a commune, or the
    /// commune itself).
    pub async fn create_initiative(
        &self,
        draft: InitiativeDraft,
        unit: &Unit,
        files: Vec<UploadedFile>,
        actor: &Actor,
    ) -> StoreResult<Initiative> {
        let commune_id = unit.commune_id.ok_or_else(|| {
            StoreError::InvalidReference("the unit is not inside a commune".into())
        })?;
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO initiatives (province_id, commune_id, unit_id, title, folded_title, authors,
                    problem, solution, benefit, status, created_by, created_at, updated_at, version)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'registered', $10, $11, $11, 1) RETURNING id",
        )
        .bind(unit.province_id)
        .bind(commune_id)
        .bind(unit.id)
        .bind(draft.title.clone())
        .bind(search_key(&draft.title))
        .bind(join_lines(&draft.authors))
        .bind(draft.problem.clone())
        .bind(draft.solution.clone())
        .bind(draft.benefit.clone())
        .bind(actor.user_id)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        for file in &files {
            insert_file(&mut tx, id, unit.province_id, commune_id, file, now, actor).await?;
        }
        audit::record(
            &mut tx,
            now,
            actor,
            Change {
                action: "create",
                entity: "initiative",
                entity_id: Some(id),
                province_id: unit.province_id,
                commune_id: Some(commune_id),
                before: None,
                after: Some(json!({
                    "title": draft.title,
                    "authors": draft.authors,
                    "unit_id": unit.id,
                    "files": files.len(),
                })),
            },
        )
        .await?;
        tx.commit().await?;
        self.initiative(id).await?.ok_or(StoreError::NotFound)
    }

    pub async fn initiative(&self, id: i64) -> StoreResult<Option<Initiative>> {
        let sql = format!("SELECT {INITIATIVE_COLUMNS} {INITIATIVE_FROM} WHERE i.id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(initiative_from_row).transpose()
    }

    pub async fn initiatives(
        &self,
        filter: &InitiativeFilter,
        page: Page,
    ) -> StoreResult<Listing<Initiative>> {
        let mut c = Conditions::default();
        if let Some(path) = &filter.within_path {
            c.push("c.path LIKE ?", Bind::Text(format!("{path}%")));
        }
        if let Some(status) = filter.status {
            c.push("i.status = ?", Bind::Text(status.as_str().to_string()));
        }
        if let Some(commune) = filter.commune_id {
            c.push("i.commune_id = ?", Bind::Int(commune));
        }
        if let Some(q) = filter
            .query
            .as_deref()
            .map(search_key)
            .filter(|q| !q.is_empty())
        {
            c.push("i.folded_title LIKE ?", Bind::Text(format!("%{q}%")));
        }
        let (total, rows) = fetch_page(
            &self.read,
            INITIATIVE_COLUMNS,
            INITIATIVE_FROM,
            &c,
            "COALESCE(i.decision_date, '') DESC, i.id DESC",
            page,
        )
        .await?;
        let items = rows
            .iter()
            .map(initiative_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(Listing { items, total, page })
    }

    /// Initiatives of communes inside `within_path` recognised by a
    /// decision dated in `year`.
    pub async fn recognised_count(&self, within_path: &str, year: i32) -> StoreResult<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM initiatives i JOIN units c ON c.id = i.commune_id
             WHERE c.path LIKE $1 AND i.status = 'recognised'
               AND i.decision_date >= $2 AND i.decision_date <= $3",
        )
        .bind(format!("{within_path}%"))
        .bind(format!("{year:04}-01-01"))
        .bind(format!("{year:04}-12-31"))
        .fetch_one(&self.read)
        .await?;
        Ok(row.try_get("n")?)
    }

    pub async fn add_initiative_file(
        &self,
        id: i64,
        file: UploadedFile,
        actor: &Actor,
    ) -> StoreResult<()> {
        let i = self.initiative(id).await?.ok_or(StoreError::NotFound)?;
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        insert_file(&mut tx, id, i.province_id, i.commune_id, &file, now, actor).await?;
        audit::record(
            &mut tx,
            now,
            actor,
            Change {
                action: "add_file",
                entity: "initiative",
                entity_id: Some(id),
                province_id: i.province_id,
                commune_id: Some(i.commune_id),
                before: None,
                after: Some(json!({"file_name": file.file_name})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn initiative_files(&self, id: i64) -> StoreResult<Vec<InitiativeFile>> {
        let rows = sqlx::query(
            "SELECT id, initiative_id, blob_sha256, file_name, content_type, size
             FROM initiative_files WHERE initiative_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(file_from_row).collect()
    }

    pub async fn initiative_file(&self, id: i64) -> StoreResult<Option<InitiativeFile>> {
        let row = sqlx::query(
            "SELECT id, initiative_id, blob_sha256, file_name, content_type, size
             FROM initiative_files WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.read)
        .await?;
        row.as_ref().map(file_from_row).transpose()
    }

    /// Names the council: users placed inside the initiative's commune.
    /// Members already named keep their scores.
    pub async fn name_reviewers(
        &self,
        id: i64,
        user_ids: &[i64],
        actor: &Actor,
    ) -> StoreResult<Vec<Review>> {
        let i = self.initiative(id).await?.ok_or(StoreError::NotFound)?;
        if i.status.is_decided() {
            return Err(StoreError::Refused(
                InitiativeError::AlreadyDecided.to_string(),
            ));
        }
        let mut names = Vec::new();
        for uid in user_ids {
            let user = self
                .user(*uid)
                .await?
                .ok_or_else(|| StoreError::InvalidReference(format!("user {uid}")))?;
            let unit = self
                .unit(user.unit_id)
                .await?
                .ok_or_else(|| StoreError::InvalidReference(format!("user {uid}")))?;
            if !unit.is_within(&i.commune_path) {
                return Err(StoreError::InvalidReference(format!(
                    "user {uid} is outside the commune"
                )));
            }
            names.push(user.full_name);
        }
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        for uid in user_ids {
            sqlx::query(
                "INSERT INTO initiative_reviews (initiative_id, province_id, commune_id, reviewer_id, created_at)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (initiative_id, reviewer_id) DO NOTHING",
            )
            .bind(id)
            .bind(i.province_id)
            .bind(i.commune_id)
            .bind(*uid)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "UPDATE initiatives SET status = 'under_review', updated_at = $1, version = version + 1
             WHERE id = $2 AND status IN ('registered', 'under_review')",
        )
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        audit::record(
            &mut tx,
            now,
            actor,
            Change {
                action: "name_reviewers",
                entity: "initiative",
                entity_id: Some(id),
                province_id: i.province_id,
                commune_id: Some(i.commune_id),
                before: None,
                after: Some(json!({"reviewers": user_ids, "names": names})),
            },
        )
        .await?;
        tx.commit().await?;
        self.reviews_of(id).await
    }

    pub async fn reviews_of(&self, id: i64) -> StoreResult<Vec<Review>> {
        let rows = sqlx::query(
            "SELECT r.reviewer_id, u.full_name, r.novelty, r.applicability, r.effectiveness,
                    r.scalability, r.comment, r.scored_at
             FROM initiative_reviews r JOIN users u ON u.id = r.reviewer_id
             WHERE r.initiative_id = $1 ORDER BY r.id",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await?;
        let mut out = Vec::new();
        for r in rows {
            let scored: Option<i64> = r.try_get("scored_at")?;
            let points = [
                r.try_get::<Option<i64>, _>("novelty")?,
                r.try_get::<Option<i64>, _>("applicability")?,
                r.try_get::<Option<i64>, _>("effectiveness")?,
                r.try_get::<Option<i64>, _>("scalability")?,
            ];
            let scores = match (scored, points) {
                (Some(_), [Some(a), Some(b), Some(c), Some(d)]) => Some(Scores([a, b, c, d])),
                _ => None,
            };
            out.push(Review {
                reviewer_id: r.try_get("reviewer_id")?,
                reviewer_name: r.try_get("full_name")?,
                scores,
                comment: r.try_get("comment")?,
            });
        }
        Ok(out)
    }

    /// A named reviewer's scores (given again, they replace the earlier).
    pub async fn score_initiative(
        &self,
        id: i64,
        reviewer_id: i64,
        scores: Scores,
        comment: Option<String>,
        actor: &Actor,
    ) -> StoreResult<()> {
        let i = self.initiative(id).await?.ok_or(StoreError::NotFound)?;
        if i.status.is_decided() {
            return Err(StoreError::Refused(
                InitiativeError::AlreadyDecided.to_string(),
            ));
        }
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        let [a, b, c, d] = scores.0;
        let done = sqlx::query(
            "UPDATE initiative_reviews SET novelty = $1, applicability = $2, effectiveness = $3,
                    scalability = $4, comment = $5, scored_at = $6
             WHERE initiative_id = $7 AND reviewer_id = $8",
        )
        .bind(a)
        .bind(b)
        .bind(c)
        .bind(d)
        .bind(comment.clone())
        .bind(now)
        .bind(id)
        .bind(reviewer_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Refused(
                InitiativeError::NotAReviewer.to_string(),
            ));
        }
        audit::record(
            &mut tx,
            now,
            actor,
            Change {
                action: "score",
                entity: "initiative",
                entity_id: Some(id),
                province_id: i.province_id,
                commune_id: Some(i.commune_id),
                before: None,
                after: Some(json!({
                    "reviewer_id": reviewer_id,
                    "scores": scores.0,
                    "total": scores.total(),
                    "comment": comment,
                })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records the decision; a recognition counts toward the commune's
    /// initiative target for the decision's year at once.
    pub async fn decide_initiative(
        &self,
        id: i64,
        decision: Decision,
        expected_version: i64,
        actor: &Actor,
    ) -> StoreResult<Initiative> {
        let i = self.initiative(id).await?.ok_or(StoreError::NotFound)?;
        let status = if decision.recognised {
            InitiativeStatus::Recognised
        } else {
            InitiativeStatus::NotRecognised
        };
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        let done = sqlx::query(
            "UPDATE initiatives SET status = $1, decision_number = $2, decision_date = $3,
                    decision_note = $4, decided_at = $5, decided_by = $6, updated_at = $5,
                    version = version + 1
             WHERE id = $7 AND version = $8 AND status IN ('registered', 'under_review')",
        )
        .bind(status.as_str())
        .bind(decision.number.clone())
        .bind(date_text(Some(decision.date)))
        .bind(decision.note.clone())
        .bind(now)
        .bind(actor.user_id)
        .bind(id)
        .bind(expected_version)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            if i.status.is_decided() {
                return Err(StoreError::Refused(
                    InitiativeError::AlreadyDecided.to_string(),
                ));
            }
            return Err(StoreError::Conflict { current: i.version });
        }
        audit::record(
            &mut tx,
            now,
            actor,
            Change {
                action: "decide",
                entity: "initiative",
                entity_id: Some(id),
                province_id: i.province_id,
                commune_id: Some(i.commune_id),
                before: Some(json!({"status": i.status.as_str()})),
                after: Some(json!({
                    "status": status.as_str(),
                    "number": decision.number,
                    "date": decision.date.to_string(),
                    "note": decision.note,
                })),
            },
        )
        .await?;
        recompute(
            &mut tx,
            i.commune_id,
            AutoSource::InitiativesRecognised,
            decision.date,
            now,
        )
        .await?;
        tx.commit().await?;
        self.initiative(id).await?.ok_or(StoreError::NotFound)
    }
}

async fn insert_file(
    conn: &mut sqlx::AnyConnection,
    initiative_id: i64,
    province_id: Option<i64>,
    commune_id: i64,
    file: &UploadedFile,
    now: i64,
    actor: &Actor,
) -> StoreResult<()> {
    let sha = put_blob_in(conn, &file.bytes, file.content_type, now).await?;
    sqlx::query(
        "INSERT INTO initiative_files (initiative_id, province_id, commune_id, blob_sha256, file_name,
                content_type, size, created_at, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(initiative_id)
    .bind(province_id)
    .bind(commune_id)
    .bind(sha)
    .bind(file.file_name.clone())
    .bind(file.content_type)
    .bind(file.bytes.len() as i64)
    .bind(now)
    .bind(actor.user_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn file_from_row(r: &AnyRow) -> StoreResult<InitiativeFile> {
    Ok(InitiativeFile {
        id: r.try_get("id")?,
        initiative_id: r.try_get("initiative_id")?,
        blob_sha256: r.try_get("blob_sha256")?,
        file_name: r.try_get("file_name")?,
        content_type: r.try_get("content_type")?,
        size: r.try_get("size")?,
    })
}

fn initiative_from_row(r: &AnyRow) -> StoreResult<Initiative> {
    let status: String = r.try_get("status")?;
    let authors: String = r.try_get("authors")?;
    Ok(Initiative {
        id: r.try_get("id")?,
        province_id: r.try_get("province_id")?,
        commune_id: r.try_get("commune_id")?,
        commune_name: r.try_get("commune_name")?,
        commune_path: r.try_get("commune_path")?,
        unit_id: r.try_get("unit_id")?,
        unit_name: r.try_get("unit_name")?,
        unit_path: r.try_get("unit_path")?,
        title: r.try_get("title")?,
        authors: split_lines(&authors),
        problem: r.try_get("problem")?,
        solution: r.try_get("solution")?,
        benefit: r.try_get("benefit")?,
        status: InitiativeStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("initiative status {status}")))?,
        decision_number: r.try_get("decision_number")?,
        decision_date: parse_date(r.try_get("decision_date")?)?,
        decision_note: r.try_get("decision_note")?,
        created_at: r.try_get("created_at")?,
        version: r.try_get("version")?,
    })
}
