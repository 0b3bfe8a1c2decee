//! Figures computed for targets linked to an automatic source (see
//! `domain/auto_figure.rs`): one row per (target, period key), recomputed
//! inside the transaction that changes the inputs — a rating, a recognition
//! — so a target never shows a figure its inputs do not support.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde_json::json;
use sqlx::{AnyConnection, Row};

use super::audit::{self, Change};
use super::rollups::{RollupDeltas, refresh_target};
use super::rows::{date_text, parse_date};
use super::{Actor, Store, StoreError, StoreResult};
use crate::domain::auto_figure::AutoSource;
use crate::domain::period::ReportingPeriod;

#[derive(Debug, Clone, PartialEq)]
pub struct AutoFigure {
    pub target_id: i64,
    pub period_key: String,
    pub source: AutoSource,
    /// `None` while the source has nothing to count (no rating yet).
    pub value: Option<f64>,
    pub numerator: i64,
    pub denominator: i64,
    pub updated_at: i64,
}

impl Store {
    /// The automatic source a target is linked to, if any.
    pub async fn target_source(&self, target_id: i64) -> StoreResult<Option<AutoSource>> {
        let row = sqlx::query("SELECT source FROM target_sources WHERE target_id = $1")
            .bind(target_id)
            .fetch_optional(&self.read)
            .await?;
        match row {
            None => Ok(None),
            Some(r) => {
                let s: String = r.try_get("source")?;
                AutoSource::parse(&s)
                    .map(Some)
                    .ok_or_else(|| StoreError::Corrupt(format!("source {s}")))
            }
        }
    }

    /// Links a commune plan's target to an automatic source (or unlinks it
    /// with `None`) and computes its figures from what exists already.
    pub async fn link_target_source(
        &self,
        target_id: i64,
        source: Option<AutoSource>,
        actor: &Actor,
    ) -> StoreResult<()> {
        let row = sqlx::query("SELECT province_id, commune_id FROM targets WHERE id = $1")
            .bind(target_id)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        let province_id: Option<i64> = row.try_get("province_id")?;
        let commune_id: Option<i64> = row.try_get("commune_id")?;
        let Some(commune_id) = commune_id else {
            return Err(StoreError::Refused(
                "Chỉ chỉ tiêu của kế hoạch cấp xã mới lấy được số liệu tự động từ phản ánh, kiến nghị và sáng kiến của xã".into(),
            ));
        };
        let before = self.target_source(target_id).await?;
        let now = self.now_ms();
        let mut tx = self.write.begin().await?;
        sqlx::query("DELETE FROM auto_figures WHERE target_id = $1")
            .bind(target_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM target_sources WHERE target_id = $1")
            .bind(target_id)
            .execute(&mut *tx)
            .await?;
        if let Some(source) = source {
            sqlx::query(
                "INSERT INTO target_sources (target_id, province_id, commune_id, source, linked_at, linked_by)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(target_id)
            .bind(province_id)
            .bind(commune_id)
            .bind(source.as_str())
            .bind(now)
            .bind(actor.user_id)
            .execute(&mut *tx)
            .await?;
            let dates_sql = match source {
                AutoSource::FeedbackSatisfaction => {
                    "SELECT DISTINCT rated_on AS d FROM feedback WHERE commune_id = $1 AND rated_on IS NOT NULL"
                }
                AutoSource::InitiativesRecognised => {
                    "SELECT DISTINCT decision_date AS d FROM initiatives WHERE commune_id = $1 AND status = 'recognised'"
                }
            };
            let rows = sqlx::query(dates_sql)
                .bind(commune_id)
                .fetch_all(&mut *tx)
                .await?;
            let mut periods = BTreeSet::new();
            for r in rows {
                if let Some(d) = parse_date(r.try_get("d")?)? {
                    periods.extend(source.periods_for(d));
                }
            }
            for period in periods {
                write_figure(&mut tx, target_id, commune_id, source, &period, now).await?;
            }
        }
        audit::record(
            &mut tx,
            now,
            actor,
            Change {
                action: "link_source",
                entity: "target",
                entity_id: Some(target_id),
                province_id,
                commune_id: Some(commune_id),
                before: Some(json!({"source": before.map(|s| s.as_str())})),
                after: Some(json!({"source": source.map(|s| s.as_str())})),
            },
        )
        .await?;
        // Linked or unlinked, the target is judged by another figure now.
        let mut deltas = RollupDeltas::new(now);
        refresh_target(&mut tx, &mut deltas, target_id).await?;
        deltas.commit(tx).await
    }

    /// The automatic figure of a target for a period key (`2026-03`,
    /// `2026-Q1`, `2026`…), as dashboards read it.
    pub async fn auto_figure(
        &self,
        target_id: i64,
        period_key: &str,
    ) -> StoreResult<Option<AutoFigure>> {
        let row = sqlx::query(
            "SELECT target_id, period_key, source, value, numerator, denominator, updated_at
             FROM auto_figures WHERE target_id = $1 AND period_key = $2",
        )
        .bind(target_id)
        .bind(period_key.to_string())
        .fetch_optional(&self.read)
        .await?;
        row.as_ref().map(figure_from_row).transpose()
    }

    /// Every automatic figure of a target, newest period first.
    pub async fn auto_figures_of(&self, target_id: i64) -> StoreResult<Vec<AutoFigure>> {
        let rows = sqlx::query(
            "SELECT target_id, period_key, source, value, numerator, denominator, updated_at
             FROM auto_figures WHERE target_id = $1",
        )
        .bind(target_id)
        .fetch_all(&self.read)
        .await?;
        let mut out = rows
            .iter()
            .map(figure_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        out.sort_by_key(|f| {
            std::cmp::Reverse(
                ReportingPeriod::parse_key(&f.period_key)
                    .map(|p| (p.end(), std::cmp::Reverse(p.start()))),
            )
        });
        Ok(out)
    }
}

/// Recomputes, for every target of `commune_id` linked to `source`, the
/// figures of the periods that hold `date`, and the targets' met / not met
/// counters that follow from them. Called inside the transaction that
/// changed the inputs.
pub(super) async fn recompute(
    conn: &mut AnyConnection,
    deltas: &mut RollupDeltas,
    commune_id: i64,
    source: AutoSource,
    date: NaiveDate,
) -> StoreResult<()> {
    let now = deltas.now;
    let rows = sqlx::query(
        "SELECT target_id FROM target_sources WHERE commune_id = $1 AND source = $2 ORDER BY target_id",
    )
    .bind(commune_id)
    .bind(source.as_str())
    .fetch_all(&mut *conn)
    .await?;
    let targets = rows
        .iter()
        .map(|r| r.try_get::<i64, _>("target_id"))
        .collect::<Result<Vec<_>, _>>()?;
    for period in source.periods_for(date) {
        for target_id in &targets {
            write_figure(conn, *target_id, commune_id, source, &period, now).await?;
        }
    }
    for target_id in targets {
        refresh_target(conn, deltas, target_id).await?;
    }
    Ok(())
}

async fn write_figure(
    conn: &mut AnyConnection,
    target_id: i64,
    commune_id: i64,
    source: AutoSource,
    period: &ReportingPeriod,
    now: i64,
) -> StoreResult<()> {
    let sql = match source {
        AutoSource::FeedbackSatisfaction => {
            "SELECT COUNT(CASE WHEN satisfied = 1 THEN 1 END) AS num, COUNT(*) AS den
             FROM feedback WHERE commune_id = $1 AND satisfied IS NOT NULL
               AND rated_on >= $2 AND rated_on <= $3"
        }
        AutoSource::InitiativesRecognised => {
            "SELECT COUNT(*) AS num, COUNT(*) AS den
             FROM initiatives WHERE commune_id = $1 AND status = 'recognised'
               AND decision_date >= $2 AND decision_date <= $3"
        }
    };
    let row = sqlx::query(sql)
        .bind(commune_id)
        .bind(date_text(Some(period.start())))
        .bind(date_text(Some(period.end())))
        .fetch_one(&mut *conn)
        .await?;
    let (num, den): (i64, i64) = (row.try_get("num")?, row.try_get("den")?);
    let province_id: Option<i64> = sqlx::query("SELECT province_id FROM targets WHERE id = $1")
        .bind(target_id)
        .fetch_one(&mut *conn)
        .await?
        .try_get("province_id")?;
    super::rows::bind_real(
        sqlx::query(
        "INSERT INTO auto_figures (target_id, period_key, province_id, commune_id, source, value,
                numerator, denominator, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (target_id, period_key) DO UPDATE SET source = excluded.source,
            value = excluded.value, numerator = excluded.numerator,
            denominator = excluded.denominator, updated_at = excluded.updated_at",
    )
    .bind(target_id)
    .bind(period.key())
    .bind(province_id)
    .bind(commune_id)
    .bind(source.as_str()),
        source.value(num, den),
    )
    .bind(num)
    .bind(den)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn figure_from_row(r: &sqlx::any::AnyRow) -> StoreResult<AutoFigure> {
    let source: String = r.try_get("source")?;
    Ok(AutoFigure {
        target_id: r.try_get("target_id")?,
        period_key: r.try_get("period_key")?,
        source: AutoSource::parse(&source)
            .ok_or_else(|| StoreError::Corrupt(format!("source {source}")))?,
        value: r.try_get("value")?,
        numerator: r.try_get("numerator")?,
        denominator: r.try_get("denominator")?,
        updated_at: r.try_get("updated_at")?,
    })
}
