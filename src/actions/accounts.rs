//! What a signed-in user does with their own account (password, second
//! factor, logout everywhere) and what an administrator does with others'
//! (enable again, roles, reset the second factor, read the audit trail),
//! shared by the pages and the API so both follow the same rules.

use crate::actions::AppError;
use crate::actions::Caller;
use crate::actions::sign_in::{
    Enrolment, fail, pending_enrolment, refuse_held_back, start_enrolment,
};
use crate::app::AppState;
use crate::auth::{password, totp};
use crate::domain::access::{Principal, Role};
use crate::domain::account::{AuditQuery, AuditScope};
use crate::store::{AuditEntry, Listing, Page, User};

/// The signed-in user's own record.
pub async fn me(state: &AppState, principal: &Principal) -> Result<User, AppError> {
    state
        .store
        .user(principal.user_id)
        .await?
        .ok_or(AppError::Unauthorized)
}

/// The signed-in user's record and how many sessions they have open.
pub async fn me_with_sessions(
    state: &AppState,
    principal: &Principal,
) -> Result<(User, i64), AppError> {
    let user = me(state, principal).await?;
    let sessions = state.store.session_count(user.id).await?;
    Ok((user, sessions))
}

/// Ends every session of the user, this one included.
pub async fn logout_everywhere(state: &AppState, caller: &Caller<'_>) -> Result<u64, AppError> {
    Ok(state
        .store
        .delete_user_sessions(caller.principal.user_id, &caller.actor)
        .await?)
}

/// A new password, given the current one; every session ends with it.
pub async fn change_password(
    state: &AppState,
    caller: &Caller<'_>,
    current: &str,
    new: &str,
) -> Result<(), AppError> {
    let user = me(state, caller.principal).await?;
    // A wrong current password counts like a wrong sign-in: a stolen
    // session cannot try passwords freely.
    let ip = caller.actor.ip.clone().unwrap_or_default();
    refuse_held_back(state, &user.username, &ip).await?;
    let ok = password::verify_queued(current.to_string(), user.password_hash.clone()).await;
    if !ok {
        let wrong = "Mật khẩu hiện tại không đúng";
        return Err(fail(
            state,
            &user.username,
            Some(user.id),
            "current_password",
            &ip,
            wrong,
        )
        .await);
    }
    // `current` was just checked: the same text is the same password.
    if new == current {
        return Err(AppError::invalid(password::PasswordError::SameAsCurrent));
    }
    password::check_for(new, &user.username, &user.full_name).map_err(AppError::invalid)?;
    let hash = password::hash_queued(new.to_string())
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    state
        .store
        .set_password(user.id, &hash, &caller.actor)
        .await?;
    Ok(())
}

/// The secret to enrol: the pending one if enrolment has begun, else a new
/// one. Refused once a second factor is on (its secret is never shown
/// again).
pub async fn begin_enrolment(
    state: &AppState,
    principal: &Principal,
) -> Result<Enrolment, AppError> {
    let user = me(state, principal).await?;
    if user.totp_enabled() {
        return Err(AppError::Invalid(
            "Xác thực hai lớp đã được bật cho tài khoản này".into(),
        ));
    }
    match pending_enrolment(state, &user) {
        Some(e) => Ok(e),
        None => start_enrolment(state, &user).await,
    }
}

/// Confirms enrolment with a first code from the app.
pub async fn confirm_enrolment(
    state: &AppState,
    caller: &Caller<'_>,
    code: &str,
) -> Result<(), AppError> {
    let user = me(state, caller.principal).await?;
    let secret = user
        .totp_pending
        .as_deref()
        .and_then(|s| totp::open_secret(state.config.data_key.as_ref(), s))
        .ok_or_else(|| {
            AppError::Invalid("Chưa có mã bí mật đang chờ xác nhận; hãy tải lại trang".into())
        })?;
    let now = state.store.clock().now_ms();
    let step = totp::verify(&secret, code, now, user.totp_last_step).ok_or_else(|| {
        AppError::Invalid("Mã xác thực không đúng hoặc đã hết hạn; hãy thử mã mới".into())
    })?;
    state
        .store
        .enable_totp(user.id, step, &caller.actor)
        .await?;
    Ok(())
}

/// A user who chose a second factor may turn it off with a current code;
/// administrators may not (it is required of them).
pub async fn disable_own_totp(
    state: &AppState,
    caller: &Caller<'_>,
    code: &str,
) -> Result<(), AppError> {
    if caller.principal.has(Role::Administrator) {
        return Err(AppError::Invalid(
            "Tài khoản quản trị bắt buộc dùng xác thực hai lớp".into(),
        ));
    }
    let user = me(state, caller.principal).await?;
    let secret = user
        .totp_secret
        .as_deref()
        .and_then(|s| totp::open_secret(state.config.data_key.as_ref(), s))
        .ok_or_else(|| AppError::Invalid("Xác thực hai lớp chưa được bật".into()))?;
    let now = state.store.clock().now_ms();
    let accepted = match totp::verify(&secret, code, now, user.totp_last_step) {
        Some(step) => state.store.accept_totp_step(user.id, step).await?,
        None => false,
    };
    if !accepted {
        return Err(AppError::Invalid("Mã xác thực không đúng".into()));
    }
    state.store.disable_totp(user.id, &caller.actor).await?;
    Ok(())
}

/// The users an administrator manages: its subtree.
pub async fn managed_users(state: &AppState, principal: &Principal) -> Result<Vec<User>, AppError> {
    require_admin(principal)?;
    Ok(state
        .store
        .users(&principal.unit_path, Page::all())
        .await?
        .items)
}

/// Another user an administrator may change: 404 outside its subtree, 403
/// for anyone but an administrator.
pub async fn managed_user(
    state: &AppState,
    principal: &Principal,
    id: i64,
) -> Result<User, AppError> {
    let user = state.store.user(id).await?.ok_or(AppError::NotFound)?;
    if !principal.can_read(&user.unit_path) {
        return Err(AppError::NotFound);
    }
    if !principal.can_administer(&user.unit_path) {
        return Err(AppError::Forbidden);
    }
    Ok(user)
}

pub async fn enable_user(state: &AppState, caller: &Caller<'_>, id: i64) -> Result<User, AppError> {
    let user = managed_user(state, caller.principal, id).await?;
    state.store.enable_user(user.id, &caller.actor).await?;
    state.store.user(id).await?.ok_or(AppError::NotFound)
}

pub async fn reset_totp(state: &AppState, caller: &Caller<'_>, id: i64) -> Result<(), AppError> {
    let user = managed_user(state, caller.principal, id).await?;
    state.store.disable_totp(user.id, &caller.actor).await?;
    Ok(())
}

fn require_admin(principal: &Principal) -> Result<(), AppError> {
    if principal.has(Role::Administrator) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Records a read by someone whose reads are audited (an inspector).
pub async fn record_read(
    state: &AppState,
    actor: &crate::store::Actor,
    address: &str,
) -> Result<(), AppError> {
    Ok(state.store.record_read(actor, address).await?)
}

/// The part of the audit trail an administrator or an inspector sees: its
/// own subtree.
pub async fn audit_scope(state: &AppState, principal: &Principal) -> Result<AuditScope, AppError> {
    if !principal.can_read_audit() {
        return Err(AppError::Forbidden);
    }
    let unit = state
        .store
        .unit(principal.unit_id)
        .await?
        .ok_or(AppError::Forbidden)?;
    Ok(AuditScope::for_unit(unit.province_id, unit.commune_id))
}

pub async fn search_audit(
    state: &AppState,
    principal: &Principal,
    query: &AuditQuery,
    page: Page,
) -> Result<Listing<AuditEntry>, AppError> {
    let scope = audit_scope(state, principal).await?;
    Ok(state.store.audit_search(scope, query, page).await?)
}

/// Most rows one CSV export holds; a narrower search gets the rest.
pub const EXPORT_LIMIT: u32 = 100_000;

/// The CSV of a search (at most [`EXPORT_LIMIT`] rows), the export itself
/// written to the trail.
pub async fn export_audit(
    state: &AppState,
    caller: &Caller<'_>,
    query: &AuditQuery,
) -> Result<String, AppError> {
    let scope = audit_scope(state, caller.principal).await?;
    let page = Page {
        page: 1,
        per_page: EXPORT_LIMIT,
    };
    let listing = state.store.audit_search(scope, query, page).await?;
    state
        .store
        .record_audit_export(&caller.actor, query, listing.items.len())
        .await?;
    use crate::domain::account::csv_line;
    let mut out = String::from("\u{feff}");
    out.push_str(&csv_line(
        &[
            "id",
            "thoi_gian",
            "nguoi_dung",
            "dia_chi",
            "hanh_dong",
            "doi_tuong",
            "ma_doi_tuong",
            "tinh",
            "xa",
            "truoc",
            "sau",
        ]
        .map(String::from),
    ));
    for e in &listing.items {
        out.push_str(&csv_line(&[
            e.id.to_string(),
            vietnam_time(e.at),
            e.username.clone().unwrap_or_default(),
            e.ip.clone().unwrap_or_default(),
            e.action.clone(),
            e.entity.clone(),
            e.entity_id.map(|i| i.to_string()).unwrap_or_default(),
            e.province_id.map(|i| i.to_string()).unwrap_or_default(),
            e.commune_id.map(|i| i.to_string()).unwrap_or_default(),
            e.before.clone().unwrap_or_default(),
            e.after.clone().unwrap_or_default(),
        ]));
    }
    Ok(out)
}

/// A moment as Vietnam reads it (UTC+7).
pub fn vietnam_time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms + 7 * 3_600_000)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}
