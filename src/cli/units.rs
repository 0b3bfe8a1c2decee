//! `theodoi user add` and `theodoi unit add|import`: accounts and units
//! from the command line, and the official list of 2025 with the former
//! communes.

use anyhow::{Context, bail};

use super::open;
use crate::auth::password;
use crate::domain::access::Role;
use crate::domain::unit::{Side, UnitDraft, UnitKind};
use crate::store::{Actor, NewUser, Store};

fn read_password() -> anyhow::Result<String> {
    if let Ok(p) = std::env::var("THEODOI_PASSWORD") {
        return Ok(p);
    }
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

pub(super) async fn add_user(
    db: &str,
    username: String,
    name: String,
    unit: i64,
    roles: Vec<String>,
) -> anyhow::Result<()> {
    let roles = roles
        .iter()
        .map(|r| Role::parse(r).with_context(|| format!("vai trò không hợp lệ: {r}")))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let pw = read_password()?;
    password::check_for(&pw, &username, &name)?;
    let store = open(db).await?;
    let hash = password::hash(&pw)?;
    let user = store
        .create_user(
            NewUser {
                unit_id: unit,
                username,
                full_name: name,
                password_hash: hash,
                roles,
            },
            &Actor::system(),
        )
        .await?;
    println!(
        "Đã tạo tài khoản {} (#{}) tại {}",
        user.username, user.id, user.unit_name
    );
    Ok(())
}

/// `theodoi unit import --official [--former] [--province CODE]`.
pub(super) async fn import_official(
    db: &str,
    official: bool,
    former: bool,
    province: Option<&str>,
) -> anyhow::Result<()> {
    use crate::domain::official;
    if !official {
        bail!(
            "hãy chọn danh mục cần nạp: --official (danh mục đơn vị hành chính từ 01/7/2025), \
             thêm --former để nạp cả các xã cũ trước sắp xếp"
        );
    }
    let list = official::official_2025()?;
    let units = match province {
        Some(code) => official::of_province(&list, code)
            .with_context(|| format!("danh mục không có tỉnh/thành phố mã {code}"))?,
        None => list.clone(),
    };
    let store = open(db).await?;
    let started = std::time::Instant::now();
    let done = store.import_official(&units, &Actor::system()).await?;
    println!(
        "Đã nạp danh mục {}: {} tỉnh/thành phố, {} xã/phường/đặc khu; tạo mới {}, gán mã cho {} đơn vị có sẵn, giữ nguyên {} (trong đó {} mang tên khác danh mục) trong {:.1} giây",
        official::OFFICIAL_2025_EFFECTIVE_ON,
        done.provinces,
        done.communes,
        done.created,
        done.adopted,
        done.unchanged,
        done.named_otherwise,
        started.elapsed().as_secs_f64()
    );
    if former {
        import_former(&store, &list, province).await?;
    }
    store.close().await;
    Ok(())
}

/// The former communes of the 2025 merger, after the official list.
async fn import_former(
    store: &Store,
    official: &[crate::domain::official::OfficialUnit],
    province: Option<&str>,
) -> anyhow::Result<()> {
    use crate::domain::former;
    let all = former::former_2025()?;
    let formers = match province {
        Some(code) => former::of_province(&all, official, code),
        None => all,
    };
    let started = std::time::Instant::now();
    let done = store.import_former(&formers, &Actor::system()).await?;
    println!(
        "Đã nạp {} xã/phường/thị trấn cũ (kết thúc {}): tạo mới {}, giữ nguyên {}, thiếu xã kế thừa {}; {} sự kiện sáp nhập, trong {:.1} giây",
        formers.len(),
        former::FORMER_2025_ENDED_ON,
        done.created,
        done.unchanged,
        done.without_successor,
        done.events,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

pub(super) async fn add_unit(
    db: &str,
    name: String,
    kind: String,
    parent: Option<i64>,
    side: String,
    aliases: Vec<String>,
) -> anyhow::Result<()> {
    let kind =
        UnitKind::parse(&kind).with_context(|| format!("loại đơn vị không hợp lệ: {kind}"))?;
    let side = Side::parse(&side).with_context(|| format!("khối không hợp lệ: {side}"))?;
    let store = open(db).await?;
    let parent_kind = match parent {
        Some(p) => Some(
            store
                .unit(p)
                .await?
                .with_context(|| format!("không có đơn vị {p}"))?
                .kind,
        ),
        None => None,
    };
    let draft = UnitDraft {
        parent_id: parent,
        kind,
        name,
        aliases,
        side,
    }
    .validate(parent_kind)?;
    let unit = store.create_unit(draft, &Actor::system()).await?;
    println!("Đã tạo đơn vị #{}: {}", unit.id, unit.name);
    Ok(())
}
