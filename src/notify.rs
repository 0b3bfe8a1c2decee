//! Daily warnings: for each unit and its commune's focal point, what is
//! overdue, what is due within 7 working days, which reports are missing;
//! and an escalation to the commune's leaders when a task stays overdue
//! for `escalate_after` working days; and, once a month, targets whose
//! trend misses their goal. In the app always, and by e-mail when
//! an SMTP server is configured. Each event reaches each person once.

use chrono::NaiveDate;
use lettre::message::Mailbox;
use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::{AsyncTransport, Message, Tokio1Executor};

use crate::domain::access::Role;
use crate::domain::calendar::WorkCalendar;
use crate::domain::status::due_soon_until;
use crate::store::{NewNotification, OpenTask, Store, StoreResult};

/// Where to send e-mail: an SMTP relay (`smtp://host:port`) and the sender.
#[derive(Debug, Clone)]
pub struct MailConfig {
    pub smtp_url: String,
    pub from: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub new_notifications: usize,
    pub emailed: usize,
}

fn task_name(t: &OpenTask) -> String {
    match &t.reference {
        Some(r) => format!("nhiệm vụ {r} “{}”", t.title),
        None => format!("nhiệm vụ “{}”", t.title),
    }
}

async fn recipients(store: &Store, unit_id: i64, commune_id: Option<i64>) -> StoreResult<Vec<i64>> {
    let mut ids: Vec<i64> = store
        .users_at(unit_id, Role::UnitReporter)
        .await?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    if let Some(c) = commune_id {
        for (id, _) in store.users_at(c, Role::FocalPoint).await? {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    Ok(ids)
}

/// Works out today's events and stores the new ones.
pub async fn warn(
    store: &Store,
    today: NaiveDate,
    cal: &WorkCalendar,
    escalate_after: i64,
) -> StoreResult<usize> {
    let mut events = Vec::new();
    for t in store.open_tasks_due_by(due_soon_until(today, cal)).await? {
        let link = Some(format!("/tasks/{}", t.task_id));
        let due = t.due_on.format("%d/%m/%Y");
        let (kind, key, message) = if t.due_on < today {
            (
                "overdue",
                format!("overdue:{}:{}", t.task_id, t.due_on),
                format!("Quá hạn: {} (hạn {due}) chưa hoàn thành", task_name(&t)),
            )
        } else {
            (
                "due_soon",
                format!("due_soon:{}:{}", t.task_id, t.due_on),
                format!("Sắp đến hạn: {} phải hoàn thành trước {due}", task_name(&t)),
            )
        };
        for user_id in recipients(store, t.lead_unit_id, t.commune_id).await? {
            events.push(NewNotification {
                user_id,
                province_id: t.province_id,
                commune_id: t.commune_id,
                event_key: key.clone(),
                kind,
                message: message.clone(),
                link: link.clone(),
            });
        }
        if t.due_on < today
            && cal.working_days_between(t.due_on, today) >= escalate_after
            && let Some(commune) = t.commune_id
        {
            for (user_id, _) in store.users_at(commune, Role::Leader).await? {
                events.push(NewNotification {
                    user_id,
                    province_id: t.province_id,
                    commune_id: t.commune_id,
                    event_key: format!("escalate:{}:{}", t.task_id, t.due_on),
                    kind: "escalation",
                    message: format!(
                        "Báo cáo lãnh đạo: {} đã quá hạn {} ngày làm việc (hạn {due})",
                        task_name(&t),
                        cal.working_days_between(t.due_on, today)
                    ),
                    link: link.clone(),
                });
            }
        }
    }
    for m in store.missing_reports(today).await? {
        for user_id in recipients(store, m.unit_id, m.commune_id).await? {
            events.push(NewNotification {
                user_id,
                province_id: m.province_id,
                commune_id: m.commune_id,
                event_key: format!("missing:{}", m.report_id),
                kind: "missing_report",
                message: format!(
                    "Chưa nộp báo cáo {} của {} (hạn {})",
                    crate::domain::period::ReportingPeriod::parse_key(&m.period_key)
                        .map(|p| crate::domain::text::lower_first(&p.label_vi()))
                        .unwrap_or_else(|| format!("kỳ {}", m.period_key)),
                    m.unit_name,
                    m.due_on.format("%d/%m/%Y")
                ),
                link: Some(format!("/reports/{}", m.report_id)),
            });
        }
    }
    events.extend(trajectory_events(store, today).await?);
    store.notify(&events).await
}

/// Targets whose trend misses a goal: their unit's reporters and the
/// commune's focal point hear it once a month while it lasts.
async fn trajectory_events(store: &Store, today: NaiveDate) -> StoreResult<Vec<NewNotification>> {
    let mut events = Vec::new();
    let month = today.format("%Y-%m");
    for t in store.off_track_targets("/", i64::MAX).await? {
        let name = match &t.reference {
            Some(r) => format!("chỉ tiêu {r} “{}”", t.name),
            None => format!("chỉ tiêu “{}”", t.name),
        };
        let message = format!("Nguy cơ không đạt {name}: {}", t.warning);
        let recipients = match t.lead_unit_id {
            Some(unit) => recipients(store, unit, t.commune_id).await?,
            None => match t.commune_id {
                Some(c) => store
                    .users_at(c, Role::FocalPoint)
                    .await?
                    .into_iter()
                    .map(|(id, _)| id)
                    .collect(),
                None => Vec::new(),
            },
        };
        for user_id in recipients {
            events.push(NewNotification {
                user_id,
                province_id: t.province_id,
                commune_id: t.commune_id,
                event_key: format!("trajectory:{}:{}:{month}", t.target_id, t.year),
                kind: "trajectory",
                message: message.clone(),
                link: Some(format!("/targets/{}", t.target_id)),
            });
        }
    }
    Ok(events)
}

/// Sends the notifications not e-mailed yet; each is marked as soon as it
/// is handed to the server, so a retry never sends it again.
pub async fn email(store: &Store, mail: &MailConfig) -> Result<usize, String> {
    // A relay inside the province's network (or on the host), reached
    // without TLS; the relay handles delivery onwards.
    let (host, port) = smtp_host_port(&mail.smtp_url)?;
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
        .port(port)
        .build();
    let from: Mailbox = mail.from.parse().map_err(|e| format!("sender: {e}"))?;
    let pending = store.unemailed().await.map_err(|e| e.to_string())?;
    let mut sent = 0;
    for (id, to, message, link) in pending {
        let Ok(to) = to.parse::<Mailbox>() else {
            // A malformed address would fail forever; skip it for good.
            store.mark_emailed(id).await.map_err(|e| e.to_string())?;
            continue;
        };
        let body = match link {
            Some(l) => format!("{message}\n\nXem chi tiết trong Theo Dõi: {l}\n"),
            None => format!("{message}\n"),
        };
        let email = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(format!(
                "[Theo Dõi] {}",
                message.chars().take(80).collect::<String>()
            ))
            .body(body)
            .map_err(|e| e.to_string())?;
        transport
            .send(email)
            .await
            .map_err(|e| format!("SMTP: {e}"))?;
        store.mark_emailed(id).await.map_err(|e| e.to_string())?;
        sent += 1;
    }
    Ok(sent)
}

/// `smtp://host:port` (port 25 when absent).
pub fn smtp_host_port(url: &str) -> Result<(String, u16), String> {
    let rest = url
        .strip_prefix("smtp://")
        .ok_or_else(|| format!("SMTP URL must start with smtp://: {url}"))?;
    let rest = rest.trim_end_matches('/');
    match rest.rsplit_once(':') {
        Some((host, port)) => Ok((
            host.to_string(),
            port.parse()
                .map_err(|_| format!("bad SMTP port in {url}"))?,
        )),
        None => Ok((rest.to_string(), 25)),
    }
}

/// Today's warnings, then e-mail when configured.
pub async fn run_daily(store: &Store, mail: Option<&MailConfig>, escalate_after: i64) -> Summary {
    // Recurring tasks move on to their next occurrence first, so the one
    // that just ended is not taken for overdue.
    if let Err(e) = store.roll_over_recurring_tasks().await {
        tracing::error!(error = %e, "moving recurring tasks to their next occurrence failed");
    }
    let today = store.clock().today();
    let cal = match store.work_calendar().await {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "reading the calendar failed");
            WorkCalendar::vietnam()
        }
    };
    let new_notifications = match warn(store, today, &cal, escalate_after).await {
        Ok(n) => n,
        Err(e) => {
            tracing::error!(error = %e, "computing warnings failed");
            0
        }
    };
    let emailed = match mail {
        Some(m) => email(store, m).await.unwrap_or_else(|e| {
            tracing::error!(error = %e, "sending e-mail failed; will retry");
            0
        }),
        None => 0,
    };
    Summary {
        new_notifications,
        emailed,
    }
}

#[cfg(test)]
mod tests {
    use super::smtp_host_port;

    #[test]
    fn smtp_urls_name_a_host_and_port() {
        assert_eq!(
            smtp_host_port("smtp://127.0.0.1:2525"),
            Ok(("127.0.0.1".into(), 2525))
        );
        assert_eq!(
            smtp_host_port("smtp://mail.local"),
            Ok(("mail.local".into(), 25))
        );
        assert!(smtp_host_port("http://x").is_err());
    }
}
