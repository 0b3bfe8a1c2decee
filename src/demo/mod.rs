//! `theodoi demo`: a fictional province (Sơn Lâm) with three communes and
//! their usual units, sample plans imported through the real importer, and
//! an account for every role. Running it again reuses what is there.

mod history;
mod history_public;
mod people;

use anyhow::Context;

use crate::auth::password;
use crate::auth::token::sha256_bytes_hex;
use crate::domain::access::Role;
use crate::domain::unit::{Side, Unit, UnitDraft, UnitKind};
use crate::import::{self, UnitEntry, resolve_units};
use crate::store::{Actor, NewUser, Page, Store, UnitFilter};

/// One password for every demo account; it meets the password rules and is
/// printed at start. Never use the demo database for real data.
pub const DEMO_PASSWORD: &str = "theodoi-demo-2026";

pub const PROVINCE: &str = "Tỉnh Sơn Lâm";
pub const COMMUNES: [(&str, &str); 3] = [
    ("Xã Tân Phong", "tanphong"),
    ("Xã Đồng Tâm", "dongtam"),
    ("Xã Hòa Lạc", "hoalac"),
];

/// The sample plans, in the formats officials receive, with the unit that
/// issues each.
pub const PLANS: [(&str, &str, &[u8]); 4] = [
    (
        "son_lam_tinh.txt",
        PROVINCE,
        include_bytes!("plans/son_lam_tinh.txt"),
    ),
    (
        "tan_phong_ubnd.txt",
        "Xã Tân Phong",
        include_bytes!("plans/tan_phong_ubnd.txt"),
    ),
    (
        "dong_tam_dang_uy.txt",
        "Xã Đồng Tâm",
        include_bytes!("plans/dong_tam_dang_uy.txt"),
    ),
    (
        "hoa_lac_ubnd.txt",
        "Xã Hòa Lạc",
        include_bytes!("plans/hoa_lac_ubnd.txt"),
    ),
];

pub struct DemoAccount {
    pub username: String,
    pub role: Role,
    pub unit: String,
}

pub struct DemoSummary {
    pub accounts: Vec<DemoAccount>,
    pub plans: usize,
    pub tasks: usize,
    pub targets: usize,
}

impl DemoSummary {
    pub fn describe(&self, listen: &str) -> String {
        let mut out = format!(
            "\nTheo Dõi (demo) đang chạy tại http://{listen}/\n\
             Dữ liệu mẫu: {} kế hoạch, {} nhiệm vụ, {} chỉ tiêu.\n\
             Tài khoản demo (mật khẩu chung: {DEMO_PASSWORD}):\n",
            self.plans, self.tasks, self.targets
        );
        for a in &self.accounts {
            out.push_str(&format!(
                "  {:<22} {:<28} {}\n",
                a.username,
                a.role.label_vi(),
                a.unit
            ));
        }
        out.push_str(
            "Tài khoản quản trị phải dùng xác thực hai lớp: lần đăng nhập đầu tiên, hãy thêm mã bí mật \
             hiển thị trên trang vào ứng dụng xác thực (Google Authenticator, FreeOTP…).\n",
        );
        out
    }
}

/// The units a commune usually has, with the names plans use for them.
fn commune_units(short: &str) -> Vec<(UnitKind, Side, String, Vec<String>)> {
    use Side::{Government as G, Other as O, Party as P};
    use UnitKind::*;
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    vec![
        (
            Office,
            P,
            "Đảng ủy xã".into(),
            s(&["Ban Thường vụ Đảng ủy xã", "Ban Chấp hành Đảng bộ xã"]),
        ),
        (
            Office,
            P,
            "Văn phòng Đảng ủy".into(),
            s(&["Văn phòng Đảng ủy xã"]),
        ),
        (Office, P, "Ủy ban Kiểm tra Đảng ủy".into(), s(&[])),
        (Office, P, "Ban Xây dựng Đảng".into(), s(&[])),
        (
            Office,
            P,
            "Các cơ quan chuyên trách tham mưu, giúp việc Đảng ủy".into(),
            s(&[]),
        ),
        (Office, G, "Hội đồng nhân dân xã".into(), s(&["HĐND xã"])),
        (Office, G, "Ủy ban nhân dân xã".into(), s(&["UBND xã"])),
        (
            Office,
            G,
            "Văn phòng HĐND và UBND".into(),
            s(&[
                "Văn phòng HĐND-UBND",
                "Văn phòng HĐND&UBND",
                "Văn phòng HĐND - UBND xã",
            ]),
        ),
        (
            Department,
            G,
            "Phòng Văn hóa - Xã hội".into(),
            s(&["Phòng VHXH", "Phòng VHXXH", "Phòng Văn hóa và Xã hội"]),
        ),
        (
            Department,
            G,
            "Phòng Kinh tế".into(),
            s(&["Phòng Kinh tế - Hạ tầng - Đô thị"]),
        ),
        (
            Office,
            G,
            "Trung tâm Phục vụ hành chính công".into(),
            s(&[
                "Trung tâm phục vụ HCC",
                "TTPVHCC",
                "Trung tâm phục vụ Hành chính công xã",
            ]),
        ),
        (PolicePost, G, "Công an xã".into(), s(&[])),
        (Other, G, "Trạm Y tế xã".into(), s(&["Trạm Y tế"])),
        (School, G, format!("Trường Mầm non {short}"), s(&[])),
        (School, G, format!("Trường TH&THCS {short}"), s(&[])),
        (
            MassOrganisation,
            O,
            "Ủy ban MTTQ Việt Nam xã".into(),
            s(&["Ủy ban Mặt trận Tổ quốc Việt Nam xã", "Ủy ban MTTQ xã"]),
        ),
        (
            MassOrganisation,
            O,
            "Đoàn Thanh niên xã".into(),
            s(&["Đoàn xã"]),
        ),
        (MassOrganisation, O, "Hội Phụ nữ xã".into(), s(&[])),
        (
            SteeringCommittee,
            P,
            "Ban Chỉ đạo 57 xã".into(),
            s(&["Ban Chỉ đạo"]),
        ),
        (Other, O, "Tổ công nghệ số cộng đồng".into(), s(&[])),
        (Village, G, "Thôn Đông".into(), s(&["Các thôn"])),
        (Village, G, "Thôn Tây".into(), s(&[])),
        (Village, G, "Thôn Bắc".into(), s(&[])),
    ]
}

async fn child(
    store: &Store,
    parent: Option<&Unit>,
    kind: UnitKind,
    side: Side,
    name: &str,
    aliases: Vec<String>,
) -> anyhow::Result<Unit> {
    let filter = UnitFilter {
        parent_id: parent.map(|p| p.id),
        kind: Some(kind),
        ..UnitFilter::default()
    };
    let existing = store.units(&filter, Page::all()).await?.items;
    if let Some(u) = existing
        .into_iter()
        .find(|u| u.name == name && (parent.is_some() || u.parent_id.is_none()))
    {
        return Ok(u);
    }
    let draft = UnitDraft {
        parent_id: parent.map(|p| p.id),
        kind,
        name: name.to_string(),
        aliases,
        side,
    }
    .validate(parent.map(|p| p.kind))?;
    Ok(store.create_unit(draft, &Actor::system()).await?)
}

async fn account(
    store: &Store,
    username: &str,
    full_name: &str,
    unit: &Unit,
    role: Role,
    hash: &str,
    out: &mut Vec<DemoAccount>,
) -> anyhow::Result<()> {
    if store.user_by_username(username).await?.is_none() {
        store
            .create_user(
                NewUser {
                    unit_id: unit.id,
                    username: username.to_string(),
                    full_name: full_name.to_string(),
                    password_hash: hash.to_string(),
                    roles: vec![role],
                },
                &Actor::system(),
            )
            .await?;
    }
    out.push(DemoAccount {
        username: username.to_string(),
        role,
        unit: unit.name.clone(),
    });
    Ok(())
}

pub async fn seed(store: &Store) -> anyhow::Result<DemoSummary> {
    let hash = tokio::task::spawn_blocking(|| password::hash(DEMO_PASSWORD)).await??;
    let mut accounts = Vec::new();
    let nation = child(
        store,
        None,
        UnitKind::Nation,
        Side::Government,
        "Việt Nam",
        vec![],
    )
    .await?;
    let admin = ("admin", "Quản trị hệ thống", Role::Administrator);
    add_accounts(store, &nation, &[admin], &hash, &mut accounts).await?;
    let province = seed_province(store, &nation, &hash, &mut accounts).await?;
    let mut communes = Vec::new();
    for (name, login) in COMMUNES {
        communes.push(seed_commune(store, &province, name, login, &hash, &mut accounts).await?);
    }
    let plans = import_plans(store, &province, &communes, &hash).await?;
    // This period's rounds, so the demo opens on something to report.
    store.open_current_rounds(store.clock().today()).await?;
    // Twelve months of the past, so charts and rankings mean something.
    history::build(store).await?;
    let tasks = store
        .tasks(&Default::default(), Page::new(Some(1), Some(1)))
        .await?
        .total;
    let targets = store
        .targets(&Default::default(), Page::new(Some(1), Some(1)))
        .await?
        .total;
    Ok(DemoSummary {
        accounts,
        plans,
        tasks: usize::try_from(tasks).unwrap_or(0),
        targets: usize::try_from(targets).unwrap_or(0),
    })
}

/// The accounts of a unit: (username, full name, role).
async fn add_accounts(
    store: &Store,
    unit: &Unit,
    people: &[(&str, &str, Role)],
    hash: &str,
    out: &mut Vec<DemoAccount>,
) -> anyhow::Result<()> {
    for (username, name, role) in people {
        account(store, username, name, unit, *role, hash, out).await?;
    }
    Ok(())
}

/// The province, its departments, its leader and focal point.
async fn seed_province(
    store: &Store,
    nation: &Unit,
    hash: &str,
    accounts: &mut Vec<DemoAccount>,
) -> anyhow::Result<Unit> {
    let province = child(
        store,
        Some(nation),
        UnitKind::Province,
        Side::Government,
        PROVINCE,
        vec![
            "UBND tỉnh Sơn Lâm".into(),
            "Ủy ban nhân dân tỉnh Sơn Lâm".into(),
        ],
    )
    .await?;
    for (name, aliases) in [
        ("Sở Khoa học và Công nghệ", vec!["Sở KH&CN"]),
        ("Sở Nội vụ", vec![]),
        ("Văn phòng UBND tỉnh", vec![]),
    ] {
        let aliases = aliases.into_iter().map(String::from).collect();
        let (kind, side) = (UnitKind::Department, Side::Government);
        child(store, Some(&province), kind, side, name, aliases).await?;
    }
    let people = [
        ("tinh.lanhdao", "Lê Văn Tỉnh", Role::Leader),
        ("tinh.daumoi", "Phạm Thị Sở", Role::FocalPoint),
    ];
    add_accounts(store, &province, &people, hash, accounts).await?;
    Ok(province)
}

/// A commune with its usual units, its focal point and leader; Tân Phong
/// also gets an administrator, a viewer and two unit reporters, so every
/// role can be tried.
async fn seed_commune(
    store: &Store,
    province: &Unit,
    name: &str,
    login: &str,
    hash: &str,
    accounts: &mut Vec<DemoAccount>,
) -> anyhow::Result<Unit> {
    let short = name.trim_start_matches("Xã ").to_string();
    let commune = child(
        store,
        Some(province),
        UnitKind::Commune,
        Side::Government,
        name,
        vec![format!("xã {short}"), format!("UBND xã {short}")],
    )
    .await?;
    let mut units = Vec::new();
    for (kind, side, unit_name, aliases) in commune_units(&short) {
        units.push(child(store, Some(&commune), kind, side, &unit_name, aliases).await?);
    }
    let focal = (format!("{login}.daumoi"), format!("Đầu mối {short}"));
    let leader = (
        format!("{login}.lanhdao"),
        format!("Chủ tịch UBND xã {short}"),
    );
    let people = [
        (focal.0.as_str(), focal.1.as_str(), Role::FocalPoint),
        (leader.0.as_str(), leader.1.as_str(), Role::Leader),
    ];
    add_accounts(store, &commune, &people, hash, accounts).await?;
    if login != "tanphong" {
        return Ok(commune);
    }
    let staff = [
        (
            "tanphong.quantri",
            "Quản trị xã Tân Phong",
            Role::Administrator,
        ),
        ("tanphong.xem", "Người xem Tân Phong", Role::Viewer),
        (
            "tanphong.kiemtra",
            "Ủy ban Kiểm tra Đảng ủy xã Tân Phong",
            Role::Inspector,
        ),
    ];
    add_accounts(store, &commune, &staff, hash, accounts).await?;
    for (unit_name, username, full_name) in [
        (
            "Phòng Văn hóa - Xã hội",
            "tanphong.vhxh",
            "Cán bộ Phòng VHXH",
        ),
        ("Công an xã", "tanphong.congan", "Cán bộ Công an xã"),
    ] {
        if let Some(u) = units.iter().find(|u| u.name == unit_name) {
            let reporter = [(username, full_name, Role::UnitReporter)];
            add_accounts(store, u, &reporter, hash, accounts).await?;
        }
    }
    Ok(commune)
}

/// The sample plans, read by the importer as an official's upload would
/// be, each under its issuer.
async fn import_plans(
    store: &Store,
    province: &Unit,
    communes: &[Unit],
    hash: &str,
) -> anyhow::Result<usize> {
    let mut plans = 0;
    for (file, issuer_name, bytes) in PLANS {
        let issuer = if issuer_name == PROVINCE {
            province.clone()
        } else {
            communes
                .iter()
                .find(|c| c.name == issuer_name)
                .cloned()
                .context("demo commune missing")?
        };
        let mut parsed =
            import::parse_plan(bytes, Some(file)).map_err(|e| anyhow::anyhow!("{file}: {e}"))?;
        let directory: Vec<UnitEntry> = store
            .subtree(&issuer.path)
            .await?
            .into_iter()
            .map(|u| UnitEntry {
                id: u.id,
                name: u.name,
                aliases: u.aliases,
            })
            .collect();
        import::split_by_directory(&mut parsed, &directory);
        let resolution = resolve_units(&parsed, &directory);
        parsed.unresolved_units = resolution.unresolved();
        let digest = sha256_bytes_hex(bytes);
        let outcome = store
            .import_plan(&issuer, &parsed, &resolution, &digest, &Actor::system())
            .await?;
        let prefix = COMMUNES
            .iter()
            .find(|(name, _)| *name == issuer.name)
            .map_or("tinh", |(_, login)| login);
        let staffing = people::Staffing { prefix, hash };
        people::assign_people(store, outcome.plan.id, &staffing).await?;
        plans += 1;
    }
    Ok(plans)
}
