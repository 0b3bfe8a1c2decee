//! Small helpers shared by the store's queries: values bound to dynamic SQL,
//! a page of a filtered list, and decoding the portable column types (ISO
//! dates, 0/1 flags).

use chrono::NaiveDate;
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, AnyPool, Row};

use super::{Page, StoreError, StoreResult};

/// A value for a placeholder of a query built at run time (a list with
/// optional filters).
#[derive(Debug, Clone)]
pub enum Bind {
    Int(i64),
    Text(String),
}

/// Builds `WHERE` clauses with numbered placeholders that both engines read.
#[derive(Debug, Default)]
pub struct Conditions {
    clauses: Vec<String>,
    pub binds: Vec<Bind>,
}

impl Conditions {
    /// Adds a clause in which `?` stands for the next placeholder.
    pub fn push(&mut self, clause: &str, value: Bind) {
        self.binds.push(value);
        let n = self.binds.len();
        self.clauses.push(clause.replace('?', &format!("${n}")));
    }

    pub fn push_raw(&mut self, clause: &str) {
        self.clauses.push(clause.to_string());
    }

    pub fn next_placeholder(&self) -> usize {
        self.binds.len() + 1
    }

    pub fn sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.clauses.join(" AND "))
        }
    }
}

pub fn bind_all<'q>(
    mut query: Query<'q, Any, AnyArguments>,
    binds: &[Bind],
) -> Query<'q, Any, AnyArguments> {
    for b in binds {
        query = match b {
            Bind::Int(v) => query.bind(*v),
            Bind::Text(v) => query.bind(v.clone()),
        };
    }
    query
}

/// One page of a filtered list, and how many rows the whole list has. The
/// count and the page read the same `FROM` and `WHERE`, so the total always
/// matches the rows paging walks through. `from` starts with `FROM`; `order`
/// should end with a unique column so pages do not overlap. A first page
/// that holds the whole list is its own count: most lists (a report's
/// tasks, a unit's children) are, and are read on every save.
pub async fn fetch_page(
    pool: &AnyPool,
    columns: &str,
    from: &str,
    c: &Conditions,
    order: &str,
    page: Page,
) -> StoreResult<(i64, Vec<AnyRow>)> {
    let where_sql = c.sql();
    let n = c.next_placeholder();
    let sql = format!(
        "SELECT {columns} {from}{where_sql} ORDER BY {order} LIMIT ${n} OFFSET ${}",
        n + 1
    );
    let rows = bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), &c.binds)
        .bind(page.limit())
        .bind(page.offset())
        .fetch_all(pool)
        .await?;
    let whole = page.offset() == 0 && (rows.len() as i64) < page.limit();
    if whole {
        return Ok((rows.len() as i64, rows));
    }
    let count_sql = format!("SELECT COUNT(*) AS n {from}{where_sql}");
    let total: i64 = bind_all(sqlx::query(sqlx::AssertSqlSafe(count_sql)), &c.binds)
        .fetch_one(pool)
        .await?
        .try_get("n")?;
    Ok((total, rows))
}

/// `($1, $2), ($3, $4), …`: `rows` groups of `columns` placeholders.
pub(super) fn placeholders(rows: usize, columns: usize) -> String {
    (0..rows)
        .map(|r| {
            let ps: Vec<String> = (1..=columns)
                .map(|c| format!("${}", r * columns + c))
                .collect();
            format!("({})", ps.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Binds a nullable real. sqlx 0.9's `Any` driver sends a NULL `f64` to
/// PostgreSQL as `float4` but a value as `float8`, so a statement prepared
/// with one fails with the other ("incorrect binary data format"). A NULL
/// `f32` goes as `float8`, so every nullable real is bound through here.
pub fn bind_real<'q>(
    query: Query<'q, Any, AnyArguments>,
    value: Option<f64>,
) -> Query<'q, Any, AnyArguments> {
    match value {
        Some(v) => query.bind(v),
        None => query.bind(None::<f32>),
    }
}

pub fn date_text(date: Option<NaiveDate>) -> Option<String> {
    date.map(|d| d.format("%Y-%m-%d").to_string())
}

pub fn parse_date(text: Option<String>) -> StoreResult<Option<NaiveDate>> {
    match text {
        None => Ok(None),
        Some(t) => NaiveDate::parse_from_str(&t, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| StoreError::Corrupt(format!("bad date {t}"))),
    }
}

pub fn flag(row: &AnyRow, column: &str) -> StoreResult<bool> {
    Ok(row.try_get::<i64, _>(column)? != 0)
}

/// Lists kept in one text column, one item per line (group paths, basis).
pub fn join_lines(items: &[String]) -> String {
    items.join("\n")
}

pub fn split_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::to_string)
        .filter(|s| !s.is_empty())
        .collect()
}

/// Turns a unique-key violation into a `Duplicate`, which pages show as a
/// form error; other errors pass through.
pub fn map_unique(err: sqlx::Error, what: &str) -> StoreError {
    if let sqlx::Error::Database(db) = &err {
        if db.is_unique_violation() {
            return StoreError::Duplicate(what.to_string());
        }
        if db.is_foreign_key_violation() {
            return StoreError::InvalidReference(what.to_string());
        }
    }
    StoreError::Database(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_number_their_placeholders() {
        let mut c = Conditions::default();
        c.push("plan_id = ?", Bind::Int(3));
        c.push("folded_title LIKE ?", Bind::Text("%a%".into()));
        assert_eq!(c.sql(), " WHERE plan_id = $1 AND folded_title LIKE $2");
        assert_eq!(c.next_placeholder(), 3);
    }

    #[test]
    fn lines_round_trip() {
        let items = vec!["I. Một".to_string(), "1. Hai".to_string()];
        assert_eq!(split_lines(&join_lines(&items)), items);
        assert!(split_lines("").is_empty());
    }
}
