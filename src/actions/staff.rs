//! What an administrator does with the staff accounts of its subtree: list
//! them (by unit, role, state), create one, edit its profile, move it to
//! another unit, change its roles, disable it, reset its password; and
//! what a person does with the one-time enrolment code that replaces a
//! first password. Shared by the pages and the API.
//!
//! Scope: an account outside the administrator's subtree is not found
//! (404); a unit or account it may read but not administer is forbidden
//! (403). So an administrator of commune A never reaches B's accounts, and
//! never moves an account out of its subtree or gives a role above it.

use crate::actions::accounts::managed_user;
use crate::actions::{AppError, Caller};
use crate::app::AppState;
use crate::auth::password;
use crate::auth::token::sha256_hex;
use crate::domain::access::{Principal, Role};
use crate::domain::staff::{
    EnrolmentPurpose, Profile, SELF_RESET_MINUTES, format_code, grantable, normalize_code,
    parse_username,
};
use crate::store::{Actor, Listing, NewEnrolment, NewUser, Page, User, UserFilter};

/// The list's filters as the request gave them.
#[derive(Debug, Clone, Default)]
pub struct UserQuery {
    pub unit_id: Option<i64>,
    pub role: Option<Role>,
    pub active: Option<bool>,
    pub query: Option<String>,
}

/// The accounts of the administrator's subtree that match.
pub async fn list_users(
    state: &AppState,
    principal: &Principal,
    q: &UserQuery,
    page: Page,
) -> Result<Listing<User>, AppError> {
    require_admin(principal)?;
    let unit_path = match q.unit_id {
        Some(id) => Some(
            super::access::administrable_unit(state, principal, id)
                .await?
                .path,
        ),
        None => None,
    };
    let filter = UserFilter {
        within_path: principal.unit_path.clone(),
        unit_path,
        role: q.role,
        active: q.active,
        query: q.query.clone(),
    };
    Ok(state.store.users_filtered(&filter, page).await?)
}

/// A staff account an administrator creates: no password; its owner sets
/// one with the enrolment code.
pub struct NewAccount {
    pub username: String,
    pub full_name: String,
    pub unit_id: i64,
    pub role: Role,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// An enrolment code just issued. `code` is the only copy there will ever
/// be: shown once to the administrator, unless it was e-mailed.
#[derive(Debug, Clone)]
pub struct Issued {
    pub user: User,
    pub code: Option<String>,
    /// The path that opens the enrolment page with the code filled in.
    pub link: Option<String>,
    pub emailed_to: Option<String>,
    pub expires_at: i64,
}

/// Creates an account on a unit of the administrator's subtree (404
/// outside it, 403 for anyone but an administrator), with an enrolment
/// code instead of a password: no hashing here, so accounts are created
/// in bulk as fast as rows are written.
pub async fn create_account(
    state: &AppState,
    caller: &Caller<'_>,
    input: NewAccount,
) -> Result<Issued, AppError> {
    require_admin(caller.principal)?;
    let unit = super::access::administrable_unit(state, caller.principal, input.unit_id).await?;
    if !grantable(caller.principal, &unit.path).contains(&input.role) {
        return Err(AppError::Forbidden);
    }
    let username = parse_username(&input.username).map_err(AppError::invalid)?;
    let profile = Profile::parse(
        &input.full_name,
        input.email.as_deref(),
        input.phone.as_deref(),
    )
    .map_err(AppError::invalid)?;
    if state.store.user_by_username(&username).await?.is_some() {
        return Err(AppError::Invalid("Tên đăng nhập đã có người dùng".into()));
    }
    let (code, enrolment) = new_code(state, EnrolmentPurpose::NewAccount)?;
    let user = state
        .store
        .create_user_enrolling(
            NewUser {
                unit_id: unit.id,
                username,
                full_name: profile.full_name.clone(),
                password_hash: String::new(),
                roles: vec![input.role],
            },
            &profile,
            &enrolment,
            &caller.actor,
        )
        .await?;
    Ok(deliver(state, user, code, enrolment.expires_at).await)
}

/// An administrator resets a password: it stops working at once, every
/// session of the account ends, and the owner sets a new one with a code.
pub async fn reset_password(
    state: &AppState,
    caller: &Caller<'_>,
    id: i64,
) -> Result<Issued, AppError> {
    let user = managed_user(state, caller.principal, id).await?;
    if user.id == caller.principal.user_id {
        return Err(AppError::Invalid(
            "Đổi mật khẩu của chính mình tại trang Tài khoản".into(),
        ));
    }
    let (code, enrolment) = new_code(state, EnrolmentPurpose::PasswordReset)?;
    state
        .store
        .reset_password(user.id, &enrolment, &caller.actor)
        .await?;
    Ok(deliver(state, user, code, enrolment.expires_at).await)
}

/// A fresh code and what the store keeps of it (its hash).
pub(super) fn new_code(
    state: &AppState,
    purpose: EnrolmentPurpose,
) -> Result<(String, NewEnrolment), AppError> {
    let mut random = [0u8; 10];
    getrandom::fill(&mut random).map_err(|_| AppError::Internal("no randomness".into()))?;
    let code = format_code(&random);
    let normalized = normalize_code(&code).ok_or_else(|| AppError::Internal("code".into()))?;
    let enrolment = NewEnrolment {
        code_hash: sha256_hex(&normalized),
        purpose,
        expires_at: state.store.clock().now_ms() + purpose.valid_for_ms(),
    };
    Ok((code, enrolment))
}

/// E-mails the code when mail is set up, the account has an address and
/// the server knows its public address (a link needs one); otherwise the
/// code is handed back to be shown once. A failed send falls back to
/// showing it.
async fn deliver(state: &AppState, user: User, code: String, expires_at: i64) -> Issued {
    let path = format!("/enrol/{code}");
    if let (Some(mail), Some(to), Some(base)) = (
        state.config.mail.as_ref(),
        user.email.as_deref(),
        state.config.public_url.as_deref(),
    ) {
        let link = format!("{}{path}", base.trim_end_matches('/'));
        match crate::notify::send_enrolment(mail, to, &user.username, &code, &link).await {
            Ok(()) => {
                return Issued {
                    emailed_to: Some(to.to_string()),
                    user,
                    code: None,
                    link: None,
                    expires_at,
                };
            }
            Err(e) => tracing::warn!(user = user.id, error = %e, "enrolment e-mail not sent"),
        }
    }
    Issued {
        user,
        code: Some(code),
        link: Some(path),
        emailed_to: None,
        expires_at,
    }
}

/// Full name, e-mail and phone of an account, given the version read.
pub async fn update_profile(
    state: &AppState,
    caller: &Caller<'_>,
    id: i64,
    version: i64,
    profile: Profile,
) -> Result<User, AppError> {
    let user = managed_user(state, caller.principal, id).await?;
    state
        .store
        .update_profile(user.id, version, &profile, &caller.actor)
        .await?;
    state.store.user(id).await?.ok_or(AppError::NotFound)
}

/// Moves an account to another unit of the administrator's subtree.
pub async fn move_user(
    state: &AppState,
    caller: &Caller<'_>,
    id: i64,
    unit_id: i64,
) -> Result<User, AppError> {
    let user = managed_user(state, caller.principal, id).await?;
    let to = super::access::administrable_unit(state, caller.principal, unit_id).await?;
    if to.id == user.unit_id {
        return Ok(user);
    }
    if user.id == caller.principal.user_id {
        return Err(AppError::Invalid(
            "Không tự chuyển tài khoản của chính mình sang đơn vị khác".into(),
        ));
    }
    state.store.move_user(user.id, &to, &caller.actor).await?;
    state.store.user(id).await?.ok_or(AppError::NotFound)
}

/// Replaces an account's roles with roles the administrator may give on
/// the account's unit.
pub async fn set_roles(
    state: &AppState,
    caller: &Caller<'_>,
    id: i64,
    roles: &[Role],
) -> Result<User, AppError> {
    let user = managed_user(state, caller.principal, id).await?;
    let allowed = grantable(caller.principal, &user.unit_path);
    if roles.iter().any(|r| !allowed.contains(r)) {
        return Err(AppError::Forbidden);
    }
    if user.id == caller.principal.user_id {
        return Err(AppError::Invalid(
            "Không tự thay đổi vai trò của chính mình".into(),
        ));
    }
    if roles.is_empty() {
        return Err(AppError::Invalid("Chọn ít nhất một vai trò".into()));
    }
    state.store.set_roles(user.id, roles, &caller.actor).await?;
    state.store.user(id).await?.ok_or(AppError::NotFound)
}

/// Why an administrator disabled an account (kept with it).
pub const DISABLED_BY_ADMIN: &str = "administrator";

/// Disables an account: it cannot sign in, and its sessions end now.
pub async fn disable_user(
    state: &AppState,
    caller: &Caller<'_>,
    id: i64,
) -> Result<User, AppError> {
    let user = managed_user(state, caller.principal, id).await?;
    if user.id == caller.principal.user_id {
        return Err(AppError::Invalid(
            "Không tự khóa tài khoản của chính mình".into(),
        ));
    }
    state
        .store
        .disable_user(user.id, DISABLED_BY_ADMIN, &caller.actor)
        .await?;
    state.store.user(id).await?.ok_or(AppError::NotFound)
}

fn require_admin(principal: &Principal) -> Result<(), AppError> {
    if principal.has(Role::Administrator) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

const UNKNOWN_CODE: &str = "Mã kích hoạt không đúng. Hãy kiểm tra lại mã (16 ký tự), hoặc đề nghị quản trị viên cấp mã mới.";
const USED_CODE: &str = "Mã kích hoạt này đã được dùng: mỗi mã chỉ dùng được một lần. Nếu chưa đặt được mật khẩu, hãy đề nghị quản trị viên cấp mã mới.";
const EXPIRED_CODE: &str =
    "Mã kích hoạt đã hết hạn (mã có hiệu lực 72 giờ). Hãy đề nghị quản trị viên cấp mã mới.";
const DISABLED_ACCOUNT: &str = "Tài khoản này đang bị khóa; hãy liên hệ quản trị viên.";

/// The account an enrolment code is for, while the code still works;
/// otherwise a message that says why not.
pub async fn enrolment_for(state: &AppState, typed: &str) -> Result<(i64, User), AppError> {
    let normalized = normalize_code(typed).ok_or_else(|| AppError::Invalid(UNKNOWN_CODE.into()))?;
    let code = state
        .store
        .enrolment_code(&sha256_hex(&normalized))
        .await?
        .ok_or_else(|| AppError::Invalid(UNKNOWN_CODE.into()))?;
    if code.used_at.is_some() {
        return Err(AppError::Invalid(USED_CODE.into()));
    }
    if code.expires_at <= state.store.clock().now_ms() {
        return Err(AppError::Invalid(
            if code.purpose == EnrolmentPurpose::SelfReset.as_str() {
                format!(
                    "Mã đặt lại mật khẩu đã hết hạn (mã gửi qua thư điện tử có hiệu lực \
                     {SELF_RESET_MINUTES} phút). Hãy đề nghị gửi mã mới tại trang Quên mật khẩu."
                )
            } else {
                EXPIRED_CODE.into()
            },
        ));
    }
    let user = state
        .store
        .user(code.user_id)
        .await?
        .ok_or_else(|| AppError::Invalid(UNKNOWN_CODE.into()))?;
    if !user.active {
        return Err(AppError::Invalid(DISABLED_ACCOUNT.into()));
    }
    Ok((code.id, user))
}

/// The owner of a code sets their password (the same rules as a change of
/// password); the code is spent, and any session of the account ends.
/// Returns the account, whose username the person signs in with.
pub async fn enrol(
    state: &AppState,
    ip: &str,
    typed_code: &str,
    new_password: &str,
) -> Result<User, AppError> {
    let (code_id, user) = enrolment_for(state, typed_code).await?;
    password::check_for(new_password, &user.username, &user.full_name)
        .map_err(AppError::invalid)?;
    let hash = password::hash_queued(new_password.to_string())
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let actor = Actor {
        user_id: Some(user.id),
        ip: Some(ip.to_string()),
    };
    if !state
        .store
        .redeem_enrolment(code_id, user.id, &hash, &actor)
        .await?
    {
        // Spent or expired between the check and now, or the account was
        // disabled meanwhile: say which, as the check would have.
        enrolment_for(state, typed_code).await?;
        return Err(AppError::Invalid(USED_CODE.into()));
    }
    Ok(user)
}
