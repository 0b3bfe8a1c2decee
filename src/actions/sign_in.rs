//! Signing in, for pages and the API alike: the same limits, the same
//! session table. Who signs in is checked here; the cookie or bearer token
//! that carries the session is the web layer's business.

use crate::actions::AppError;
use crate::app::AppState;
use crate::auth::token::{random_token, sha256_hex};
use crate::auth::{password, totp};
use crate::config::millis;
use crate::domain::account::{self, SecondStep};
use crate::domain::lockout::{self, Failures, Policy, username_key};
use crate::store::{Actor, DORMANT, NewNotification, User};

/// A new session, as handed to the browser or API client.
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
    pub user: User,
}

/// What a correct password leads to.
pub enum SignIn {
    /// No second factor: signed in.
    Session(Box<NewSession>),
    /// A code is still needed (or, for an administrator without one, an
    /// authenticator to enrol first).
    SecondStep(Challenge),
}

pub struct Challenge {
    /// Sent back with the code; valid for [`CHALLENGE_MINUTES`].
    pub token: String,
    pub enrolment: Option<Enrolment>,
}

/// A secret to add to an authenticator app, shown while enrolling only.
pub struct Enrolment {
    pub secret: String,
    pub uri: String,
}

impl Enrolment {
    pub fn for_secret(username: &str, secret: &[u8]) -> Enrolment {
        Enrolment {
            secret: totp::grouped(&totp::base32_encode(secret)),
            uri: totp::otpauth_uri(username, secret),
        }
    }
}

pub const CHALLENGE_MINUTES: i64 = 5;
pub const CHALLENGE_COOKIE: &str = "theodoi_login_challenge";

const DORMANT_MESSAGE: &str = "Tài khoản đã bị khóa vì không được sử dụng quá 45 ngày; hãy liên hệ quản trị hệ thống để mở lại";

fn actor_at(ip: &str, user_id: Option<i64>) -> Actor {
    Actor {
        user_id,
        ip: Some(ip.to_string()),
    }
}

async fn refuse_busy_address(state: &AppState, ip: &str) -> Result<(), AppError> {
    let window = millis(state.config.lockout_for);
    if state
        .store
        .login_check(ip, window)
        .await?
        .recent_failures_from_ip
        >= state.config.max_failures_per_ip
    {
        return Err(AppError::TooManyRequests(
            "Có quá nhiều lần đăng nhập sai từ địa chỉ này; vui lòng thử lại sau ít phút".into(),
        ));
    }
    Ok(())
}

fn policy(state: &AppState) -> Policy {
    Policy::new(state.config.lockout_after, millis(state.config.lockout_for))
}

/// Refuses a try on `username` from `ip` while its pair is locked or the
/// account is in its back-off; the same answer whether it exists or not.
pub async fn refuse_held_back(state: &AppState, username: &str, ip: &str) -> Result<(), AppError> {
    let p = policy(state);
    let now = state.store.clock().now_ms();
    let f = state
        .store
        .login_failures(&username_key(username), ip, now - p.window_ms)
        .await?;
    match p.refused_until(&f, now) {
        Some(until) => Err(AppError::TooManyRequests(lockout::refusal(until, now))),
        None => Ok(()),
    }
}

/// Counts a failed password, code or current-password check toward the
/// pair lock and the account back-off; tells the account's owner when one
/// starts; answers `message`, or the refusal when this failure holds the
/// next try back.
pub async fn fail(
    state: &AppState,
    username: &str,
    user_id: Option<i64>,
    stage: &str,
    ip: &str,
    message: &str,
) -> AppError {
    match count_failure(state, username, user_id, stage, ip).await {
        Err(e) => e,
        Ok(Some(refusal)) => AppError::TooManyRequests(refusal),
        Ok(None) => AppError::Invalid(message.into()),
    }
}

async fn count_failure(
    state: &AppState,
    username: &str,
    user_id: Option<i64>,
    stage: &str,
    ip: &str,
) -> Result<Option<String>, AppError> {
    let store = &state.store;
    let key = username_key(username);
    store
        .record_login_failure(&key, user_id, stage, &actor_at(ip, None))
        .await?;
    let p = policy(state);
    let now = store.clock().now_ms();
    let f = store.login_failures(&key, ip, now - p.window_ms).await?;
    if let Some(id) = user_id.filter(|_| p.tell_owner(&f)) {
        tell_owner(state, id, &f, ip, now).await?;
    }
    Ok(p.refused_until(&f, now)
        .map(|until| lockout::refusal(until, now)))
}

/// A notification (e-mailed too when mail is set up) to the owner of an
/// account whose sign-in is being held back.
async fn tell_owner(
    state: &AppState,
    user_id: i64,
    f: &Failures,
    ip: &str,
    now: i64,
) -> Result<(), AppError> {
    let minutes = state.config.lockout_for.as_secs() / 60;
    let note = NewNotification {
        user_id,
        province_id: None,
        commune_id: None,
        event_key: format!("login_failures:{now}:{ip}"),
        kind: "login_failures",
        message: format!(
            "Có {} lần nhập sai mật khẩu hoặc mã xác thực cho tài khoản của bạn trong {minutes} phút qua (gần nhất từ địa chỉ {ip}); việc đăng nhập đang bị làm chậm lại. Nếu không phải bạn, hãy đổi mật khẩu.",
            f.account
        ),
        link: Some("/account".into()),
    };
    state.store.notify(&[note]).await?;
    Ok(())
}

/// Checks a username and password under the lockout and rate rules. A
/// user without a second factor gets a session; others a challenge for the
/// second step. Every refusal says the same thing about the password, so
/// the answer does not reveal which accounts exist.
pub async fn sign_in(
    state: &AppState,
    username: &str,
    password_text: &str,
    ip: &str,
) -> Result<SignIn, AppError> {
    let store = &state.store;
    refuse_busy_address(state, ip).await?;
    let username = username.trim();
    refuse_held_back(state, username, ip).await?;
    let user = store.user_by_username(username).await?;
    let now = store.clock().now_ms();
    // An account waiting for its owner to enrol has no password: checked
    // against the dummy hash, so it answers as slowly as any other.
    let stored = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .filter(|h| h != crate::store::NO_PASSWORD)
        .unwrap_or_else(|| password::dummy_hash().to_string());
    let ok = password::verify_queued(password_text.to_string(), stored).await;
    const WRONG: &str = "Tên đăng nhập hoặc mật khẩu không đúng";
    let user = match user {
        Some(u) if ok && u.active => u,
        Some(u) if ok && u.disabled_reason.as_deref() == Some(DORMANT) => {
            return Err(AppError::Invalid(DORMANT_MESSAGE.into()));
        }
        other => {
            return Err(fail(state, username, other.map(|u| u.id), "password", ip, WRONG).await);
        }
    };
    // Checked here too, so a long-idle account cannot sign in before the
    // hourly housekeeping has disabled it.
    if account::is_dormant(user.last_activity(), now) {
        store
            .disable_user(user.id, DORMANT, &actor_at(ip, None))
            .await?;
        return Err(AppError::Invalid(DORMANT_MESSAGE.into()));
    }
    let enrolment = match account::second_step(&user.roles, user.totp_enabled()) {
        SecondStep::None => {
            return Ok(SignIn::Session(Box::new(
                open_session(state, user, ip).await?,
            )));
        }
        SecondStep::Code => None,
        SecondStep::Enrol => Some(start_enrolment(state, &user).await?),
    };
    let token = random_token();
    if token.is_empty() {
        return Err(AppError::Internal("no randomness".into()));
    }
    store
        .create_login_challenge(
            &sha256_hex(&token),
            user.id,
            now + CHALLENGE_MINUTES * 60_000,
            Some(ip),
        )
        .await?;
    Ok(SignIn::SecondStep(Challenge { token, enrolment }))
}

/// A fresh secret for a user to enrol, kept pending until a code confirms
/// it.
pub async fn start_enrolment(state: &AppState, user: &User) -> Result<Enrolment, AppError> {
    let secret = totp::new_secret().ok_or_else(|| AppError::Internal("no randomness".into()))?;
    let sealed = totp::seal_secret(state.config.data_key.as_ref(), &secret)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    state.store.set_totp_pending(user.id, Some(&sealed)).await?;
    Ok(Enrolment::for_secret(&user.username, &secret))
}

/// The pending secret of a user still enrolling, to show it again.
pub fn pending_enrolment(state: &AppState, user: &User) -> Option<Enrolment> {
    let stored = user.totp_pending.as_deref()?;
    let secret = totp::open_secret(state.config.data_key.as_ref(), stored)?;
    Some(Enrolment::for_secret(&user.username, &secret))
}

/// The user waiting at the second step of a challenge, if still valid.
pub async fn challenged_user(state: &AppState, challenge: &str) -> Result<User, AppError> {
    const EXPIRED: &str = "Phiên đăng nhập đã hết hạn; hãy đăng nhập lại";
    let user_id = state
        .store
        .login_challenge(&sha256_hex(challenge.trim()))
        .await?
        .ok_or_else(|| AppError::Invalid(EXPIRED.into()))?;
    let user = state
        .store
        .user(user_id)
        .await?
        .filter(|u| u.active)
        .ok_or_else(|| AppError::Invalid(EXPIRED.into()))?;
    Ok(user)
}

/// The second step: a code from the authenticator (or, for an
/// administrator enrolling, the first code of the new secret). A wrong
/// code counts toward the lockout like a wrong password.
pub async fn sign_in_totp(
    state: &AppState,
    challenge: &str,
    code: &str,
    ip: &str,
) -> Result<NewSession, AppError> {
    refuse_busy_address(state, ip).await?;
    let user = challenged_user(state, challenge).await?;
    refuse_held_back(state, &user.username, ip).await?;
    let store = &state.store;
    let now = store.clock().now_ms();
    let key = state.config.data_key.as_ref();
    let enrolling = !user.totp_enabled();
    let stored = if enrolling {
        user.totp_pending.as_deref()
    } else {
        user.totp_secret.as_deref()
    };
    let secret = stored
        .and_then(|s| totp::open_secret(key, s))
        .ok_or_else(|| {
            AppError::Invalid(
            "Không đọc được mã bí mật xác thực hai lớp; hãy liên hệ quản trị hệ thống để đặt lại"
                .into(),
        )
        })?;
    const WRONG: &str = "Mã xác thực không đúng, đã hết hạn hoặc đã được dùng";
    let step = totp::verify(&secret, code, now, user.totp_last_step);
    let accepted = match step {
        Some(step) if enrolling => {
            store
                .enable_totp(user.id, step, &actor_at(ip, Some(user.id)))
                .await?;
            true
        }
        Some(step) => store.accept_totp_step(user.id, step).await?,
        None => false,
    };
    if !accepted {
        let e = fail(state, &user.username, Some(user.id), "totp", ip, WRONG).await;
        if matches!(e, AppError::TooManyRequests(_)) {
            store
                .delete_login_challenge(&sha256_hex(challenge.trim()))
                .await?;
        }
        return Err(e);
    }
    store
        .delete_login_challenge(&sha256_hex(challenge.trim()))
        .await?;
    open_session(state, user, ip).await
}

/// A new session with a new id (never one the browser brought along).
async fn open_session(state: &AppState, user: User, ip: &str) -> Result<NewSession, AppError> {
    let store = &state.store;
    let now = store.clock().now_ms();
    let token = random_token();
    let csrf_token = random_token();
    if token.is_empty() || csrf_token.is_empty() {
        return Err(AppError::Internal("no randomness".into()));
    }
    let expires_at = now + millis(state.config.session_absolute);
    store
        .create_session(
            &sha256_hex(&token),
            user.id,
            &csrf_token,
            expires_at,
            &actor_at(ip, Some(user.id)),
        )
        .await?;
    Ok(NewSession {
        token,
        csrf_token,
        user,
    })
}
