//! Accounts for a generated province, for `theodoi load`: a reporter for
//! every working unit of every commune, a leader and a focal point for every
//! commune and one of each for the province — the people who are online on
//! a deadline day and on the review day after it.
//!
//! They all share one password, hashed once: hashing two thousand
//! passwords with Argon2id would take longer than the test they serve, and
//! the server checks each login against the stored hash all the same.
//! Rows go in through [`Store::bulk_insert`] like the rest of the
//! synthetic data set.

use anyhow::Context;

use crate::domain::access::Role;
use crate::domain::unit::{Unit, UnitKind};
use crate::store::{BulkValue, Page, Store, UnitFilter};

/// One generated account.
#[derive(Debug, Clone)]
pub struct Account {
    pub username: String,
    pub unit_id: i64,
    /// The commune the account works in (its own unit for a commune's
    /// leader or focal point; the province for the province's).
    pub commune_id: i64,
}

/// The accounts of one province.
#[derive(Debug, Clone)]
pub struct ProvinceAccounts {
    pub province: Unit,
    pub leader: Account,
    /// The province's focal point: reviews every commune's reports.
    pub focal_point: Account,
    /// A leader per commune, with the commune.
    pub commune_leaders: Vec<(Unit, Account)>,
    /// A focal point per commune, in the same order as the leaders.
    pub commune_focal_points: Vec<Account>,
    /// A reporter per working unit, in commune order.
    pub reporters: Vec<Account>,
}

/// The username of a unit's reporter: `dv` and the unit's id.
pub fn reporter_name(unit_id: i64) -> String {
    format!("dv{unit_id}")
}

/// The username of a commune's or the province's leader.
pub fn leader_name(unit_id: i64) -> String {
    format!("lanhdao{unit_id}")
}

/// The username of a commune's or the province's focal point.
pub fn focal_point_name(unit_id: i64) -> String {
    format!("daumoi{unit_id}")
}

/// Creates the accounts of the first province of a generated database;
/// `password_hash` is stored for all of them.
pub async fn create_for_first_province(
    store: &Store,
    password_hash: &str,
) -> anyhow::Result<ProvinceAccounts> {
    let province = units(
        store,
        UnitFilter {
            kind: Some(UnitKind::Province),
            ..UnitFilter::default()
        },
    )
    .await?
    .into_iter()
    .next()
    .context("không có tỉnh nào; hãy sinh dữ liệu trước")?;
    let communes = units(
        store,
        UnitFilter {
            parent_id: Some(province.id),
            kind: Some(UnitKind::Commune),
            ..UnitFilter::default()
        },
    )
    .await?;
    let mut next_id = store.max_id("users").await? + 1;
    let now = store.clock().now_ms();
    let mut users = Vec::new();
    let mut roles = Vec::new();
    let mut add = |unit: &Unit, commune_id: i64, username: String, role: Role| {
        let id = next_id;
        next_id += 1;
        users.push(user_row(id, unit, &username, password_hash, now));
        roles.push(vec![
            BulkValue::Int(id),
            BulkValue::Text(role.as_str().into()),
        ]);
        Account {
            username,
            unit_id: unit.id,
            commune_id,
        }
    };
    let leader = add(
        &province,
        province.id,
        leader_name(province.id),
        Role::Leader,
    );
    let focal_point = add(
        &province,
        province.id,
        focal_point_name(province.id),
        Role::FocalPoint,
    );
    let mut commune_leaders = Vec::new();
    let mut commune_focal_points = Vec::new();
    let mut reporters = Vec::new();
    for commune in communes {
        let working = units(
            store,
            UnitFilter {
                parent_id: Some(commune.id),
                ..UnitFilter::default()
            },
        )
        .await?;
        for unit in &working {
            reporters.push(add(
                unit,
                commune.id,
                reporter_name(unit.id),
                Role::UnitReporter,
            ));
        }
        let account = add(&commune, commune.id, leader_name(commune.id), Role::Leader);
        commune_focal_points.push(add(
            &commune,
            commune.id,
            focal_point_name(commune.id),
            Role::FocalPoint,
        ));
        commune_leaders.push((commune, account));
    }
    store.bulk_insert("users", USER_COLUMNS, &users).await?;
    store
        .bulk_insert("user_roles", &["user_id", "role"], &roles)
        .await?;
    store.continue_ids(&["users"]).await?;
    Ok(ProvinceAccounts {
        province,
        leader,
        focal_point,
        commune_leaders,
        commune_focal_points,
        reporters,
    })
}

const USER_COLUMNS: &[&str] = &[
    "id",
    "unit_id",
    "province_id",
    "commune_id",
    "username",
    "full_name",
    "password_hash",
    "active",
    "failed_logins",
    "created_at",
    "updated_at",
    "version",
];

fn user_row(id: i64, unit: &Unit, username: &str, hash: &str, now: i64) -> Vec<BulkValue> {
    let opt = |v: Option<i64>| v.map_or(BulkValue::Null, BulkValue::Int);
    vec![
        BulkValue::Int(id),
        BulkValue::Int(unit.id),
        opt(unit.province_id),
        opt(unit.commune_id),
        BulkValue::Text(username.into()),
        BulkValue::Text(format!("Cán bộ {}", unit.name)),
        BulkValue::Text(hash.into()),
        BulkValue::Int(1),
        BulkValue::Int(0),
        BulkValue::Int(now),
        BulkValue::Int(now),
        BulkValue::Int(1),
    ]
}

async fn units(store: &Store, filter: UnitFilter) -> anyhow::Result<Vec<Unit>> {
    let mut all = Vec::new();
    for page in 1.. {
        let listing = store
            .units(&filter, Page::new(Some(page), Some(Page::MAX_PER_PAGE)))
            .await?;
        let full = listing.items.len() == Page::MAX_PER_PAGE as usize;
        all.extend(listing.items);
        if !full {
            break;
        }
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock;

    async fn unit_parent(store: &Store, unit_id: i64) -> i64 {
        let unit = store.unit(unit_id).await.expect("unit").expect("unit");
        unit.parent_id.expect("a working unit has its commune")
    }
    use crate::synthetic::{
        DEFAULT_PASSWORD, GenOptions, UNITS_PER_COMMUNE, admin_totp_secret, generate,
    };

    #[tokio::test]
    async fn every_unit_gets_a_reporter_and_every_level_a_leader() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a.db");
        let store = Store::open(&path.display().to_string(), clock::system())
            .await
            .expect("open");
        let options = GenOptions {
            provinces: 1,
            communes_per_province: 2,
            official: false,
            months: 1,
            seed: 7,
            admin_password: DEFAULT_PASSWORD.into(),
            admin_totp_secret: admin_totp_secret().expect("secret"),
        };
        generate(&store, &options, &mut |_| {}).await.expect("gen");
        let hash = crate::auth::password::hash(DEFAULT_PASSWORD).expect("hash");
        let people = create_for_first_province(&store, &hash)
            .await
            .expect("accounts");
        assert_eq!(people.reporters.len(), 2 * UNITS_PER_COMMUNE);
        assert_eq!(people.commune_leaders.len(), 2);
        assert_eq!(people.commune_focal_points.len(), 2);
        for (account, (commune, _)) in people
            .commune_focal_points
            .iter()
            .zip(&people.commune_leaders)
        {
            let user = store
                .user_by_username(&account.username)
                .await
                .expect("read")
                .expect("stored");
            assert_eq!((user.unit_id, account.commune_id), (commune.id, commune.id));
            assert_eq!(user.roles, vec![Role::FocalPoint]);
        }
        let focal = store
            .user_by_username(&people.focal_point.username)
            .await
            .expect("read")
            .expect("stored");
        assert_eq!(focal.unit_id, people.province.id);
        assert_eq!(focal.roles, vec![Role::FocalPoint]);
        for account in &people.reporters {
            let user = store
                .user_by_username(&account.username)
                .await
                .expect("read")
                .expect("stored");
            assert_eq!(user.unit_id, account.unit_id);
            assert_eq!(user.roles, vec![Role::UnitReporter]);
            assert_eq!(unit_parent(&store, user.unit_id).await, account.commune_id);
            let unit = store.unit(user.unit_id).await.expect("unit").expect("unit");
            assert!(
                people
                    .commune_leaders
                    .iter()
                    .any(|(c, _)| unit.parent_id == Some(c.id)),
                "{} reports for a unit of a generated commune",
                account.username
            );
        }
        let leader = store
            .user_by_username(&people.leader.username)
            .await
            .expect("read")
            .expect("stored");
        assert_eq!(leader.unit_id, people.province.id);
        assert_eq!(leader.roles, vec![Role::Leader]);
        assert!(crate::auth::password::verify(
            DEFAULT_PASSWORD,
            &leader.password_hash
        ));
        // Accounts made afterwards continue above the loaded ids.
        let next = store
            .create_user(
                crate::store::NewUser {
                    unit_id: people.province.id,
                    username: "sau.nap".into(),
                    full_name: "Tạo sau".into(),
                    password_hash: hash,
                    roles: vec![Role::Viewer],
                },
                &crate::store::Actor::system(),
            )
            .await
            .expect("a later account");
        let last = people.reporters.last().expect("reporters");
        let last = store
            .user_by_username(&last.username)
            .await
            .expect("read")
            .expect("stored");
        assert!(next.id > last.id && next.id > leader.id);
        store.close().await;
    }
}
