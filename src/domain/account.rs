//! Account rules: when an unused account is disabled, which second step a
//! login needs, and which part of the audit trail an administrator sees and
//! how it is searched and exported.

use chrono::{NaiveDate, NaiveTime};

use super::access::Role;

/// An account unused this many days is disabled (level-2 information
/// systems ask that accounts not used for a while be closed).
pub const DORMANT_AFTER_DAYS: i64 = 45;
pub const DAY_MS: i64 = 86_400_000;

/// The last sign of life of an account: its creation, its last login, or
/// the last time an administrator enabled it again.
pub fn last_activity(created_at: i64, last_login_at: Option<i64>, enabled_at: Option<i64>) -> i64 {
    created_at
        .max(last_login_at.unwrap_or(i64::MIN))
        .max(enabled_at.unwrap_or(i64::MIN))
}

/// Accounts whose last activity is before this moment are dormant.
pub fn dormant_cutoff(now_ms: i64) -> i64 {
    now_ms - DORMANT_AFTER_DAYS * DAY_MS
}

pub fn is_dormant(last_activity: i64, now_ms: i64) -> bool {
    last_activity < dormant_cutoff(now_ms)
}

/// Whether a session last seen `since_ms` ago is marked seen again now:
/// at a quarter of the idle timeout (so a page polled more often than that
/// never times out), and at most once a minute, since each mark is a write.
pub fn touch_due(idle_ms: i64, since_ms: i64) -> bool {
    since_ms >= (idle_ms / 4).clamp(1_000, 60_000)
}

/// What follows a correct password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecondStep {
    /// No second factor: the session opens.
    None,
    /// A code from the user's authenticator app.
    Code,
    /// An administrator without an authenticator enrols one first.
    Enrol,
}

/// Administrators must use a second factor; others may.
pub fn second_step(roles: &[Role], totp_enabled: bool) -> SecondStep {
    if totp_enabled {
        SecondStep::Code
    } else if roles.contains(&Role::Administrator) {
        SecondStep::Enrol
    } else {
        SecondStep::None
    }
}

/// Which audit entries an administrator sees: those of its own subtree,
/// by the province and commune columns every entry carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditScope {
    All,
    Province(i64),
    Commune(i64),
}

impl AuditScope {
    /// A national administrator sees everything; a province's, its
    /// province; a commune's (or a unit's inside it), its commune.
    pub fn for_unit(province_id: Option<i64>, commune_id: Option<i64>) -> AuditScope {
        match (commune_id, province_id) {
            (Some(c), _) => AuditScope::Commune(c),
            (None, Some(p)) => AuditScope::Province(p),
            (None, None) => AuditScope::All,
        }
    }
}

/// A search of the audit trail, read from a form or a query string.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    pub action: Option<String>,
    pub username: Option<String>,
    pub entity: Option<String>,
    pub entity_id: Option<i64>,
    /// Epoch milliseconds, inclusive.
    pub from_ms: Option<i64>,
    /// Epoch milliseconds, exclusive.
    pub until_ms: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditQueryError {
    #[error("Ngày \"{0}\" không hợp lệ; hãy nhập theo dạng ngày/tháng/năm hoặc năm-tháng-ngày")]
    BadDate(String),
    #[error("Mã đối tượng \"{0}\" phải là một số")]
    BadId(String),
    #[error("Ngày bắt đầu phải trước ngày kết thúc")]
    Reversed,
}

/// The raw fields of a search, as typed.
#[derive(Debug, Clone, Default)]
pub struct AuditQueryInput<'a> {
    pub action: Option<&'a str>,
    pub username: Option<&'a str>,
    pub entity: Option<&'a str>,
    pub entity_id: Option<&'a str>,
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
}

impl AuditQueryInput<'_> {
    /// Dates are days in Vietnam (UTC+7), both ends included.
    pub fn validate(&self) -> Result<AuditQuery, AuditQueryError> {
        let text = |v: Option<&str>| {
            v.map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let entity_id = match text(self.entity_id) {
            None => None,
            Some(t) => Some(t.parse().map_err(|_| AuditQueryError::BadId(t.clone()))?),
        };
        let from = text(self.from).map(|t| parse_day(&t)).transpose()?;
        let to = text(self.to).map(|t| parse_day(&t)).transpose()?;
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            return Err(AuditQueryError::Reversed);
        }
        Ok(AuditQuery {
            action: text(self.action),
            username: text(self.username),
            entity: text(self.entity),
            entity_id,
            from_ms: from.map(start_of_day_ms),
            until_ms: to.and_then(|d| d.succ_opt()).map(start_of_day_ms),
        })
    }
}

fn parse_day(text: &str) -> Result<NaiveDate, AuditQueryError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%d/%m/%Y"))
        .map_err(|_| AuditQueryError::BadDate(text.to_string()))
}

/// Midnight in Vietnam (UTC+7) as epoch milliseconds.
pub fn start_of_day_ms(day: NaiveDate) -> i64 {
    day.and_time(NaiveTime::MIN).and_utc().timestamp_millis() - 7 * 3_600_000
}

/// One CSV line (RFC 4180, ended by CRLF). A field that a spreadsheet would
/// run as a formula (`=`, `+`, `-`, `@` first) is prefixed with `'`.
pub fn csv_line(fields: &[String]) -> String {
    let mut line = fields
        .iter()
        .map(|f| csv_field(f))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

fn csv_field(field: &str) -> String {
    let guarded = if field.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{field}")
    } else {
        field.to_string()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_is_marked_seen_at_a_quarter_of_its_idle_time() {
        assert!(!touch_due(60_000, 14_999));
        assert!(touch_due(60_000, 15_000));
        assert!(!touch_due(15 * 60_000, 59_999));
        assert!(touch_due(15 * 60_000, 60_000));
        assert!(touch_due(0, 1_000));
    }

    const NOW: i64 = 1_773_108_000_000;

    #[test]
    fn an_account_unused_for_45_days_is_dormant() {
        let created = NOW - 100 * DAY_MS;
        let recent = last_activity(created, Some(NOW - 44 * DAY_MS), None);
        assert!(!is_dormant(recent, NOW));
        let old = last_activity(created, Some(NOW - 46 * DAY_MS), None);
        assert!(is_dormant(old, NOW));
        let never = last_activity(created, None, None);
        assert!(is_dormant(never, NOW));
        let enabled_again = last_activity(created, Some(NOW - 90 * DAY_MS), Some(NOW - DAY_MS));
        assert!(!is_dormant(enabled_again, NOW));
        assert!(!is_dormant(NOW - 45 * DAY_MS, NOW), "exactly 45 days");
    }

    #[test]
    fn administrators_need_a_second_factor() {
        assert_eq!(
            second_step(&[Role::Administrator], false),
            SecondStep::Enrol
        );
        assert_eq!(second_step(&[Role::Administrator], true), SecondStep::Code);
        assert_eq!(second_step(&[Role::Viewer], true), SecondStep::Code);
        assert_eq!(second_step(&[Role::Viewer], false), SecondStep::None);
    }

    #[test]
    fn administrators_see_their_subtree() {
        assert_eq!(AuditScope::for_unit(None, None), AuditScope::All);
        assert_eq!(AuditScope::for_unit(Some(2), None), AuditScope::Province(2));
        assert_eq!(
            AuditScope::for_unit(Some(2), Some(3)),
            AuditScope::Commune(3)
        );
    }

    #[test]
    fn searches_read_days_in_vietnam() {
        let q = AuditQueryInput {
            action: Some(" login "),
            from: Some("10/03/2026"),
            to: Some("2026-03-10"),
            entity_id: Some("42"),
            ..Default::default()
        }
        .validate()
        .expect("valid");
        assert_eq!(q.action.as_deref(), Some("login"));
        assert_eq!(q.entity_id, Some(42));
        // 2026-03-10 00:00 in Vietnam is 2026-03-09 17:00 UTC.
        assert_eq!(q.from_ms, Some(1_773_075_600_000));
        assert_eq!(q.until_ms, Some(1_773_075_600_000 + DAY_MS));
        assert!(q.from_ms <= Some(NOW) && Some(NOW) < q.until_ms);
        let bad = AuditQueryInput {
            from: Some("31/02/2026"),
            ..Default::default()
        };
        assert!(matches!(bad.validate(), Err(AuditQueryError::BadDate(_))));
        let reversed = AuditQueryInput {
            from: Some("2026-03-11"),
            to: Some("2026-03-10"),
            ..Default::default()
        };
        assert_eq!(reversed.validate(), Err(AuditQueryError::Reversed));
        let id = AuditQueryInput {
            entity_id: Some("x"),
            ..Default::default()
        };
        assert!(matches!(id.validate(), Err(AuditQueryError::BadId(_))));
    }

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        let line = csv_line(&[
            "a".into(),
            "b,c".into(),
            "say \"hi\"".into(),
            "=1+1".into(),
            "Nguyễn".into(),
        ]);
        assert_eq!(line, "a,\"b,c\",\"say \"\"hi\"\"\",'=1+1,Nguyễn\r\n");
    }
}
