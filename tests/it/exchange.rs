//! Exchange with other systems, on both engines: external ids on units,
//! plans, tasks and targets (set, read, kept, cleared, unique per source,
//! found again), within the caller's scope; and the full export of a
//! subtree as JSON and `.xlsx`, counted against the database.

use std::collections::BTreeSet;

use axum::http::{Method, StatusCode, header};
use serde_json::{Value, json};
use sqlx::Row;
use theodoi::export::exchange::Section;
use theodoi::store::{Page, PlanFilter, TargetFilter, TaskFilter, UnitFilter};

use crate::harness::{TestApp, World};

/// How to create and change a record of one kind over the API.
struct Kind {
    name: &'static str,
    table: &'static str,
    who: &'static str,
    body: Value,
}

async fn kinds(app: &TestApp, w: &World) -> Vec<Kind> {
    let reporter = app.user_id("reporter_a1").await;
    vec![
        Kind {
            name: "unit",
            table: "units",
            who: "admin_a1",
            body: json!({"parent_id": w.commune_a1.id, "kind": "village", "name": "Thôn Đông",
                         "side": "government"}),
        },
        Kind {
            name: "plan",
            table: "plans",
            who: "focal_a1",
            body: json!({"issuer_unit_id": w.commune_a1.id, "title": "Kế hoạch liên thông"}),
        },
        Kind {
            name: "task",
            table: "tasks",
            who: "focal_a1",
            body: json!({"plan_id": w.plan_a1, "title": "Số hóa hồ sơ một cửa",
                         "lead": [{"unit_id": w.vhxh_a1.id}], "deadline": "Quý III/2026",
                         "product": "Kho hồ sơ số", "responsible_user_id": reporter}),
        },
        Kind {
            name: "target",
            table: "targets",
            who: "focal_a1",
            body: json!({"plan_id": w.plan_a1, "name": "Tỷ lệ hồ sơ trực tuyến", "unit": "%",
                         "lead": [{"unit_id": w.vhxh_a1.id}],
                         "goals": [{"year": 2026, "text": "≥ 90"}]}),
        },
    ]
}

fn with(body: &Value, extra: Value) -> Value {
    let mut body = body.clone();
    for (k, v) in extra.as_object().expect("object") {
        body[k] = v.clone();
    }
    body
}

async fn count(app: &TestApp, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) AS n FROM {table}");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_one(&app.raw_pool().await)
        .await
        .expect("count")
        .try_get("n")
        .expect("n")
}

#[tokio::test]
async fn every_kind_carries_an_external_id_unique_per_source() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        for kind in kinds(&app, &w).await {
            let k = kind.name;
            let token = app.login_token(kind.who).await;
            let national = json!({"source": "vbdh-quoc-gia", "id": "KH-2025-0012"});
            let (s, first) = app
                .api(
                    Method::POST,
                    &format!("/api/{k}s"),
                    Some(&token),
                    Some(with(
                        &kind.body,
                        json!({"external": {
                        "source": " vbdh-quoc-gia ", "id": " KH-2025-0012 "}}),
                    )),
                )
                .await;
            assert_eq!(s, StatusCode::CREATED, "{e} {k}: {first}");
            assert_eq!(first["external"], national, "{e} {k}: trimmed");
            let id = first["id"].as_i64().expect("id");
            let (_, read) = app
                .api(Method::GET, &format!("/api/{k}s/{id}"), Some(&token), None)
                .await;
            assert_eq!(read["external"], national, "{e} {k}");

            // Found again by it.
            let (s, found) = app
                .api(
                    Method::GET,
                    &format!("/api/external/{k}/vbdh-quoc-gia/KH-2025-0012"),
                    Some(&token),
                    None,
                )
                .await;
            assert_eq!(s, StatusCode::OK, "{e} {k}: {found}");
            assert_eq!(found["id"], json!(id), "{e} {k}");
            assert_eq!(found, read, "{e} {k}: the record as its own GET gives it");

            // A second record with the same id of the same source: refused,
            // naming the first, and nothing stored.
            let before = count(&app, kind.table).await;
            let (s, refused) = app
                .api(
                    Method::POST,
                    &format!("/api/{k}s"),
                    Some(&token),
                    Some(with(&kind.body, json!({"external": national}))),
                )
                .await;
            assert_eq!(s, StatusCode::CONFLICT, "{e} {k}: {refused}");
            assert_eq!(refused["error"]["code"], "external_id_taken", "{e} {k}");
            assert_eq!(
                refused["error"]["holder"],
                json!({"kind": k, "id": id}),
                "{e} {k}"
            );
            assert!(
                refused["error"]["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("KH-2025-0012")),
                "{e} {k}: {refused}"
            );
            assert_eq!(count(&app, kind.table).await, before, "{e} {k}");

            // The same id of another source is another record's.
            let provincial = json!({"source": "tinh-an-binh", "id": "KH-2025-0012"});
            let (s, second) = app
                .api(
                    Method::POST,
                    &format!("/api/{k}s"),
                    Some(&token),
                    Some(with(&kind.body, json!({"external": provincial}))),
                )
                .await;
            assert_eq!(s, StatusCode::CREATED, "{e} {k}: {second}");
            let id2 = second["id"].as_i64().expect("id");
            let version = second["version"].clone();

            // Changing it to the taken one: refused, nothing changed.
            let (s, refused) = app
                .api(
                    Method::PUT,
                    &format!("/api/{k}s/{id2}"),
                    Some(&token),
                    Some(with(
                        &kind.body,
                        json!({"version": version, "external": national}),
                    )),
                )
                .await;
            assert_eq!(s, StatusCode::CONFLICT, "{e} {k}: {refused}");
            assert_eq!(refused["error"]["code"], "external_id_taken", "{e} {k}");
            let (_, unchanged) = app
                .api(Method::GET, &format!("/api/{k}s/{id2}"), Some(&token), None)
                .await;
            assert_eq!(unchanged, second, "{e} {k}: nothing changed");

            // Left out, it is kept; a malformed one is refused; null clears it.
            let (s, kept) = app
                .api(
                    Method::PUT,
                    &format!("/api/{k}s/{id2}"),
                    Some(&token),
                    Some(with(&kind.body, json!({"version": version}))),
                )
                .await;
            assert_eq!(s, StatusCode::OK, "{e} {k}: {kept}");
            assert_eq!(kept["external"], provincial, "{e} {k}: kept");
            let (s, bad) = app
                .api(
                    Method::PUT,
                    &format!("/api/{k}s/{id2}"),
                    Some(&token),
                    Some(with(
                        &kind.body,
                        json!({"version": kept["version"], "external": {"source": "VBĐH", "id": "1"}}),
                    )),
                )
                .await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e} {k}: {bad}");
            let (s, cleared) = app
                .api(
                    Method::PUT,
                    &format!("/api/{k}s/{id2}"),
                    Some(&token),
                    Some(with(
                        &kind.body,
                        json!({"version": kept["version"], "external": null}),
                    )),
                )
                .await;
            assert_eq!(s, StatusCode::OK, "{e} {k}: {cleared}");
            assert_eq!(cleared["external"], Value::Null, "{e} {k}");
            // Cleared, the provincial id is free again.
            let (s, _) = app
                .api(
                    Method::GET,
                    &format!("/api/external/{k}/tinh-an-binh/KH-2025-0012"),
                    Some(&token),
                    None,
                )
                .await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{e} {k}");

            // Audited: the trail (and so the change feed) carries it.
            let admin = app.login_token("admin").await;
            let (_, feed) = app
                .api(Method::GET, "/api/changes?limit=1000", Some(&admin), None)
                .await;
            assert!(
                feed["changes"]
                    .as_array()
                    .expect("changes")
                    .iter()
                    .any(|c| {
                        c["entity"] == k
                            && c["entity_id"] == json!(id)
                            && c["action"] == "create"
                            && c["data"]["external"] == national
                    }),
                "{e} {k}: the creation with its external id in the feed"
            );
        }
        app.finish().await;
    }
}

#[tokio::test]
async fn external_ids_and_exports_stay_within_the_callers_scope() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let focal_a1 = app.login_token("focal_a1").await;
        let (_, task) = app
            .api(
                Method::GET,
                &format!("/api/tasks/{}", w.task_a1),
                Some(&focal_a1),
                None,
            )
            .await;
        let (s, body) = app
            .api(
                Method::PUT,
                &format!("/api/tasks/{}", w.task_a1),
                Some(&focal_a1),
                Some(
                    json!({"title": task["title"], "lead": [{"unit_id": w.vhxh_a1.id}],
                    "deadline": task["deadline"]["text"], "product": task["product"],
                    "version": task["version"],
                    "external": {"source": "vbdh-quoc-gia", "id": "NV-1"}}),
                ),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{e}: {body}");
        let path = "/api/external/task/vbdh-quoc-gia/NV-1";
        let (s, _) = app.api(Method::GET, path, Some(&focal_a1), None).await;
        assert_eq!(s, StatusCode::OK, "{e}");
        let focal_a2 = app.login_token("focal_a2").await;
        let (s, body) = app.api(Method::GET, path, Some(&focal_a2), None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{e}: another commune: {body}");
        let (s, _) = app.api(Method::GET, path, None, None).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{e}");
        for bad in [
            "/api/external/round/vbdh-quoc-gia/NV-1",
            "/api/external/task/VBDH/NV-1",
            "/api/external/plan/vbdh-quoc-gia/NV-1",
        ] {
            let (s, _) = app.api(Method::GET, bad, Some(&focal_a1), None).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{e}: {bad}");
        }

        // The commune's focal point exports its commune, not the province.
        let export = |unit: i64| format!("/api/units/{unit}/export.json");
        let (s, _) = app
            .api(Method::GET, &export(w.province_a.id), Some(&focal_a1), None)
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{e}: the province");
        let (s, _) = app
            .api(Method::GET, &export(w.commune_a2.id), Some(&focal_a1), None)
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{e}: another commune");
        let (s, own) = app
            .api(Method::GET, &export(w.commune_a1.id), Some(&focal_a1), None)
            .await;
        assert_eq!(s, StatusCode::OK, "{e}: {own}");
        assert!(
            own["plans"]
                .as_array()
                .expect("plans")
                .iter()
                .all(|p| p["id"] != json!(w.plan_a2)),
            "{e}"
        );
        for who in ["viewer_a1", "reporter_a1", "inspector_a1"] {
            let token = app.login_token(who).await;
            let (s, _) = app
                .api(Method::GET, &export(w.commune_a1.id), Some(&token), None)
                .await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{e}: {who}");
        }
        app.finish().await;
    }
}

/// Opens this month's rounds; reporter_a1 says task_a1 is in progress at
/// 40% and target_a1 stands at 92.5; focal_a1 accepts.
async fn accepted_report(app: &TestApp, w: &World) {
    let store = &app.store;
    store
        .open_current_rounds(store.clock().today())
        .await
        .expect("open rounds");
    let token = app.login_token("reporter_a1").await;
    let (id, report) = crate::harness::report_holding(app, &token, w.task_a1).await;
    let tasks: Vec<Value> = report["tasks"]
        .as_array()
        .expect("tasks")
        .iter()
        .map(|i| {
            if i["task_id"] == json!(w.task_a1) {
                json!({"task_id": w.task_a1, "version": i["version"], "status": "in_progress",
                       "percent": 40, "result": "Đã có dự thảo"})
            } else {
                json!({"task_id": i["task_id"], "version": i["version"], "nothing_this_period": true})
            }
        })
        .collect();
    let targets: Vec<Value> = report["targets"]
        .as_array()
        .expect("targets")
        .iter()
        .map(|i| {
            if i["target_id"] == json!(w.target_a1) {
                json!({"target_id": w.target_a1, "version": i["version"], "value": 92.5,
                       "source": "Số liệu của nhà mạng"})
            } else {
                json!({"target_id": i["target_id"], "version": i["version"], "nothing_this_period": true})
            }
        })
        .collect();
    let (s, body) = app
        .api(
            Method::PUT,
            &format!("/api/reports/{id}"),
            Some(&token),
            Some(json!({"tasks": tasks, "targets": targets, "submit": true})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{}: {body}", app.engine);
    let focal = app.login_token("focal_a1").await;
    let (s, body) = app
        .api(
            Method::POST,
            &format!("/api/reports/{id}/review"),
            Some(&focal),
            Some(json!({"decision": "accept"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{}: {body}", app.engine);
}

fn ids(rows: &Value, key: &str) -> BTreeSet<i64> {
    rows.as_array()
        .expect("rows")
        .iter()
        .map(|r| r[key].as_i64().expect("id"))
        .collect()
}

#[tokio::test]
async fn a_province_exports_what_the_database_holds_as_json_and_xlsx() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        accepted_report(&app, &w).await;
        let admin = app.login_token("admin").await;
        let (_, unit) = app
            .api(
                Method::GET,
                &format!("/api/units/{}", w.vhxh_a1.id),
                Some(&admin),
                None,
            )
            .await;
        let (s, body) = app
            .api(
                Method::PUT,
                &format!("/api/units/{}", w.vhxh_a1.id),
                Some(&admin),
                Some(
                    json!({"kind": unit["kind"], "name": unit["name"], "aliases": unit["aliases"],
                    "side": unit["side"], "version": unit["version"],
                    "external": {"source": "csdl-quoc-gia", "id": "DV-7"}}),
                ),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{e}: {body}");

        let leader = app.login_token("leader_a").await;
        let (s, export) = app
            .api(
                Method::GET,
                &format!("/api/units/{}/export.json", w.province_a.id),
                Some(&leader),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{e}: {export}");
        assert_eq!(export["unit"]["id"], json!(w.province_a.id), "{e}");

        // Counts equal the database's for the province's subtree.
        let store = &app.store;
        let within = Some(w.province_a.path.clone());
        let one = Page::new(Some(1), Some(1));
        let units = store
            .units(
                &UnitFilter {
                    within_path: within.clone(),
                    ..UnitFilter::default()
                },
                one,
            )
            .await
            .expect("units")
            .total;
        let plans = store
            .plans(
                &PlanFilter {
                    within_path: within.clone(),
                    ..PlanFilter::default()
                },
                one,
            )
            .await
            .expect("plans")
            .total;
        let tasks = store
            .tasks(
                &TaskFilter {
                    within_path: within.clone(),
                    ..TaskFilter::default()
                },
                one,
            )
            .await
            .expect("tasks")
            .total;
        let targets = store
            .targets(
                &TargetFilter {
                    within_path: within.clone(),
                    ..TargetFilter::default()
                },
                one,
            )
            .await
            .expect("targets")
            .total;
        let figures = store
            .accepted_figures_within(&w.province_a.path, 0, 1_000)
            .await
            .expect("figures")
            .len() as i64;
        assert_eq!(
            units, 6,
            "{e}: the province, two communes, their three units"
        );
        assert_eq!(figures, 1, "{e}");
        let counts = &export["counts"];
        for (key, n) in [
            ("units", units),
            ("plans", plans),
            ("tasks", tasks),
            ("targets", targets),
            ("figures", figures),
        ] {
            assert_eq!(counts[key], json!(n), "{e}: {key}");
            assert_eq!(
                export[key].as_array().expect(key).len() as i64,
                n,
                "{e}: {key}"
            );
        }
        assert!(
            !ids(&export["plans"], "id").contains(&w.plan_b1),
            "{e}: not another province's"
        );
        let vhxh = export["units"]
            .as_array()
            .expect("units")
            .iter()
            .find(|u| u["id"] == json!(w.vhxh_a1.id))
            .expect("Phòng VHXH")
            .clone();
        assert_eq!(
            vhxh["external"],
            json!({"source": "csdl-quoc-gia", "id": "DV-7"}),
            "{e}"
        );
        assert_eq!(vhxh["parent_id"], json!(w.commune_a1.id), "{e}");
        let task = export["tasks"]
            .as_array()
            .expect("tasks")
            .iter()
            .find(|t| t["id"] == json!(w.task_a1))
            .expect("task_a1")
            .clone();
        assert_eq!(task["status"], "in_progress", "{e}");
        assert_eq!(task["percent"], json!(40), "{e}");
        assert_eq!(task["lead"][0]["unit_id"], json!(w.vhxh_a1.id), "{e}");
        assert_eq!(task["deadline"], "Tháng 7/2026", "{e}");
        assert_eq!(export["figures"][0]["value"], json!(92.5), "{e}");
        assert_eq!(export["figures"][0]["target_id"], json!(w.target_a1), "{e}");

        // The .xlsx holds the same rows, a sheet a kind; the unit's page
        // links to it for those who may take it.
        let cookie = app.login_cookie("leader_a").await;
        let link = format!("/units/{}/export.xlsx", w.province_a.id);
        let (_, _, html) = app
            .page(
                Method::GET,
                &format!("/units/{}", w.province_a.id),
                Some(&cookie),
                None,
            )
            .await;
        assert!(html.contains(&link), "{e}: the link on the unit's page");
        let viewer = app.login_cookie("viewer_a1").await;
        let (_, _, html) = app
            .page(
                Method::GET,
                &format!("/units/{}", w.commune_a1.id),
                Some(&viewer),
                None,
            )
            .await;
        assert!(!html.contains("export.xlsx"), "{e}: no link for a viewer");
        let req = axum::http::Request::builder()
            .uri(format!("/units/{}/export.xlsx", w.province_a.id))
            .header(header::COOKIE, &cookie)
            .body(axum::body::Body::empty())
            .expect("request");
        let (s, headers, bytes) = app.send(req).await;
        assert_eq!(s, StatusCode::OK, "{e}");
        assert!(
            headers[header::CONTENT_TYPE]
                .to_str()
                .is_ok_and(|t| t.contains("spreadsheetml")),
            "{e}"
        );
        let sheets = theodoi::export::read_sheets(&bytes).expect("reads back");
        assert_eq!(sheets.len(), Section::ALL.len(), "{e}");
        for ((name, rows), section) in sheets.iter().zip(Section::ALL) {
            assert_eq!(name, section.sheet(), "{e}");
            assert_eq!(rows[0], section.headers(), "{e}: {name}");
            let json_rows = export[section.key()].as_array().expect("rows");
            assert_eq!(rows.len() - 1, json_rows.len(), "{e}: {name}");
            if section == Section::Figures {
                assert_eq!(rows[1][0], w.target_a1.to_string(), "{e}");
                assert_eq!(rows[1][4], "92.5", "{e}");
                continue;
            }
            let sheet_ids: BTreeSet<i64> = rows[1..]
                .iter()
                .map(|r| r[0].parse().expect("an id in column A"))
                .collect();
            assert_eq!(sheet_ids, ids(&export[section.key()], "id"), "{e}: {name}");
        }
        let tasks_sheet = &sheets[2].1;
        let row = tasks_sheet[1..]
            .iter()
            .find(|r| r[0] == w.task_a1.to_string())
            .expect("task_a1's row");
        assert_eq!(row[3], task["title"].as_str().expect("title"), "{e}");
        assert_eq!(row[7], "Đang thực hiện", "{e}");
        assert_eq!(row[8], "40", "{e}");
        let units_sheet = &sheets[0].1;
        let row = units_sheet[1..]
            .iter()
            .find(|r| r[0] == w.vhxh_a1.id.to_string())
            .expect("VHXH's row");
        assert_eq!(row[7..], ["csdl-quoc-gia", "DV-7"], "{e}");

        // Both downloads are in the trail.
        let (_, feed) = app
            .api(Method::GET, "/api/audit?action=export", Some(&admin), None)
            .await;
        let entries = feed["items"].as_array().cloned().unwrap_or_default();
        assert!(
            entries
                .iter()
                .filter(|a| a["entity"] == "unit" && a["entity_id"] == json!(w.province_a.id))
                .count()
                >= 2,
            "{e}: {feed}"
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn the_command_line_exports_a_unit_named_by_its_id() {
    let app = TestApp::sqlite().await;
    let w = World::build(&app.store).await;
    let db = app.sqlite_file().expect("a SQLite file");
    let dir = tempfile::tempdir().expect("tempdir");
    let run = |unit: String, out: std::path::PathBuf| {
        std::process::Command::new(env!("CARGO_BIN_EXE_theodoi"))
            .args(["export", "--db"])
            .arg(&db)
            .args(["--unit", &unit, "--out"])
            .arg(out)
            .env("THEODOI_LOG", "error")
            .output()
            .expect("run theodoi")
    };
    let json_file = dir.path().join("tinh.json");
    let out = run(w.province_a.id.to_string(), json_file.clone());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value =
        serde_json::from_slice(&std::fs::read(&json_file).expect("written")).expect("JSON");
    assert_eq!(doc["counts"]["units"], json!(6));
    assert_eq!(doc["counts"]["plans"], json!(2));
    let xlsx_file = dir.path().join("tinh.xlsx");
    let out = run(w.province_a.id.to_string(), xlsx_file.clone());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sheets =
        theodoi::export::read_sheets(&std::fs::read(&xlsx_file).expect("written")).expect("xlsx");
    assert_eq!(sheets[0].1.len(), 7, "headers and six units");
    for (unit, out) in [
        ("khong-co".to_string(), dir.path().join("a.json")),
        (w.province_a.id.to_string(), dir.path().join("a.txt")),
    ] {
        let done = run(unit, out.clone());
        assert!(!done.status.success());
        assert!(!out.exists());
    }
    app.finish().await;
}

#[tokio::test]
async fn two_records_claiming_one_external_id_at_once_get_one_success_and_one_409() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let focal = app.login_token("focal_a1").await;
        let mut plans = Vec::new();
        for title in ["Kế hoạch một", "Kế hoạch hai"] {
            let (s, plan) = app
                .api(
                    Method::POST,
                    "/api/plans",
                    Some(&focal),
                    Some(json!({"issuer_unit_id": w.commune_a1.id, "title": title})),
                )
                .await;
            assert_eq!(s, StatusCode::CREATED, "{e}: {plan}");
            plans.push(plan);
        }
        let uris: Vec<String> = plans
            .iter()
            .map(|p| format!("/api/plans/{}", p["id"]))
            .collect();
        let bodies: Vec<Value> = plans
            .iter()
            .map(|p| {
                json!({"issuer_unit_id": w.commune_a1.id, "title": p["title"],
                    "version": p["version"],
                    "external": {"source": "vbdh-quoc-gia", "id": "KH-CUNG-LUC"}})
            })
            .collect();
        let ((s1, b1), (s2, b2)) = tokio::join!(
            app.api(Method::PUT, &uris[0], Some(&focal), Some(bodies[0].clone())),
            app.api(Method::PUT, &uris[1], Some(&focal), Some(bodies[1].clone()))
        );
        let mut statuses = [s1, s2];
        statuses.sort();
        assert_eq!(
            statuses,
            [StatusCode::OK, StatusCode::CONFLICT],
            "{e}: {b1} {b2}"
        );
        let (winner, loser) = if s1 == StatusCode::OK {
            (b1, b2)
        } else {
            (b2, b1)
        };
        assert_eq!(loser["error"]["code"], "external_id_taken", "{e}");
        assert_eq!(loser["error"]["holder"]["id"], winner["id"], "{e}");
        app.finish().await;
    }
}
