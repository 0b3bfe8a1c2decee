//! Reads for the full export of a subtree: the figures of accepted reports,
//! a batch at a time in id order (the units, plans, tasks and targets come
//! through their own lists).

use sqlx::Row;

use super::{Store, StoreResult};

/// A figure from an accepted report.
#[derive(Debug, Clone, PartialEq)]
pub struct AcceptedFigure {
    pub id: i64,
    pub target_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub period_key: String,
    pub value: Option<f64>,
    pub source: Option<String>,
}

impl Store {
    /// Up to `limit` figures of accepted reports on targets of plans issued
    /// inside `path`, with ids above `after`, in id order: the next batch
    /// starts after the last id of this one.
    pub async fn accepted_figures_within(
        &self,
        path: &str,
        after: i64,
        limit: i64,
    ) -> StoreResult<Vec<AcceptedFigure>> {
        let rows = sqlx::query(
            "SELECT f.id, f.target_id, ur.unit_id, un.name AS unit_name, rr.period_key,
                    f.value, f.source
             FROM target_figures f
             JOIN unit_reports ur ON ur.id = f.report_id
             JOIN report_rounds rr ON rr.id = ur.round_id
             JOIN units un ON un.id = ur.unit_id
             JOIN targets g ON g.id = f.target_id
             JOIN plans p ON p.id = g.plan_id
             JOIN units u ON u.id = p.issuer_unit_id
             WHERE ur.status = 'accepted' AND f.value IS NOT NULL
               AND u.path LIKE $1 AND f.id > $2
             ORDER BY f.id LIMIT $3",
        )
        .bind(format!("{path}%"))
        .bind(after)
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AcceptedFigure {
                    id: r.try_get("id")?,
                    target_id: r.try_get("target_id")?,
                    unit_id: r.try_get("unit_id")?,
                    unit_name: r.try_get("unit_name")?,
                    period_key: r.try_get("period_key")?,
                    value: r.try_get("value")?,
                    source: r.try_get("source")?,
                })
            })
            .collect()
    }
}
