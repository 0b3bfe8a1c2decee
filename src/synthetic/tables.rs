//! The tables `theodoi gen` writes, in foreign-key order, and the row values.

use super::*;

// Tables, in foreign-key order: a flush writes them in this order so every
// row's parent is stored before it.

pub(super) struct TableSpec {
    pub(super) name: &'static str,
    pub(super) columns: &'static [&'static str],
}

pub(super) const T_UNITS: usize = 0;
pub(super) const T_PLANS: usize = 1;
pub(super) const T_TASKS: usize = 2;
pub(super) const T_TASK_UNITS: usize = 3;
pub(super) const T_TARGETS: usize = 4;
pub(super) const T_TARGET_UNITS: usize = 5;
pub(super) const T_TARGET_GOALS: usize = 6;
pub(super) const T_ROUNDS: usize = 7;
pub(super) const T_REPORTS: usize = 8;
pub(super) const T_TASK_UPDATES: usize = 9;
pub(super) const T_FIGURES: usize = 10;
pub(super) const T_TASK_FACTS: usize = 11;
pub(super) const T_TARGET_FACTS: usize = 12;
pub(super) const T_ROLLUPS: usize = 13;
pub(super) const T_ROLLUP_TIMES: usize = 14;

pub(super) const TABLES: [TableSpec; 15] = [
    TableSpec {
        name: "units",
        columns: &[
            "id",
            "parent_id",
            "kind",
            "name",
            "folded_name",
            "side",
            "path",
            "province_id",
            "commune_id",
            "created_at",
            "updated_at",
            "version",
            "code",
            "official_type",
        ],
    },
    TableSpec {
        name: "plans",
        columns: &[
            "id",
            "province_id",
            "commune_id",
            "issuer_unit_id",
            "number",
            "issued_on",
            "place",
            "title",
            "folded_title",
            "basis",
            "periods",
            "unit_due_day",
            "consolidated_due_day",
            "source_digest",
            "created_at",
            "updated_at",
            "version",
        ],
    },
    TableSpec {
        name: "tasks",
        columns: &[
            "id",
            "plan_id",
            "province_id",
            "commune_id",
            "ref",
            "group_path",
            "position",
            "title",
            "folded_title",
            "product",
            "deadline_text",
            "deadline_kind",
            "deadline_start",
            "deadline_end",
            "funding",
            "legal_basis",
            "parent_task_id",
            "draft",
            "created_at",
            "updated_at",
            "version",
            "not_applicable_reason",
        ],
    },
    TableSpec {
        name: "task_units",
        columns: &[
            "id",
            "task_id",
            "province_id",
            "commune_id",
            "role",
            "position",
            "mention",
            "unit_id",
        ],
    },
    TableSpec {
        name: "targets",
        columns: &[
            "id",
            "plan_id",
            "province_id",
            "commune_id",
            "ref",
            "group_path",
            "position",
            "name",
            "folded_name",
            "measure_unit",
            "direction",
            "note",
            "created_at",
            "updated_at",
            "version",
        ],
    },
    TableSpec {
        name: "target_units",
        columns: &[
            "id",
            "target_id",
            "province_id",
            "commune_id",
            "position",
            "mention",
            "unit_id",
        ],
    },
    TableSpec {
        name: "target_goals",
        columns: &[
            "target_id",
            "province_id",
            "commune_id",
            "position",
            "year",
            "op",
            "value",
            "text",
        ],
    },
    TableSpec {
        name: "report_rounds",
        columns: &[
            "id",
            "plan_id",
            "province_id",
            "commune_id",
            "period_key",
            "kind",
            "title",
            "unit_due_on",
            "consolidated_due_on",
            "created_by",
            "created_at",
        ],
    },
    TableSpec {
        name: "unit_reports",
        columns: &[
            "id",
            "round_id",
            "unit_id",
            "province_id",
            "commune_id",
            "status",
            "difficulties",
            "recommendations",
            "first_submitted_at",
            "submitted_at",
            "submitted_by",
            "reviewed_at",
            "reviewed_by",
            "review_comment",
            "created_at",
            "updated_at",
            "version",
        ],
    },
    TableSpec {
        name: "task_updates",
        columns: &[
            "id",
            "report_id",
            "task_id",
            "province_id",
            "commune_id",
            "status",
            "percent",
            "result",
            "suspend_reason",
            "review_comment",
            "updated_at",
            "updated_by",
            "version",
        ],
    },
    TableSpec {
        name: "target_figures",
        columns: &[
            "id",
            "report_id",
            "target_id",
            "province_id",
            "commune_id",
            "value",
            "source",
            "review_comment",
            "updated_at",
            "updated_by",
            "version",
        ],
    },
    TableSpec {
        name: "task_facts",
        columns: &[
            "task_id",
            "province_id",
            "commune_id",
            "live",
            "due_on",
            "done",
            "status",
            "updated_at",
            "last_update",
            "first_done",
        ],
    },
    TableSpec {
        name: "target_facts",
        columns: &[
            "target_id",
            "year",
            "province_id",
            "commune_id",
            "state",
            "value",
            "updated_at",
        ],
    },
    TableSpec {
        name: "rollups",
        columns: &["unit_id", "parent_id", "metric", "bucket", "value"],
    },
    TableSpec {
        name: "rollup_times",
        columns: &["unit_id", "updated_at"],
    },
];

/// The next explicit id of each table (tables without an id ignore it).
pub(super) struct Ids(pub(super) [i64; TABLES.len()]);

impl Ids {
    pub(super) fn next(&mut self, table: usize) -> i64 {
        self.0[table] += 1;
        self.0[table]
    }
}

// ---------------------------------------------------------------------------
// Values

pub(super) fn int(v: i64) -> BulkValue {
    BulkValue::Int(v)
}

pub(super) fn text(v: impl Into<String>) -> BulkValue {
    BulkValue::Text(v.into())
}

pub(super) fn opt_int(v: Option<i64>) -> BulkValue {
    v.map_or(BulkValue::Null, BulkValue::Int)
}

pub(super) fn opt_text(v: Option<&str>) -> BulkValue {
    v.map_or(BulkValue::Null, |s| BulkValue::Text(s.to_string()))
}

pub(super) fn opt_real(v: Option<f64>) -> BulkValue {
    v.map_or(BulkValue::Null, BulkValue::Real)
}

#[allow(clippy::too_many_arguments)]
pub(super) fn unit_row(
    id: i64,
    parent: Option<i64>,
    kind: &str,
    name: &str,
    side: &str,
    path: &str,
    province_id: Option<i64>,
    commune_id: Option<i64>,
    official: Option<&Official>,
    at: i64,
) -> Vec<BulkValue> {
    vec![
        int(id),
        opt_int(parent),
        text(kind),
        text(name),
        text(search_key(name)),
        text(side),
        text(path),
        opt_int(province_id),
        opt_int(commune_id),
        int(at),
        int(at),
        int(1),
        opt_text(official.map(|o| o.code.as_str())),
        opt_text(official.map(|o| o.official_type.as_str())),
    ]
}

/// Epoch milliseconds of a Vietnamese wall-clock time (UTC+7).
pub(super) fn vn_ms(date: NaiveDate, minutes: i64) -> i64 {
    date.and_time(NaiveTime::MIN).and_utc().timestamp_millis() + minutes * 60_000 - 7 * 3_600_000
}

pub(super) fn date_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}
