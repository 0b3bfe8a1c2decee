//! Onboarding in bulk, for the API and the CLI alike: a sheet of units and
//! accounts checked row by row against the administrator's subtree (a dry
//! run stops there), then written in one transaction, each new account
//! with a one-time enrolment code handed back once; and a commune's usual
//! working units created from the template in one step.
//!
//! Scope: only an administrator, and only within its own subtree (or the
//! unit it names beneath it); codes and paths outside it are not found.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::actions::access::administrable_unit;
use crate::actions::{AppError, Caller};
use crate::app::AppState;
use crate::auth::token::sha256_hex;
use crate::domain::access::Role;
use crate::domain::commune_template::{commune_template, missing_units};
use crate::domain::onboarding::{OnboardPlan, RowProblem, TreeUnit, UnitRef, resolve};
use crate::domain::staff::{ENROLMENT_MS, EnrolmentPurpose, format_code, normalize_code};
use crate::domain::unit::{Unit, UnitDraft, UnitKind};
use crate::store::{Actor, NewEnrolment, Store, UnitFilter};

/// A unit a sheet creates, as the preview shows it.
#[derive(Debug, Clone, Serialize)]
pub struct PlannedUnit {
    pub row: usize,
    pub name: String,
    pub kind: UnitKind,
    /// Where it goes: the names from the administrator's unit down.
    pub parent: String,
    /// Its id once created.
    pub id: Option<i64>,
}

/// An account a sheet creates, and once created its code (shown once).
#[derive(Debug, Clone, Serialize)]
pub struct PlannedAccount {
    pub row: usize,
    pub username: String,
    pub full_name: String,
    pub role: Role,
    pub unit: String,
    pub email: Option<String>,
    pub id: Option<i64>,
    pub code: Option<String>,
    pub link: Option<String>,
    pub expires_at: Option<i64>,
}

/// What a sheet did, or (dry run) would do.
#[derive(Debug, Clone, Serialize)]
pub struct SheetOutcome {
    pub dry_run: bool,
    pub root_id: i64,
    pub units: Vec<PlannedUnit>,
    pub accounts: Vec<PlannedAccount>,
    /// Rows whose unit was already there.
    pub units_found: usize,
}

/// An administrator's sheet, under its own unit or `under` (a unit of its
/// subtree).
pub async fn onboard(
    state: &AppState,
    caller: &Caller<'_>,
    bytes: &[u8],
    dry_run: bool,
    under: Option<i64>,
) -> Result<SheetOutcome, AppError> {
    if !caller.principal.has(Role::Administrator) {
        return Err(AppError::Forbidden);
    }
    let root_id = under.unwrap_or(caller.principal.unit_id);
    // A unit outside the administrator's subtree is refused as forbidden:
    // the sheet names where to act, and it may not act there.
    let root = administrable_unit(state, caller.principal, root_id)
        .await
        .map_err(|e| match e {
            AppError::NotFound => AppError::Forbidden,
            other => other,
        })?;
    onboard_under(&state.store, &root, bytes, dry_run, &caller.actor).await
}

/// A sheet under `root`, for whoever may act there (the CLI acts as the
/// system). Every row is checked first; one bad row refuses the sheet and
/// nothing is stored.
pub async fn onboard_under(
    store: &Store,
    root: &Unit,
    bytes: &[u8],
    dry_run: bool,
    actor: &Actor,
) -> Result<SheetOutcome, AppError> {
    let lines = crate::import::read_sheet(bytes).map_err(|e| AppError::BadSheet {
        message: e.to_string(),
        rows: vec![RowProblem {
            row: 0,
            message: e.to_string(),
        }],
    })?;
    let tree_root = TreeUnit {
        id: root.id,
        parent_id: root.parent_id,
        kind: root.kind,
        name: root.name.clone(),
        aliases: root.aliases.clone(),
        code: root.code.clone(),
    };
    let units = store.onboarding_tree(&root.path).await?;
    let resolved = resolve(&lines, &tree_root, &units).map_err(bad_rows)?;
    let wanted = resolved.wanted_usernames();
    let taken = store.usernames_taken(&wanted, &[]).await?;
    let bases = resolved.bases_taken(&taken);
    let taken = if bases.is_empty() {
        taken
    } else {
        let mut all = taken;
        all.extend(store.usernames_taken(&[], &bases).await?);
        all
    };
    let plan = resolved.finish(&taken).map_err(bad_rows)?;
    let mut outcome = describe(&plan, &tree_root, &units, dry_run);
    if dry_run {
        return Ok(outcome);
    }
    let now = store.clock().now_ms();
    let mut codes = Vec::with_capacity(plan.accounts.len());
    let mut stored = Vec::with_capacity(plan.accounts.len());
    for _ in &plan.accounts {
        let (code, enrolment) = fresh_code(now)?;
        codes.push(code);
        stored.push(enrolment);
    }
    let done = store
        .apply_onboarding(root.id, &plan, &stored, actor)
        .await?;
    for (unit, id) in outcome.units.iter_mut().zip(done.unit_ids) {
        unit.id = Some(id);
    }
    for ((account, id), (code, enrolment)) in outcome
        .accounts
        .iter_mut()
        .zip(done.user_ids)
        .zip(codes.into_iter().zip(&stored))
    {
        account.id = Some(id);
        account.link = Some(format!("/enrol/{code}"));
        account.code = Some(code);
        account.expires_at = Some(enrolment.expires_at);
    }
    Ok(outcome)
}

fn bad_rows(rows: Vec<RowProblem>) -> AppError {
    let message = match rows.as_slice() {
        [one] if one.row == 0 => format!("{}; không có gì được lưu", one.message),
        [one] => format!(
            "Dòng {}: {}. Bảng tính không được nạp, không có gì được lưu",
            one.row, one.message
        ),
        many => format!(
            "Bảng tính có {} dòng không hợp lệ (dòng {}); không có gì được lưu",
            many.len(),
            many.iter()
                .take(10)
                .map(|p| p.row.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    AppError::BadSheet { message, rows }
}

/// A fresh enrolment code and what the store keeps of it (its hash).
fn fresh_code(now: i64) -> Result<(String, NewEnrolment), AppError> {
    let mut random = [0u8; 10];
    getrandom::fill(&mut random).map_err(|_| AppError::Internal("no randomness".into()))?;
    let code = format_code(&random);
    let normalized = normalize_code(&code).ok_or_else(|| AppError::Internal("code".into()))?;
    Ok((
        code,
        NewEnrolment {
            code_hash: sha256_hex(&normalized),
            purpose: EnrolmentPurpose::NewAccount,
            expires_at: now + ENROLMENT_MS,
        },
    ))
}

/// The plan in words: each new unit with the names above it.
fn describe(
    plan: &OnboardPlan,
    root: &TreeUnit,
    units: &[TreeUnit],
    dry_run: bool,
) -> SheetOutcome {
    let existing: HashMap<i64, &TreeUnit> = std::iter::once(root)
        .chain(units)
        .map(|u| (u.id, u))
        .collect();
    let path_of = |r: UnitRef| -> String {
        let mut names = Vec::new();
        let mut at = Some(r);
        let mut guard = 0;
        while let Some(here) = at {
            guard += 1;
            if guard > 64 {
                break;
            }
            match here {
                UnitRef::New(i) => {
                    let Some(u) = plan.units.get(i) else { break };
                    names.push(u.name.clone());
                    at = Some(u.parent);
                }
                UnitRef::Existing(id) => {
                    let Some(u) = existing.get(&id) else { break };
                    names.push(u.name.clone());
                    at = (id != root.id)
                        .then_some(u.parent_id)
                        .flatten()
                        .map(UnitRef::Existing);
                }
            }
        }
        names.reverse();
        names.join(" / ")
    };
    SheetOutcome {
        dry_run,
        root_id: root.id,
        units: plan
            .units
            .iter()
            .map(|u| PlannedUnit {
                row: u.row,
                name: u.name.clone(),
                kind: u.kind,
                parent: path_of(u.parent),
                id: None,
            })
            .collect(),
        accounts: plan
            .accounts
            .iter()
            .map(|a| PlannedAccount {
                row: a.row,
                username: a.username.clone(),
                full_name: a.profile.full_name.clone(),
                role: a.role,
                unit: path_of(a.unit),
                email: a.profile.email.clone(),
                id: None,
                code: None,
                link: None,
                expires_at: None,
            })
            .collect(),
        units_found: plan.units_found,
    }
}

/// What the template did on a commune.
#[derive(Debug, Clone)]
pub struct TemplateOutcome {
    pub created: Vec<Unit>,
    /// Units of the template the commune already had.
    pub skipped: usize,
}

/// Creates the usual working units of a commune it does not have yet
/// (by name or alias), in one transaction; again, it creates nothing.
pub async fn apply_template(
    state: &AppState,
    caller: &Caller<'_>,
    unit_id: i64,
) -> Result<TemplateOutcome, AppError> {
    let commune = administrable_unit(state, caller.principal, unit_id).await?;
    if commune.kind != UnitKind::Commune {
        return Err(AppError::Invalid(
            "Chỉ áp dụng mẫu đơn vị cho xã, phường, đặc khu".into(),
        ));
    }
    if commune.ended_on.is_some() {
        return Err(AppError::Invalid(
            "Xã này đã được sáp nhập; hãy áp dụng mẫu cho xã sau sáp nhập".into(),
        ));
    }
    let children = state
        .store
        .units(
            &UnitFilter {
                parent_id: Some(commune.id),
                ..Default::default()
            },
            crate::store::Page::all(),
        )
        .await?
        .items;
    let names: Vec<Vec<String>> = children
        .iter()
        .map(|c| {
            std::iter::once(c.name.clone())
                .chain(c.aliases.clone())
                .collect()
        })
        .collect();
    let template = commune_template(&commune.name);
    let total = template.len();
    let missing = missing_units(template, &names);
    let skipped = total - missing.len();
    let mut seen = HashSet::new();
    let mut drafts = Vec::with_capacity(missing.len());
    for t in missing {
        if !seen.insert(t.name.clone()) {
            continue;
        }
        let draft = UnitDraft {
            parent_id: Some(commune.id),
            kind: t.kind,
            name: t.name,
            aliases: t.aliases,
            side: t.side,
        }
        .validate(Some(commune.kind))
        .map_err(AppError::invalid)?;
        drafts.push(draft);
    }
    let created = state
        .store
        .create_units(&commune, drafts, &caller.actor)
        .await?;
    Ok(TemplateOutcome { created, skipped })
}
