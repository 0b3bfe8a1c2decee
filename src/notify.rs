//! Daily warnings: for each unit and its commune's focal point, reminders
//! of each deadline (7 and 3 working days before, on the day, then every
//! `escalate_after` working days while it is late), which reports are
//! missing; the tasks still late after three reminders without accepted
//! progress, escalated to the leaders of the level that assigned them;
//! and, once a month, targets whose trend misses their goal. In the app
//! always, and by e-mail when an SMTP server is configured. Each event
//! reaches each person once.

use chrono::NaiveDate;
use lettre::message::Mailbox;
use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::{AsyncTransport, Message, Tokio1Executor};

use crate::clock::vietnam_date;
use crate::domain::access::Role;
use crate::domain::calendar::WorkCalendar;
use crate::domain::reminder::{Ladder, ReminderStep, escalates, overdue_reminders};
use crate::domain::status::due_soon_until;
use crate::store::{
    NewEscalation, NewNotification, OpenTask, ReminderRun, SentReminder, Store, StoreResult,
    TargetScope,
};

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

/// Works out today's events and stores the new ones: the reminder step of
/// each open task's deadline that falls today (see `domain::reminder`),
/// escalations, missing reports and trajectories. Returns how many
/// notifications were new.
pub async fn warn(
    store: &Store,
    today: NaiveDate,
    cal: &WorkCalendar,
    escalate_after: i64,
) -> StoreResult<usize> {
    let mut run = reminders(store, today, cal, escalate_after).await?;
    for m in store.missing_reports(today).await? {
        for user_id in recipients(store, m.unit_id, m.commune_id).await? {
            run.notifications.push(NewNotification {
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
    run.notifications
        .extend(trajectory_events(store, today).await?);
    store.record_reminders(&run).await
}

/// Today's reminder steps, each once per task, deadline and step, told to
/// the lead unit's reporters and the commune's focal point; and the tasks
/// that go to the leaders of their level today.
async fn reminders(
    store: &Store,
    today: NaiveDate,
    cal: &WorkCalendar,
    every: i64,
) -> StoreResult<ReminderRun> {
    let sent = store.reminders_sent().await?;
    let escalated = store.escalated_deadlines().await?;
    let progress = store.last_accepted_progress().await?;
    let mut run = ReminderRun::default();
    for t in store.open_tasks_due_by(due_soon_until(today, cal)).await? {
        let ladder = Ladder {
            due: t.due_on,
            every,
            cal,
        };
        let history = sent.get(&(t.task_id, t.due_on));
        let mut days: Vec<NaiveDate> = history
            .map(|h| h.iter().map(|(_, day)| *day).collect())
            .unwrap_or_default();
        if let Some(step) = ladder.step_on(today)
            && !history.is_some_and(|h| h.iter().any(|(s, _)| *s == step.key()))
        {
            days.push(today);
            run.sent.push(SentReminder {
                task_id: t.task_id,
                due_on: t.due_on,
                step: step.key(),
                sent_on: today,
                province_id: t.province_id,
                commune_id: t.commune_id,
            });
            let (kind, message) = reminder_words(&t, step, today, cal);
            for user_id in recipients(store, t.lead_unit_id, t.commune_id).await? {
                run.notifications.push(NewNotification {
                    user_id,
                    province_id: t.province_id,
                    commune_id: t.commune_id,
                    event_key: format!("remind:{}:{}:{}", t.task_id, t.due_on, step.key()),
                    kind,
                    message: message.clone(),
                    link: Some(format!("/tasks/{}", t.task_id)),
                });
            }
        }
        let last_progress = progress.get(&t.task_id).map(|ms| vietnam_date(*ms));
        if !escalated.contains(&(t.task_id, t.due_on))
            && escalates(t.due_on, today, &days, last_progress)
        {
            escalate(store, &mut run, &t, today, &days, last_progress).await?;
        }
    }
    Ok(run)
}

/// What a reminder says, by its step.
fn reminder_words(
    t: &OpenTask,
    step: ReminderStep,
    today: NaiveDate,
    cal: &WorkCalendar,
) -> (&'static str, String) {
    let due = t.due_on.format("%d/%m/%Y");
    match step {
        ReminderStep::WeekBefore | ReminderStep::ThreeDaysBefore => (
            "due_soon",
            format!(
                "Sắp đến hạn: {} phải hoàn thành trước {due} (còn {} ngày làm việc)",
                task_name(t),
                cal.working_days_between(today, t.due_on)
            ),
        ),
        ReminderStep::DueDay => (
            "due_today",
            format!("Đến hạn hôm nay: {} (hạn {due})", task_name(t)),
        ),
        ReminderStep::After(n) => (
            "overdue",
            format!(
                "Quá hạn: {} (hạn {due}) chưa hoàn thành — nhắc lần {n}",
                task_name(t)
            ),
        ),
    }
}

/// Sends a task to the leaders of the level that assigned it.
async fn escalate(
    store: &Store,
    run: &mut ReminderRun,
    t: &OpenTask,
    today: NaiveDate,
    days: &[NaiveDate],
    last_progress: Option<NaiveDate>,
) -> StoreResult<()> {
    let reminders = overdue_reminders(t.due_on, days, last_progress);
    run.escalations.push(NewEscalation {
        task_id: t.task_id,
        due_on: t.due_on,
        province_id: t.province_id,
        commune_id: t.commune_id,
        lead_unit_id: t.lead_unit_id,
        level_unit_id: t.level_unit_id,
        escalated_on: today,
        reminders: i64::try_from(reminders).unwrap_or(i64::MAX),
    });
    let message = format!(
        "Báo cáo lãnh đạo: {} của {} quá hạn từ {}, đã nhắc {reminders} lần chưa có tiến độ được tiếp nhận",
        task_name(t),
        t.lead_unit_name,
        t.due_on.format("%d/%m/%Y"),
    );
    for (user_id, _) in store.users_at(t.level_unit_id, Role::Leader).await? {
        run.notifications.push(NewNotification {
            user_id,
            province_id: t.province_id,
            commune_id: t.commune_id,
            event_key: format!("escalate:{}:{}", t.task_id, t.due_on),
            kind: "escalation",
            message: message.clone(),
            link: Some(format!("/tasks/{}", t.task_id)),
        });
    }
    Ok(())
}

/// Targets whose trend misses a goal: their unit's reporters and the
/// commune's focal point hear it once a month while it lasts.
async fn trajectory_events(store: &Store, today: NaiveDate) -> StoreResult<Vec<NewNotification>> {
    let mut events = Vec::new();
    let month = today.format("%Y-%m");
    for t in store
        .off_track_targets(TargetScope::everywhere(), i64::MAX)
        .await?
    {
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

/// Sends one person the link that sets their password (a new account, or
/// a reset by an administrator). The code is in the link and in the text,
/// for someone who types it on another device.
pub async fn send_enrolment(
    mail: &MailConfig,
    to: &str,
    username: &str,
    code: &str,
    link: &str,
) -> Result<(), String> {
    let hours = crate::domain::staff::ENROLMENT_HOURS;
    let body = format!(
        "Tài khoản Theo Dõi của bạn (tên đăng nhập: {username}) cần đặt mật khẩu.\n\n\
         Mở liên kết sau để đặt mật khẩu:\n{link}\n\n\
         hoặc nhập mã kích hoạt {code} tại trang đặt mật khẩu.\n\n\
         Mã chỉ dùng được một lần và hết hạn sau {hours} giờ. \
         Nếu bạn không đề nghị việc này, hãy báo quản trị viên.\n"
    );
    send_one(mail, to, "[Theo Dõi] Đặt mật khẩu cho tài khoản", body).await
}

/// Sends the code a person asked for on the "Quên mật khẩu" page. Their
/// password still works: someone else who asked changes nothing.
pub async fn send_self_reset(
    mail: &MailConfig,
    to: &str,
    username: &str,
    code: &str,
    link: &str,
) -> Result<(), String> {
    let minutes = crate::domain::staff::SELF_RESET_MINUTES;
    let body = format!(
        "Có người vừa đề nghị đặt lại mật khẩu tài khoản Theo Dõi \
         (tên đăng nhập: {username}).\n\n\
         Mở liên kết sau để đặt mật khẩu mới:\n{link}\n\n\
         hoặc nhập mã {code} tại trang đặt mật khẩu.\n\n\
         Mã chỉ dùng được một lần và hết hạn sau {minutes} phút. \
         Nếu không phải bạn đề nghị, hãy bỏ qua thư này: mật khẩu hiện tại \
         vẫn dùng được.\n"
    );
    send_one(mail, to, "[Theo Dõi] Đặt lại mật khẩu", body).await
}

async fn send_one(mail: &MailConfig, to: &str, subject: &str, body: String) -> Result<(), String> {
    let (host, port) = smtp_host_port(&mail.smtp_url)?;
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
        .port(port)
        .build();
    let from: Mailbox = mail.from.parse().map_err(|e| format!("sender: {e}"))?;
    let to: Mailbox = to.parse().map_err(|e| format!("recipient: {e}"))?;
    let email = Message::builder()
        .from(from)
        .to(to)
        .subject(subject)
        .body(body)
        .map_err(|e| e.to_string())?;
    transport
        .send(email)
        .await
        .map_err(|e| format!("SMTP: {e}"))?;
    Ok(())
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
