//! The importer stores a plan's tasks as drafts: a plan names units, never
//! people, so no imported task has its responsible person ("rõ người"); a
//! Party plan's appendix has no product column either. The demo goes on as
//! a focal point would: for each task that lacks only those two, it names
//! the product a Party task usually hands in ([`DEFAULT_PRODUCT`]) where
//! there is none, and an account of the lead unit (its reporter first; a
//! lead unit without an account is given a reporter, `<prefix>.cb<unit
//! id>`, with the demo password, listed on the staff page but not printed),
//! and the task goes live. A task that lacks anything else of the "6 rõ"
//! stays a draft, as it would on a real system.

use crate::domain::access::Role;
use crate::domain::six_clear::{self, Clear};
use crate::domain::task::{Task, TaskDraft};
use crate::store::{Actor, NewUser, Page, Store, User};

/// The product the demo gives a task its plan named none for.
const DEFAULT_PRODUCT: &str = "Báo cáo kết quả thực hiện";

/// Who the demo's new reporters are: their usernames' prefix (the
/// commune's login, or `tinh`) and the shared password's hash.
pub struct Staffing<'a> {
    pub prefix: &'a str,
    pub hash: &'a str,
}

/// Names a responsible person for the tasks of `plan_id` that lack only
/// one and makes them live; returns how many went live.
pub async fn assign_people(
    store: &Store,
    plan_id: i64,
    staffing: &Staffing<'_>,
) -> anyhow::Result<usize> {
    let mut live = 0;
    for task in store.tasks_of_plan(plan_id).await? {
        let missing = six_clear::missing_of_task(&task);
        let completable = missing
            .iter()
            .all(|c| matches!(c, Clear::Person | Clear::Product));
        if !task.draft || !missing.contains(&Clear::Person) || !completable {
            continue;
        }
        let product = if missing.contains(&Clear::Product) {
            Some(DEFAULT_PRODUCT.to_string())
        } else {
            task.product.clone()
        };
        let person = match person_of_lead(store, &task).await? {
            Some(person) => person,
            None => match new_reporter(store, &task, staffing).await? {
                Some(person) => person,
                None => continue,
            },
        };
        let draft = TaskDraft {
            reference: task.reference.clone(),
            group_path: task.group_path.clone(),
            title: task.title.clone(),
            lead: task.lead.clone(),
            support: task.support.clone(),
            responsible_user_id: Some(person),
            product,
            deadline: task.deadline.clone(),
            funding: task.funding.clone(),
            legal_basis: task.legal_basis.clone(),
            parent_task_id: task.parent_task_id,
            draft: false,
            confidential: task.confidential,
        }
        .validate()
        .map_err(|e| anyhow::anyhow!("task {}: {e}", task.id))?;
        store
            .update_task(task.id, task.version, draft, &Actor::system())
            .await?;
        live += 1;
    }
    Ok(live)
}

/// A reporter for the task's first lead unit of the tree, made for it.
async fn new_reporter(
    store: &Store,
    task: &Task,
    staffing: &Staffing<'_>,
) -> anyhow::Result<Option<i64>> {
    let Some(unit_id) = task.lead.iter().find_map(|m| m.unit_id) else {
        return Ok(None);
    };
    let Some(unit) = store.unit(unit_id).await? else {
        return Ok(None);
    };
    let username = format!("{}.cb{}", staffing.prefix, unit.id);
    if let Some(existing) = store.user_by_username(&username).await? {
        return Ok(Some(existing.id));
    }
    let user = store
        .create_user(
            NewUser {
                unit_id: unit.id,
                username,
                full_name: format!("Cán bộ {}", unit.name),
                password_hash: staffing.hash.to_string(),
                roles: vec![Role::UnitReporter],
            },
            &Actor::system(),
        )
        .await?;
    Ok(Some(user.id))
}

/// An active account of one of the task's lead units, a reporter first.
async fn person_of_lead(store: &Store, task: &Task) -> anyhow::Result<Option<i64>> {
    let mut found: Vec<User> = Vec::new();
    for unit_id in task.lead.iter().filter_map(|m| m.unit_id) {
        let Some(unit) = store.unit(unit_id).await? else {
            continue;
        };
        let staff = store
            .users(&unit.path, Page::new(Some(1), Some(100)))
            .await?;
        found.extend(
            staff
                .items
                .into_iter()
                .filter(|u| u.active && u.unit_id == unit_id),
        );
    }
    let reporter = found.iter().find(|u| u.roles.contains(&Role::UnitReporter));
    Ok(reporter.or(found.first()).map(|u| u.id))
}
