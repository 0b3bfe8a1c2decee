//! "Quên mật khẩu": a person asks for a one-time code by e-mail, with
//! their username or their address. The answer is the same whether an
//! account matched or not (nobody learns who has an account); a matching
//! active account with an address gets a code that works once, for an
//! hour, at most one per quarter of an hour; and its password keeps
//! working until the code is used. Without mail set up, the person is
//! sent to their administrator instead.

use crate::actions::AppError;
use crate::actions::staff::new_code;
use crate::app::AppState;
use crate::domain::staff::{EnrolmentPurpose, SELF_RESET_INTERVAL_MS};
use crate::store::Actor;

/// At most this many accounts share one address and get a code each.
const MAX_ACCOUNTS_PER_ADDRESS: i64 = 5;

/// The longest name or address the form takes.
const MAX_LOGIN_CHARS: usize = 254;

/// What the person is told after asking, whatever happened.
pub const SENT_IF_KNOWN: &str = "Nếu tên đăng nhập hoặc địa chỉ thư điện tử này có trong hệ thống, \
     một thư có liên kết và mã đặt lại mật khẩu vừa được gửi tới địa chỉ thư điện tử của tài khoản \
     (mã có hiệu lực 60 phút). Mật khẩu hiện tại vẫn dùng được cho tới khi bạn đặt mật khẩu mới.";

/// Why the form is not offered: the server cannot send mail.
pub const NO_MAIL: &str = "Máy chủ chưa được cấu hình gửi thư điện tử nên không tự đặt lại mật \
     khẩu được. Hãy đề nghị quản trị viên của đơn vị cấp mã đặt lại mật khẩu.";

/// Whether a person can reset their own password here: mail is set up
/// and the server knows the address its links must carry.
pub fn available(state: &AppState) -> bool {
    state.config.mail.is_some() && state.config.public_url.is_some()
}

/// Issues and e-mails a code to each account `login` names, in the
/// background (so the answer takes as long for a stranger as for a
/// known name); returns what to tell the person.
pub async fn request_reset(state: &AppState, login: &str, ip: &str) -> Result<String, AppError> {
    let (Some(mail), Some(base)) = (state.config.mail.as_ref(), state.config.public_url.as_ref())
    else {
        return Err(AppError::Invalid(NO_MAIL.into()));
    };
    let login = login.trim();
    if login.is_empty() {
        return Err(AppError::Invalid(
            "Nhập tên đăng nhập hoặc địa chỉ thư điện tử của tài khoản".into(),
        ));
    }
    if login.chars().count() > MAX_LOGIN_CHARS || login.chars().any(char::is_control) {
        return Err(AppError::Invalid(
            "Tên đăng nhập hoặc địa chỉ thư điện tử không hợp lệ".into(),
        ));
    }
    let actor = Actor {
        user_id: None,
        ip: Some(ip.to_string()),
    };
    let accounts = state
        .store
        .accounts_for_reset(login, MAX_ACCOUNTS_PER_ADDRESS)
        .await?;
    for user in accounts {
        let Some(to) = user.email.clone() else {
            continue;
        };
        let (code, enrolment) = new_code(state, EnrolmentPurpose::SelfReset)?;
        let issued = state
            .store
            .issue_self_reset(user.id, &enrolment, SELF_RESET_INTERVAL_MS, &actor)
            .await?;
        if !issued {
            continue;
        }
        let link = format!("{}/enrol/{code}", base.trim_end_matches('/'));
        let mail = mail.clone();
        tokio::spawn(async move {
            let sent = crate::notify::send_self_reset(&mail, &to, &user.username, &code, &link);
            if let Err(e) = sent.await {
                tracing::warn!(user = user.id, error = %e, "password reset e-mail not sent");
            }
        });
    }
    Ok(SENT_IF_KNOWN.into())
}
