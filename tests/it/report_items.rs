//! A report's items are written in one statement a kind (new items, items
//! already saved), each under the version its writer read: on both engines
//! a save with one stale item among fresh ones is refused whole, says the
//! stale item's version now, and leaves every item as it was.

use theodoi::domain::report::{TargetFigureDraft, TaskStatus, TaskUpdateDraft};
use theodoi::domain::round::ReportView;
use theodoi::domain::valid::Valid;
use theodoi::store::{Actor, ReportEdits, Store, StoreError};

use crate::harness::{TestApp, World};

fn task(result: &str) -> Valid<TaskUpdateDraft> {
    TaskUpdateDraft {
        status: Some(TaskStatus::InProgress),
        percent: Some(40),
        result: Some(result.into()),
        ..TaskUpdateDraft::default()
    }
    .validate()
    .expect("valid update")
}

fn figure(value: f64) -> Valid<TargetFigureDraft> {
    TargetFigureDraft {
        value: Some(value),
        source: Some("Thống kê xã".into()),
        ..TargetFigureDraft::default()
    }
    .validate()
    .expect("valid figure")
}

/// The task's result and version, the target's value and version.
fn items(view: &ReportView, w: &World) -> (Option<String>, i64, Option<f64>, i64) {
    let t = view
        .tasks
        .iter()
        .find(|i| i.task.id == w.task_a1)
        .and_then(|i| i.update.clone());
    let g = view
        .targets
        .iter()
        .find(|i| i.target.id == w.target_a1)
        .and_then(|i| i.figure.clone());
    (
        t.as_ref().and_then(|u| u.result.clone()),
        t.map_or(0, |u| u.version),
        g.as_ref().and_then(|f| f.value),
        g.map_or(0, |f| f.version),
    )
}

async fn view(store: &Store, report_id: i64) -> ReportView {
    store
        .report_view(report_id)
        .await
        .expect("read")
        .expect("the report")
}

#[tokio::test]
async fn one_stale_item_refuses_the_whole_save_and_changes_nothing() {
    for app in TestApp::all().await {
        let e = app.engine;
        let store = &app.store;
        let w = World::build(store).await;
        store
            .open_current_rounds(store.clock().today())
            .await
            .expect("open");
        let round = store
            .rounds_of_plan(w.plan_a1)
            .await
            .expect("rounds")
            .remove(0);
        let report_id = store
            .reports_of_round(round.id)
            .await
            .expect("reports")
            .into_iter()
            .find(|r| r.unit_id == w.vhxh_a1.id)
            .expect("the unit's report")
            .id;
        let system = Actor::system();
        let save = |tasks, targets| {
            store.save_report(
                report_id,
                ReportEdits {
                    notes: None,
                    tasks,
                    targets,
                },
                false,
                &system,
            )
        };

        // Both items new: one insert each, both at version 1.
        save(
            vec![(w.task_a1, 0, task("Lần một"))],
            vec![(w.target_a1, 0, figure(10.0))],
        )
        .await
        .unwrap_or_else(|err| panic!("{e}: first save: {err}"));
        let first = items(&view(store, report_id).await, &w);
        assert_eq!(first, (Some("Lần một".into()), 1, Some(10.0), 1), "{e}");

        // The task is fresh, the target's first save was someone else's.
        let refused = save(
            vec![(w.task_a1, 1, task("Lần hai"))],
            vec![(w.target_a1, 0, figure(20.0))],
        )
        .await;
        assert!(
            matches!(refused, Err(StoreError::Conflict { current: 1 })),
            "{e}: {refused:?}"
        );
        assert_eq!(items(&view(store, report_id).await, &w), first, "{e}");

        // Both fresh: both updated in one statement, versions move on.
        save(
            vec![(w.task_a1, 1, task("Lần hai"))],
            vec![(w.target_a1, 1, figure(20.0))],
        )
        .await
        .unwrap_or_else(|err| panic!("{e}: second save: {err}"));
        let second = items(&view(store, report_id).await, &w);
        assert_eq!(second, (Some("Lần hai".into()), 2, Some(20.0), 2), "{e}");

        // A stale task among a fresh target: nothing of it is written.
        let refused = save(
            vec![(w.task_a1, 1, task("Lần ba"))],
            vec![(w.target_a1, 2, figure(30.0))],
        )
        .await;
        assert!(
            matches!(refused, Err(StoreError::Conflict { current: 2 })),
            "{e}: {refused:?}"
        );
        assert_eq!(items(&view(store, report_id).await, &w), second, "{e}");
        app.finish().await;
    }
}
