//! One story through the whole store, on each engine.

use theodoi::domain::deadline::Deadline;
use theodoi::domain::goal::Goal;
use theodoi::domain::plan::{PlanDraft, ReportingRegime};
use theodoi::domain::target::TargetDraft;
use theodoi::domain::task::{TaskDraft, UnitMention};
use theodoi::domain::unit::{Side, UnitDraft, UnitKind};
use theodoi::store::{Actor, Page, PlanFilter, StoreError, TaskFilter, UnitFilter};

use crate::harness::{TestApp, World};

#[tokio::test]
async fn migrations_apply_from_empty_and_again_without_change() {
    for app in TestApp::all().await {
        assert_eq!(
            app.store.migration_versions().await.expect("versions"),
            vec![
                1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 16, 17, 18, 19
            ],
            "{}",
            app.engine
        );
        // Opening an up-to-date database applies nothing and loses nothing.
        World::build(&app.store).await;
        let again = app.reopen().await;
        assert_eq!(
            again.migration_versions().await.expect("versions"),
            vec![
                1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 16, 17, 18, 19
            ]
        );
        assert!(
            again
                .unit(
                    app.store
                        .unit(1000)
                        .await
                        .expect("read")
                        .expect("nation")
                        .id
                )
                .await
                .expect("read")
                .is_some()
        );
        again.close().await;
        app.finish().await;
    }
}

#[tokio::test]
async fn the_store_keeps_every_entity_and_its_history() {
    for app in TestApp::all().await {
        let store = &app.store;
        let w = World::build(store).await;
        let actor = Actor {
            user_id: None,
            ip: Some("127.0.0.1".into()),
        };

        // Units: read, update with the version read, list, search by alias without diacritics.
        let unit = store
            .unit(w.vhxh_a1.id)
            .await
            .expect("read")
            .expect("found");
        assert_eq!(unit.aliases, vec!["Phòng VHXH".to_string()]);
        assert_eq!(unit.commune_id, Some(w.commune_a1.id));
        assert_eq!(unit.province_id, Some(w.province_a.id));
        assert!(unit.path.starts_with(&w.commune_a1.path));
        let renamed = store
            .update_unit(
                unit.id,
                unit.version,
                UnitDraft {
                    parent_id: unit.parent_id,
                    kind: UnitKind::Department,
                    name: "Phòng Văn hóa - Xã hội xã An Phú".into(),
                    aliases: vec!["Phòng VHXH".into(), "VHXH".into()],
                    side: Side::Government,
                }
                .validate(Some(UnitKind::Commune))
                .expect("valid unit"),
                &actor,
            )
            .await
            .expect("update unit");
        assert_eq!(renamed.version, unit.version + 1);
        let stale = store
            .update_unit(
                unit.id,
                unit.version,
                UnitDraft {
                    parent_id: unit.parent_id,
                    kind: UnitKind::Department,
                    name: "Tên khác".into(),
                    aliases: vec![],
                    side: Side::Government,
                }
                .validate(Some(UnitKind::Commune))
                .expect("valid unit"),
                &actor,
            )
            .await;
        assert!(
            matches!(stale, Err(StoreError::Conflict { .. })),
            "{}: a stale version is refused",
            app.engine
        );
        let found = store
            .units(
                &UnitFilter {
                    query: Some("van hoa xa hoi".into()),
                    within_path: Some(w.province_a.path.clone()),
                    ..Default::default()
                },
                Page::new(Some(1), Some(10)),
            )
            .await
            .expect("list");
        assert_eq!(found.total, 2, "{}: both communes' departments", app.engine);
        let by_alias = store
            .units(
                &UnitFilter {
                    query: Some("vhxh".into()),
                    ..Default::default()
                },
                Page::all(),
            )
            .await
            .expect("list");
        assert_eq!(by_alias.items.len(), 1);

        // Plans: read, update, list within a subtree, links to a higher plan.
        let province_plan = store
            .create_plan(
                PlanDraft {
                    issuer_unit_id: w.province_a.id,
                    number: Some("06/KH-UBND".into()),
                    issued_on: chrono::NaiveDate::from_ymd_opt(2026, 1, 10),
                    place: None,
                    title: "Kế hoạch của tỉnh".into(),
                    basis: vec![],
                    implements: vec![],
                    regime: ReportingRegime::default(),
                }
                .validate()
                .expect("valid"),
                &actor,
            )
            .await
            .expect("create province plan");
        let plan = store.plan(w.plan_a1).await.expect("read").expect("found");
        let mut draft = PlanDraft {
            issuer_unit_id: plan.issuer_unit_id,
            number: plan.number.clone(),
            issued_on: plan.issued_on,
            place: plan.place.clone(),
            title: "Kế hoạch chuyển đổi số (sửa đổi)".into(),
            basis: vec!["Kế hoạch số 06/KH-UBND ngày 10/01/2026 của UBND tỉnh".into()],
            implements: vec![province_plan.id],
            regime: plan.regime.clone(),
        };
        draft.regime.unit_due_day = Some(14);
        let updated = store
            .update_plan(
                plan.id,
                plan.version,
                draft.validate().expect("valid plan"),
                &actor,
            )
            .await
            .expect("update plan");
        assert_eq!(updated.implements, vec![province_plan.id]);
        let reread = store.plan(plan.id).await.expect("read").expect("found");
        assert_eq!(reread.regime.unit_due_day, Some(14));
        assert_eq!(reread.basis.len(), 1);
        assert_eq!(
            store
                .plans_implementing(province_plan.id)
                .await
                .expect("links")
                .len(),
            1,
            "{}: the province sees the commune plan under its own",
            app.engine
        );
        let in_a = store
            .plans(
                &PlanFilter {
                    within_path: Some(w.province_a.path.clone()),
                    ..Default::default()
                },
                Page::all(),
            )
            .await
            .expect("list");
        assert_eq!(in_a.total, 3);
        let in_b = store
            .plans(
                &PlanFilter {
                    within_path: Some(w.province_b.path.clone()),
                    ..Default::default()
                },
                Page::all(),
            )
            .await
            .expect("list");
        assert_eq!(in_b.total, 1);

        // Tasks: update with units, search without diacritics, a unit's tasks.
        let task = store.task(w.task_a1).await.expect("read").expect("found");
        assert_eq!(task.lead[0].unit_id, Some(w.vhxh_a1.id));
        let updated = store
            .update_task(
                task.id,
                task.version,
                TaskDraft {
                    reference: Some("1.1".into()),
                    group_path: task.group_path.clone(),
                    title: "Xây dựng kế hoạch chuyển đổi số năm 2026".into(),
                    lead: vec![UnitMention::resolved("Phòng VHXH", w.vhxh_a1.id)],
                    support: vec![
                        UnitMention::resolved("Công an xã", w.police_a1.id),
                        UnitMention {
                            name: "Các doanh nghiệp viễn thông".into(),
                            unit_id: None,
                        },
                    ],
                    responsible_user_id: task.responsible_user_id,
                    product: Some("Kế hoạch".into()),
                    deadline: Deadline::parse("Quý III/2026"),
                    funding: Some("Ngân sách xã".into()),
                    legal_basis: None,
                    parent_task_id: None,
                    draft: false,
                    confidential: false,
                }
                .validate()
                .expect("valid"),
                &actor,
            )
            .await
            .expect("update task");
        assert_eq!(updated.support.len(), 2);
        let reread = store.task(task.id).await.expect("read").expect("found");
        assert_eq!(reread.deadline.kind().as_str(), "quarter");
        assert_eq!(reread.support[1].unit_id, None);
        let found = store
            .tasks(
                &TaskFilter {
                    query: Some("chuyen doi so".into()),
                    ..Default::default()
                },
                Page::all(),
            )
            .await
            .expect("search");
        assert_eq!(found.total, 1, "{}: search without diacritics", app.engine);
        let police = store
            .tasks(
                &TaskFilter {
                    unit_id: Some(w.police_a1.id),
                    ..Default::default()
                },
                Page::all(),
            )
            .await
            .expect("by unit");
        assert_eq!(
            police.total, 2,
            "{}: leads one task, supports the other",
            app.engine
        );

        // A task cannot name a unit of another commune.
        let foreign = store
            .create_task(
                w.plan_a1,
                TaskDraft {
                    reference: None,
                    group_path: vec![],
                    title: "Sai phạm vi".into(),
                    lead: vec![UnitMention::resolved("x", w.vhxh_a2.id)],
                    support: vec![],
                    responsible_user_id: None,
                    product: None,
                    deadline: Deadline::parse(""),
                    funding: None,
                    legal_basis: None,
                    parent_task_id: None,
                    draft: false,
                    confidential: false,
                }
                .validate()
                .expect("valid draft"),
                &actor,
            )
            .await;
        assert!(matches!(foreign, Err(StoreError::InvalidReference(_))));

        // Targets: goals survive the round trip, decimal comma included.
        let target = store
            .target(w.target_a1)
            .await
            .expect("read")
            .expect("found");
        let draft = TargetDraft {
            reference: target.reference.clone(),
            group_path: target.group_path.clone(),
            name: target.name.clone(),
            measure_unit: target.measure_unit.clone(),
            lead: target.lead.clone(),
            goals: vec![
                Goal::parse("$\\geq 1,1$", Some(2026)).expect("goal"),
                Goal::parse("Top 20", Some(2030)).expect("goal"),
            ],
            note: Some("Theo chỉ tiêu tỉnh giao".into()),
            direction: None,
        }
        .validate()
        .expect("valid");
        store
            .update_target(target.id, target.version, draft, &actor)
            .await
            .expect("update target");
        let reread = store.target(target.id).await.expect("read").expect("found");
        assert_eq!(reread.goals.len(), 2);
        assert!((reread.goals[0].value - 1.1).abs() < 1e-9);
        assert_eq!(reread.goal_for(2026).map(|g| g.is_met_by(1.2)), Some(true));

        // Every change above left its entry, with before and after.
        let history = store.audit_of("task", task.id).await.expect("audit");
        assert_eq!(history.len(), 2, "{}: create and update", app.engine);
        assert_eq!(history[0].action, "update");
        assert!(
            history[0]
                .before
                .as_deref()
                .unwrap_or("")
                .contains("Xây dựng kế hoạch chuyển đổi số")
        );
        assert!(
            history[0]
                .after
                .as_deref()
                .unwrap_or("")
                .contains("Quý III/2026")
        );
        assert_eq!(history[0].ip.as_deref(), Some("127.0.0.1"));
        app.finish().await;
    }
}

/// Tasks added to one plan at the same moment get distinct positions on
/// both engines: the plan's row is locked while the next one is chosen.
#[tokio::test]
async fn tasks_added_at_once_get_distinct_positions() {
    for app in TestApp::all().await {
        let w = World::build(&app.store).await;
        let of_plan = || async {
            let filter = TaskFilter {
                plan_id: Some(w.plan_a1),
                ..TaskFilter::default()
            };
            app.store
                .tasks(&filter, Page::all())
                .await
                .expect("tasks")
                .items
        };
        let before = of_plan().await.len();
        let adds = (0..8).map(|i| {
            let store = app.store.clone();
            let lead = w.vhxh_a1.clone();
            tokio::spawn(async move {
                crate::harness::task(&store, w.plan_a1, &format!("Việc thêm {i}"), &lead, "2026")
                    .await
            })
        });
        for add in adds.collect::<Vec<_>>() {
            add.await.expect("added");
        }
        let tasks = of_plan().await;
        assert_eq!(tasks.len(), before + 8);
        let positions: std::collections::BTreeSet<i64> = tasks.iter().map(|t| t.position).collect();
        assert_eq!(
            positions.len(),
            tasks.len(),
            "{}: {positions:?}",
            app.engine
        );
        app.finish().await;
    }
}
