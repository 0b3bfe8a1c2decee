//! The store: the only place that talks to the database. One set of SQL for
//! both engines through sqlx's `Any` driver; the few differences between
//! SQLite and PostgreSQL live in `dialect.rs`. Methods are named for what
//! they do (`create_plan`, `tasks_of_plan`), take and return domain types,
//! and write the audit trail in the same transaction as the change.

mod accounts;
mod attachments;
mod audit;
mod auto_figures;
mod backup;
mod bulk;
mod calendar;
mod cascade;
mod completeness;
mod consolidation;
mod dialect;
mod directions;
mod evidence;
mod exchange;
mod extensions;
mod external;
mod feedback;
mod former;
mod imports;
mod initiatives;
mod kept_forms;
mod migrate;
mod notifications;
mod official;
mod onboarding;
mod password_reset;
mod plans;
mod rekey;
mod reminders;
mod report_items;
mod reports;
mod reviews;
mod rollups;
mod rows;
mod sessions;
mod staff;
mod targets;
mod task_admin;
mod task_status;
mod tasks;
mod todo;
mod unit_history;
mod unit_merge;
mod units;
mod users;

use std::sync::Arc;
use std::time::Duration;

use sqlx::AnyPool;
use sqlx::any::AnyPoolOptions;

use crate::clock::Clock;

pub use accounts::DORMANT;
pub use audit::{AuditEntry, Change};
pub use auto_figures::AutoFigure;
pub use backup::{
    BackupError, BackupSummary, TableRows, backup_tables, check_signature, verify_backup,
};
pub use bulk::BulkValue;
pub use cascade::{ChildTask, CommuneRound};
pub use consolidation::{BulkUpdate, bulk_status};
pub use dialect::Engine;
pub use directions::NewDirection;
pub use exchange::AcceptedFigure;
pub use extensions::NewExtension;
pub use feedback::{FeedbackFilter, NewFeedback};
pub use former::FormerImport;
pub use imports::{ImportOutcome, StagedUpload};
pub use initiatives::InitiativeFilter;
pub use kept_forms::KEEP_FOR_MS;
pub use notifications::{
    MissingReport, NewNotification, Notification, OffTrackTarget, OpenTask, TargetScope,
};
pub use official::OfficialImport;
pub use onboarding::Onboarded;
pub use plans::PlanFilter;
pub use rekey::{ResealCounts, Resealed, Resealer, SealedColumn};
pub use reminders::{NewEscalation, ReminderRun, SentReminder};
pub use reports::{ReportEdits, SavedReport};
pub use rollups::DashboardKey;
pub use sessions::{LoginCheck, SessionRecord, SignedIn};
pub use staff::{EnrolmentCode, NO_PASSWORD, NewEnrolment, UserFilter};
pub use targets::TargetFilter;
pub use task_status::{PlanProgress, TaskReportLine, TaskStanding};
pub use tasks::{StateFilter, TaskFilter};
pub use units::UnitFilter;
pub use users::{AccountName, NewUser, User};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("not found")]
    NotFound,
    /// Someone else saved the record since it was read.
    #[error("the record was changed by someone else (version {current})")]
    Conflict { current: i64 },
    /// A uniqueness rule was broken (e.g. a username taken).
    #[error("duplicate: {0}")]
    Duplicate(String),
    /// The rules forbid the change (a submitted report edited, …); the
    /// message is for people.
    #[error("{0}")]
    Refused(String),
    /// Another record of the kind carries this external id.
    #[error("external id {external} of a {} is taken (by {holder:?})", kind.as_str())]
    ExternalIdTaken {
        kind: crate::domain::external::RecordKind,
        external: crate::domain::external::ExternalId,
        holder: Option<i64>,
    },
    #[error("invalid reference: {0}")]
    InvalidReference(String),
    #[error("corrupt row: {0}")]
    Corrupt(String),
    #[error("migration {version} failed: {message}")]
    Migration { version: i64, message: String },
    #[error("unsupported database URL: {0}")]
    BadUrl(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Who makes a change, for the audit trail.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub ip: Option<String>,
}

impl Actor {
    pub fn system() -> Actor {
        Actor::default()
    }
}

/// Paging for lists: 1-based page, bounded size.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub page: u32,
    pub per_page: u32,
}

impl Page {
    pub const MAX_PER_PAGE: u32 = 500;

    pub fn new(page: Option<u32>, per_page: Option<u32>) -> Page {
        Page {
            page: page.unwrap_or(1).max(1),
            per_page: per_page.unwrap_or(50).clamp(1, Page::MAX_PER_PAGE),
        }
    }

    pub fn all() -> Page {
        Page {
            page: 1,
            per_page: 100_000,
        }
    }

    fn limit(&self) -> i64 {
        i64::from(self.per_page)
    }

    fn offset(&self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.per_page)
    }
}

#[derive(Debug, Clone)]
pub struct Listing<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: Page,
}

/// How to open the database: the URL, and for tests a PostgreSQL schema of
/// its own so each test starts from empty.
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    pub pg_schema: Option<String>,
    pub max_connections: Option<u32>,
}

#[derive(Clone, Debug)]
pub struct Store {
    read: AnyPool,
    write: AnyPool,
    engine: Engine,
    clock: Arc<dyn Clock>,
    /// PostgreSQL's bulk-load connection (`COPY`), opened on first use.
    copy: Option<sqlx::PgPool>,
}

impl Store {
    /// Opens the database named by `url` (a `postgres://` URL, a `sqlite:`
    /// URL, or a plain file path for SQLite) and applies pending migrations.
    pub async fn open(url: &str, clock: Arc<dyn Clock>) -> StoreResult<Store> {
        Store::open_with(url, clock, ConnectOptions::default()).await
    }

    pub async fn open_with(
        url: &str,
        clock: Arc<dyn Clock>,
        options: ConnectOptions,
    ) -> StoreResult<Store> {
        sqlx::any::install_default_drivers();
        let (engine, url) = dialect::resolve_url(url)?;
        let store = match engine {
            Engine::Sqlite => {
                // SQLite has one writer at a time; a pool of one writer
                // queues writes in the application instead of failing them
                // with SQLITE_BUSY, while readers proceed in parallel (WAL).
                let write = sqlite_pool(&url, 1).connect(&url).await?;
                let read = sqlite_pool(&url, options.max_connections.unwrap_or(4))
                    .connect(&url)
                    .await?;
                Store {
                    read,
                    write,
                    engine,
                    clock,
                    copy: None,
                }
            }
            Engine::Postgres => {
                let copy = dialect::copy_pool(&url, options.pg_schema.clone())?;
                let schema = options.pg_schema.clone();
                let pool = AnyPoolOptions::new()
                    .max_connections(options.max_connections.unwrap_or(16))
                    .acquire_timeout(Duration::from_secs(30))
                    .after_connect(move |conn, _| {
                        let schema = schema.clone();
                        Box::pin(async move {
                            if let Some(schema) = schema {
                                dialect::set_search_path(conn, &schema).await?;
                            }
                            Ok(())
                        })
                    })
                    .connect(&url)
                    .await?;
                Store {
                    read: pool.clone(),
                    write: pool,
                    engine,
                    clock,
                    copy: Some(copy),
                }
            }
        };
        migrate::apply(&store).await?;
        Ok(store)
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The same database, seen through another clock: `theodoi demo`
    /// writes its past through the store's own methods with a clock it
    /// moves day by day. The pools are shared, so closing either closes
    /// both.
    pub fn with_clock(&self, clock: Arc<dyn Clock>) -> Store {
        Store {
            clock,
            ..self.clone()
        }
    }

    fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// A cheap round trip, for `/healthz`.
    pub async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.read).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
        if let Some(copy) = &self.copy {
            copy.close().await;
        }
    }

    /// Starts ids of each table at a different offset, so a test that mixes
    /// up a unit id with a plan id finds nothing instead of a wrong row.
    pub async fn offset_ids_for_tests(&self) -> StoreResult<()> {
        let tables = [
            ("units", 1_000),
            ("plans", 20_000),
            ("tasks", 300_000),
            ("targets", 4_000_000),
            ("users", 50_000_000),
            ("task_units", 600_000_000),
            ("target_units", 700_000_000),
        ];
        for (table, start) in tables {
            dialect::restart_ids(&self.write, self.engine, table, start).await?;
        }
        Ok(())
    }
}

fn sqlite_pool(url: &str, max: u32) -> AnyPoolOptions {
    let _ = url;
    AnyPoolOptions::new()
        .max_connections(max)
        .min_connections(0)
        .acquire_timeout(Duration::from_secs(30))
        .after_connect(|conn, _| Box::pin(async move { dialect::sqlite_pragmas(conn).await }))
}
