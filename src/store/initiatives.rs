//! Initiatives: registration with attachments, the council of named
//! reviewers and their scores, and the decision — which recomputes the
//! commune's recognised-initiative figure in the same transaction.

use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::attachments::{FileOwner, attach_in};
use super::audit::{self, Change};
use super::auto_figures::recompute;
use super::rollups::RollupDeltas;
use super::rows::{Bind, Conditions, date_text, fetch_page, join_lines, parse_date, split_lines};
use super::{Actor, Listing, Page, Store, StoreError, StoreResult};
use crate::domain::attachment::{AttachedTo, UploadedFile};
use crate::domain::auto_figure::AutoSource;
use crate::domain::initiative::{
    Decision, Initiative, InitiativeDraft, InitiativeError, InitiativeStatus, Review, Scores,
    may_decide,
};
use crate::domain::text::search_key;
use crate::domain::unit::Unit;
use crate::domain::valid::Valid;

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
        draft: Valid<InitiativeDraft>,
        unit: &Unit,
        files: Vec<Valid<UploadedFile>>,
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
        let owner = FileOwner {
            id,
            province_id: unit.province_id,
            commune_id,
        };
        for file in &files {
            attach_in(&mut tx, AttachedTo::Initiative, &owner, file, now, actor).await?;
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

    /// Adds files to an initiative, in one transaction, each recorded in
    /// the audit trail.
    pub async fn add_initiative_files(
        &self,
        id: i64,
        files: Vec<Valid<UploadedFile>>,
        actor: &Actor,
    ) -> StoreResult<()> {
        let i = self.initiative(id).await?.ok_or(StoreError::NotFound)?;
        let owner = FileOwner {
            id,
            province_id: i.province_id,
            commune_id: i.commune_id,
        };
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        for file in &files {
            attach_in(&mut tx, AttachedTo::Initiative, &owner, file, now, actor).await?;
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
        }
        tx.commit().await?;
        Ok(())
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
    /// initiative target for the decision's year at once. Whether it may
    /// be decided ([`may_decide`]: not twice, not before a council member
    /// has scored) is judged on the status and scores read inside this
    /// transaction, with the initiative's row locked, so a decision never
    /// rests on a count taken before someone else's change.
    pub async fn decide_initiative(
        &self,
        id: i64,
        decision: Valid<Decision>,
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
        let (before, version) = lock_initiative(&mut tx, id).await?;
        let scored: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM initiative_reviews
             WHERE initiative_id = $1 AND scored_at IS NOT NULL",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?;
        may_decide(before, usize::try_from(scored).unwrap_or(0))
            .map_err(|e| StoreError::Refused(e.to_string()))?;
        if version != expected_version {
            return Err(StoreError::Conflict { current: version });
        }
        sqlx::query(
            "UPDATE initiatives SET status = $1, decision_number = $2, decision_date = $3,
                    decision_note = $4, decided_at = $5, decided_by = $6, updated_at = $5,
                    version = version + 1
             WHERE id = $7",
        )
        .bind(status.as_str())
        .bind(decision.number.clone())
        .bind(date_text(Some(decision.date)))
        .bind(decision.note.clone())
        .bind(now)
        .bind(actor.user_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
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
                before: Some(json!({"status": before.as_str()})),
                after: Some(json!({
                    "status": status.as_str(),
                    "number": decision.number,
                    "date": decision.date.to_string(),
                    "note": decision.note,
                })),
            },
        )
        .await?;
        let mut deltas = RollupDeltas::new(now);
        recompute(
            &mut tx,
            &mut deltas,
            i.commune_id,
            AutoSource::InitiativesRecognised,
            decision.date,
        )
        .await?;
        deltas.commit(tx).await?;
        self.initiative(id).await?.ok_or(StoreError::NotFound)
    }
}

/// Takes the initiative's row lock until the transaction ends (a no-op
/// update: PostgreSQL holds the row, SQLite's single writer already holds
/// the database) and reads its status and version under it.
async fn lock_initiative(
    conn: &mut sqlx::AnyConnection,
    id: i64,
) -> StoreResult<(InitiativeStatus, i64)> {
    sqlx::query("UPDATE initiatives SET version = version WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    let row = sqlx::query("SELECT status, version FROM initiatives WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let status: String = row.try_get("status")?;
    let status = InitiativeStatus::parse(&status)
        .ok_or_else(|| StoreError::Corrupt(format!("initiative status {status}")))?;
    Ok((status, row.try_get("version")?))
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
