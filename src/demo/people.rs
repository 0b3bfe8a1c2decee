//! The importer stores a plan's tasks as drafts: a plan names units, never
//! people, so no imported task has its responsible person ("rõ người").
//! The demo goes on as a focal point would: for each task that lacks only
//! that, it names an account of the lead unit (its reporter first) and the
//! task goes live. A task whose lead unit has no account, or that lacks
//! anything else of the "6 rõ", stays a draft, as it would on a real system.

use crate::domain::access::Role;
use crate::domain::six_clear::{self, Clear};
use crate::domain::task::{Task, TaskDraft};
use crate::store::{Actor, Page, Store, User};

/// Names a responsible person for the tasks of `plan_id` that lack only
/// one and makes them live; returns how many went live.
pub async fn assign_people(store: &Store, plan_id: i64) -> anyhow::Result<usize> {
    let mut live = 0;
    for task in store.tasks_of_plan(plan_id).await? {
        if !task.draft || six_clear::missing_of_task(&task) != [Clear::Person] {
            continue;
        }
        let Some(person) = person_of_lead(store, &task).await? else {
            continue;
        };
        let draft = TaskDraft {
            reference: task.reference.clone(),
            group_path: task.group_path.clone(),
            title: task.title.clone(),
            lead: task.lead.clone(),
            support: task.support.clone(),
            responsible_user_id: Some(person),
            product: task.product.clone(),
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

/// An active account of one of the task's lead units, a reporter first.
async fn person_of_lead(store: &Store, task: &Task) -> anyhow::Result<Option<i64>> {
    let mut found: Vec<User> = Vec::new();
    for unit_id in task.lead.iter().filter_map(|m| m.unit_id) {
        let Some(unit) = store.unit(unit_id).await? else {
            continue;
        };
        let staff = store.users(&unit.path, Page::new(Some(1), Some(100))).await?;
        found.extend(
            staff
                .items
                .into_iter()
                .filter(|u| u.active && u.unit_id == unit_id),
        );
    }
    let reporter = found
        .iter()
        .find(|u| u.roles.contains(&Role::UnitReporter));
    Ok(reporter.or(found.first()).map(|u| u.id))
}
