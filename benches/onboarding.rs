//! Onboarding a province from one sheet: 100 communes of 20 units (the
//! commune and 19 working units), 2,000 units and 2,000 accounts with
//! generated usernames, read from one CSV into a fresh database — SQLite
//! and, when one answers, PostgreSQL (`THEODOI_TEST_PG_URL`, default
//! `postgres://postgres@127.0.0.1:5432/test`, a schema of its own each
//! run). Three runs per engine; prints the median of the dry run (every
//! row checked, nothing stored) and of the load (checked, then written in
//! one transaction with an enrolment code per account), and the rows
//! stored.
//!
//! Run with `cargo bench --bench onboarding`. `BENCH_COMMUNES` changes the
//! number of communes (default 100).

use std::process::ExitCode;
use std::time::{Duration, Instant};

use theodoi::actions::onboarding::onboard_under;
use theodoi::domain::unit::{Side, UnitDraft, UnitKind};
use theodoi::store::{Actor, ConnectOptions, Store};

const RUNS: usize = 3;
const WORKING_UNITS: [&str; 19] = [
    "Đảng ủy xã",
    "Văn phòng Đảng ủy",
    "Ủy ban Kiểm tra Đảng ủy",
    "Hội đồng nhân dân xã",
    "Ủy ban nhân dân xã",
    "Văn phòng HĐND và UBND",
    "Phòng Văn hóa - Xã hội",
    "Phòng Kinh tế",
    "Trung tâm Phục vụ hành chính công",
    "Công an xã",
    "Trạm Y tế xã",
    "Trường Mầm non",
    "Trường Tiểu học",
    "Trường THCS",
    "Ủy ban MTTQ Việt Nam xã",
    "Đoàn Thanh niên xã",
    "Hội Phụ nữ xã",
    "Thôn Đông",
    "Thôn Tây",
];
const GIVEN: [&str; 10] = [
    "An", "Bình", "Cường", "Dũng", "Hoa", "Lan", "Minh", "Nam", "Phương", "Tâm",
];
const FAMILY: [&str; 6] = [
    "Nguyễn Văn",
    "Trần Thị",
    "Lê Văn",
    "Phạm Thị",
    "Hoàng Văn",
    "Đỗ Thị",
];

/// The province's sheet: a row per unit, each with its account.
fn sheet(communes: usize) -> String {
    let mut out = String::from("Đơn vị,Mã hoặc đường dẫn,Họ tên,Vai trò,Email,Điện thoại\n");
    let mut n = 0usize;
    let mut person = |out: &mut String, unit: &str, place: &str, role: &str| {
        n += 1;
        let name = format!(
            "{} {}",
            FAMILY[n % FAMILY.len()],
            GIVEN[(n / 7) % GIVEN.len()]
        );
        out.push_str(&format!(
            "{unit},{place},{name},{role},cb{n}@tinh.test,09{:08}\n",
            n
        ));
    };
    for c in 1..=communes {
        let commune = format!("Xã Số {c}");
        person(&mut out, &commune, "", "Lãnh đạo");
        for unit in WORKING_UNITS {
            person(&mut out, unit, &commune, "Cán bộ báo cáo");
        }
    }
    out
}

async fn fresh_store(engine: &str, run: usize) -> Option<Store> {
    let clock = theodoi::clock::system();
    match engine {
        "sqlite" => {
            let dir = std::env::temp_dir().join(format!(
                "theodoi-onboard-bench-{}-{run}.db",
                std::process::id()
            ));
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", dir.display()));
            }
            Store::open(&dir.display().to_string(), clock).await.ok()
        }
        _ => {
            let url = std::env::var("THEODOI_TEST_PG_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
            sqlx::any::install_default_drivers();
            let admin = sqlx::any::AnyPoolOptions::new()
                .max_connections(1)
                .connect(&url)
                .await
                .ok()?;
            let schema = format!("bench_onboard_{}_{run}", std::process::id());
            for sql in [
                format!("DROP SCHEMA IF EXISTS {schema} CASCADE"),
                format!("CREATE SCHEMA {schema}"),
            ] {
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .execute(&admin)
                    .await
                    .ok()?;
            }
            admin.close().await;
            let options = ConnectOptions {
                pg_schema: Some(schema),
                max_connections: Some(4),
            };
            Store::open_with(&url, clock, options).await.ok()
        }
    }
}

async fn province(store: &Store) -> theodoi::domain::unit::Unit {
    let mut parent = None;
    let mut unit = None;
    for (kind, name) in [
        (UnitKind::Nation, "Việt Nam"),
        (UnitKind::Province, "Tỉnh Thử Nghiệm"),
    ] {
        let draft = UnitDraft {
            parent_id: parent,
            kind,
            name: name.into(),
            aliases: vec![],
            side: Side::Government,
        }
        .validate(unit.as_ref().map(|u: &theodoi::domain::unit::Unit| u.kind))
        .expect("valid unit");
        let created = store
            .create_unit(draft, &Actor::system())
            .await
            .expect("unit");
        parent = Some(created.id);
        unit = Some(created);
    }
    unit.expect("province")
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

async fn bench_engine(engine: &str, bytes: &[u8]) -> Option<()> {
    let mut dry = Vec::new();
    let mut load = Vec::new();
    let mut stored = (0, 0);
    for run in 0..RUNS {
        let store = fresh_store(engine, run).await?;
        let root = province(&store).await;
        let started = Instant::now();
        let plan = onboard_under(&store, &root, bytes, true, &Actor::system()).await;
        dry.push(started.elapsed());
        let plan = plan.expect("the sheet is valid");
        let started = Instant::now();
        let done = onboard_under(&store, &root, bytes, false, &Actor::system())
            .await
            .expect("loaded");
        load.push(started.elapsed());
        assert_eq!(done.units.len(), plan.units.len());
        stored = (
            store.count_rows("units").await.expect("count") - 2,
            store.count_rows("users").await.expect("count"),
        );
        store.close().await;
    }
    println!(
        "{engine:<8} dry run median {:>8.3} s   load median {:>8.3} s   ({} runs; {} units, {} accounts stored)",
        median(dry).as_secs_f64(),
        median(load).as_secs_f64(),
        RUNS,
        stored.0,
        stored.1
    );
    Some(())
}

fn main() -> ExitCode {
    let communes = std::env::var("BENCH_COMMUNES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let text = sheet(communes);
    println!(
        "onboarding: {communes} communes, {} rows, {} KB",
        text.lines().count() - 1,
        text.len() / 1024
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        for engine in ["sqlite", "postgres"] {
            if bench_engine(engine, text.as_bytes()).await.is_none() {
                println!("{engine:<8} skipped (not reachable)");
            }
        }
    });
    ExitCode::SUCCESS
}
