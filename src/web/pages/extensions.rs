//! Extension and adjustment on the task page: the original deadline and
//! every later one, the requests and their decisions, the lead unit's form
//! to ask and the assigning level's form to decide (plain forms, no
//! script). A refused form shows the task page again with what was typed.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;

use super::tasks::task_page;
use crate::actions::extensions;
use crate::domain::task::Task;
use crate::web::AppState;
use crate::web::error::{AppError, PageError};
use crate::web::flash::{Flash, redirect_with};
use crate::web::forms::{FormPairs, answer_form};
use crate::web::labels;
use crate::web::session::{Auth, ClientIp, PageAuth};

/// One deadline of the task's history, in words.
pub struct DeadlineRow {
    pub deadline: String,
    /// "Ban đầu", or since when and why.
    pub since: String,
    pub current: bool,
}

/// One request as the task page shows it.
pub struct ExtensionRow {
    pub id: i64,
    pub version: i64,
    pub asked: String,
    pub reason: String,
    pub who: String,
    pub state: &'static str,
    pub state_class: &'static str,
    pub decision: String,
    pub may_decide: bool,
}

/// The task page's section on extension and adjustment.
#[derive(Default)]
pub struct ExtensionSection {
    pub deadlines: Vec<DeadlineRow>,
    pub requests: Vec<ExtensionRow>,
    /// The person asks for the lead unit (and nothing waits already).
    pub may_ask: bool,
    /// A refused request: why, and the deadline, product and reason typed.
    pub ask_error: Option<(String, [String; 3])>,
    /// A refused decision: which request and why.
    pub decide_error: Option<(i64, String)>,
}

pub async fn section(
    state: &AppState,
    auth: &Auth,
    task: &Task,
) -> Result<ExtensionSection, AppError> {
    let p = &auth.principal;
    let steps = extensions::deadlines_of(state, p, task.id).await?;
    let last = steps.len().saturating_sub(1);
    let deadlines = steps
        .into_iter()
        .enumerate()
        .map(|(i, s)| DeadlineRow {
            deadline: s.deadline,
            since: match s.since {
                None => "Thời hạn ban đầu".into(),
                Some((at, why)) => format!("Từ {}: {why}", labels::date_time(at)),
            },
            current: i == last,
        })
        .collect();
    let found = extensions::of_task(state, p, task.id).await?;
    let waiting = found
        .iter()
        .any(|x| x.state == crate::domain::extension::ExtensionState::Pending);
    let requests = found
        .into_iter()
        .map(|x| {
            let mut asked = Vec::new();
            if let Some(d) = &x.deadline_asked {
                asked.push(format!("thời hạn {} → {d}", x.deadline_was));
            }
            if let Some(prod) = &x.product_asked {
                asked.push(format!("sản phẩm → {prod}"));
            }
            let decision = match (&x.decided_by, x.decided_at) {
                (Some(by), Some(at)) => format!(
                    "{by}, {}{}",
                    labels::date_time(at),
                    x.decision_note
                        .as_deref()
                        .map(|n| format!(": {n}"))
                        .unwrap_or_default()
                ),
                _ => String::new(),
            };
            ExtensionRow {
                id: x.id,
                version: x.version,
                may_decide: extensions::may_decide_request(p, &x),
                asked: asked.join("; "),
                reason: x.reason.clone(),
                who: format!("{}, {}", x.asked_by, labels::date_time(x.asked_at)),
                state: x.state.label_vi(),
                state_class: x.state.as_str(),
                decision,
            }
        })
        .collect();
    Ok(ExtensionSection {
        deadlines,
        requests,
        may_ask: !waiting && extensions::may_ask(state, p, task).await?,
        ask_error: None,
        decide_error: None,
    })
}

/// The lead unit asks for a new deadline or a changed product.
pub async fn ask_extension(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body)?;
    let typed = [f.text("deadline"), f.text("product"), f.text("reason")];
    let result = extensions::ask(
        &state,
        &auth.caller(&ip),
        id,
        Some(typed[0].as_str()),
        Some(typed[1].as_str()),
        &typed[2],
    )
    .await;
    let secure = state.config.secure_cookies;
    answer_form(
        result,
        |_| redirect_with(&format!("/tasks/{id}#extensions"), Flash::Saved, secure),
        |error| async move {
            let mut page = task_page(&state, &auth, id).await?;
            page.ext.ask_error = Some((error.to_string(), typed));
            Ok(page)
        },
    )
    .await
}

/// The assigning level approves or refuses a request.
pub async fn decide_extension(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body)?;
    let version = f.version()?;
    let note = f.optional("note");
    let result = extensions::decide(
        &state,
        &auth.caller(&ip),
        id,
        version,
        &f.text("decision"),
        note.as_deref(),
    )
    .await;
    let secure = state.config.secure_cookies;
    answer_form(
        result,
        |x| {
            redirect_with(
                &format!("/tasks/{}#extensions", x.task_id),
                Flash::Saved,
                secure,
            )
        },
        |error| async move {
            let x = extensions::readable(&state, &auth.principal, id).await?;
            let mut page = task_page(&state, &auth, x.task_id).await?;
            page.ext.decide_error = Some((id, error.to_string()));
            Ok(page)
        },
    )
    .await
}
