//! Staff accounts as an administrator keeps them: the profile fields it
//! may set (full name, e-mail, phone, username on creation), the rule on
//! which roles it may give, and the one-time enrolment code a new account
//! (or a password reset) gets instead of a password.
//!
//! An enrolment code is 16 characters of Crockford's base32 (80 random
//! bits, far beyond guessing), written in groups of four; only its SHA-256
//! is stored. It works once and expires after [`ENROLMENT_HOURS`].

use super::access::{Principal, Role};

/// How long an enrolment code stays valid.
pub const ENROLMENT_HOURS: i64 = 72;
pub const ENROLMENT_MS: i64 = ENROLMENT_HOURS * 3_600_000;

/// How long a code a person asked for by e-mail ("Quên mật khẩu") stays
/// valid: short, since the mailbox may be shared or read later by others.
pub const SELF_RESET_MINUTES: i64 = 60;
pub const SELF_RESET_MS: i64 = SELF_RESET_MINUTES * 60_000;

/// At most one e-mailed code per account in this time, so the form cannot
/// be used to flood someone's mailbox.
pub const SELF_RESET_INTERVAL_MS: i64 = 15 * 60_000;

/// Why an enrolment code was issued (kept with it, shown in the trail).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnrolmentPurpose {
    /// A new account: the person sets a first password.
    NewAccount,
    /// An administrator reset the password.
    PasswordReset,
    /// The person asked for a code by e-mail: the password keeps working
    /// until the code is used, so nobody else can lock them out by asking.
    SelfReset,
}

impl EnrolmentPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            EnrolmentPurpose::NewAccount => "new_account",
            EnrolmentPurpose::PasswordReset => "password_reset",
            EnrolmentPurpose::SelfReset => "self_reset",
        }
    }

    /// How long a code issued for this stays valid.
    pub fn valid_for_ms(self) -> i64 {
        match self {
            EnrolmentPurpose::SelfReset => SELF_RESET_MS,
            _ => ENROLMENT_MS,
        }
    }
}

/// Crockford's base32: no I, L, O or U, so a code read aloud or typed
/// from paper is not mistaken.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The code for 10 random bytes: 16 characters in groups of four.
pub fn format_code(random: &[u8; 10]) -> String {
    let mut bits: u128 = 0;
    for b in random {
        bits = (bits << 8) | u128::from(*b);
    }
    let mut out = String::with_capacity(19);
    for i in 0..16 {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        let shift = 5 * (15 - i);
        let index = usize::try_from((bits >> shift) & 0x1f).unwrap_or(0);
        out.push(char::from(ALPHABET[index]));
    }
    out
}

/// A code as typed: case, spaces and dashes ignored, and the letters
/// people confuse with digits read as those digits (O → 0, I/L → 1).
/// `None` when it cannot be a code.
pub fn normalize_code(typed: &str) -> Option<String> {
    let mut out = String::with_capacity(16);
    for c in typed.chars() {
        let c = c.to_ascii_uppercase();
        let c = match c {
            ' ' | '-' | '\t' => continue,
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        };
        if !c.is_ascii() || !ALPHABET.contains(&(c as u8)) {
            return None;
        }
        out.push(c);
    }
    (out.len() == 16).then_some(out)
}

/// What an administrator may set on an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub full_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProfileError {
    #[error("Họ tên không được để trống")]
    NameEmpty,
    #[error("Họ tên dài quá 200 ký tự")]
    NameTooLong,
    #[error("Thư điện tử không hợp lệ")]
    Email,
    #[error("Số điện thoại chỉ gồm chữ số (8 đến 15 số), có thể bắt đầu bằng dấu +")]
    Phone,
    #[error(
        "Tên đăng nhập gồm chữ không dấu, số, dấu chấm, gạch dưới hoặc gạch ngang (tối đa 64 ký tự)"
    )]
    Username,
}

impl Profile {
    /// The fields as typed, cleaned (spaces collapsed, empty = none) and
    /// checked.
    pub fn parse(
        full_name: &str,
        email: Option<&str>,
        phone: Option<&str>,
    ) -> Result<Profile, ProfileError> {
        let full_name = full_name.split_whitespace().collect::<Vec<_>>().join(" ");
        if full_name.is_empty() {
            return Err(ProfileError::NameEmpty);
        }
        if full_name.chars().count() > 200 {
            return Err(ProfileError::NameTooLong);
        }
        let email = email.map(str::trim).filter(|e| !e.is_empty());
        if let Some(e) = email {
            let ok = e.len() <= 200
                && !e.contains(char::is_whitespace)
                && e.split_once('@').is_some_and(|(local, domain)| {
                    !local.is_empty() && domain.contains('.') && !domain.contains('@')
                });
            if !ok {
                return Err(ProfileError::Email);
            }
        }
        let phone = phone
            .map(|p| {
                p.chars()
                    .filter(|c| !" .-()".contains(*c))
                    .collect::<String>()
            })
            .filter(|p| !p.is_empty());
        if let Some(p) = &phone {
            let digits = p.strip_prefix('+').unwrap_or(p);
            if !(8..=15).contains(&digits.len()) || !digits.chars().all(|c| c.is_ascii_digit()) {
                return Err(ProfileError::Phone);
            }
        }
        Ok(Profile {
            full_name,
            email: email.map(str::to_string),
            phone,
        })
    }
}

/// A username as typed: trimmed, lower case, ASCII letters, digits, `.`,
/// `_` and `-`, at most 64 characters.
pub fn parse_username(typed: &str) -> Result<String, ProfileError> {
    let username = typed.trim().to_lowercase();
    let ok = !username.is_empty()
        && username.len() <= 64
        && username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
    if ok {
        Ok(username)
    } else {
        Err(ProfileError::Username)
    }
}

/// The roles `admin` may give to an account placed on `unit_path`. A role
/// is exercised over the subtree of the account's own unit, and an
/// administrator places accounts only within its own subtree: so every
/// role it gives reaches at most its own level, never above it, and
/// nothing at all outside its subtree.
pub fn grantable(admin: &Principal, unit_path: &str) -> Vec<Role> {
    if admin.can_administer(unit_path) {
        Role::ALL.to_vec()
    } else {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_sixteen_characters_in_groups_of_four() {
        let code = format_code(&[0xff; 10]);
        assert_eq!(code, "ZZZZ-ZZZZ-ZZZZ-ZZZZ");
        let code = format_code(&[0; 10]);
        assert_eq!(code, "0000-0000-0000-0000");
        let code = format_code(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        assert_eq!(code.len(), 19);
        assert_eq!(normalize_code(&code).map(|c| c.len()), Some(16));
    }

    #[test]
    fn a_typed_code_ignores_case_spaces_and_confusable_letters() {
        let code = format_code(&[7, 1, 200, 13, 99, 0, 250, 31, 64, 128]);
        let typed = code.to_lowercase().replace('-', " ");
        assert_eq!(normalize_code(&typed), normalize_code(&code));
        assert_eq!(
            normalize_code("oooo-iiii-llll-0000").as_deref(),
            Some("0000111111110000")
        );
        assert_eq!(normalize_code("ABCD-EFGH"), None);
        assert_eq!(normalize_code("ABCD-EFGH-JKMN-PQRU"), None, "U is not used");
        assert_eq!(normalize_code("ABCD-EFGH-JKMN-PQRÁ"), None);
    }

    #[test]
    fn a_profile_is_cleaned_and_checked() {
        let p = Profile::parse(
            "  Trần   Văn  An ",
            Some(" an@xa.gov.vn "),
            Some("0912 345 678"),
        )
        .expect("valid");
        assert_eq!(p.full_name, "Trần Văn An");
        assert_eq!(p.email.as_deref(), Some("an@xa.gov.vn"));
        assert_eq!(p.phone.as_deref(), Some("0912345678"));
        let p = Profile::parse("An", Some(""), Some(" ")).expect("valid");
        assert_eq!((p.email, p.phone), (None, None));
        assert_eq!(
            Profile::parse(" ", None, None),
            Err(ProfileError::NameEmpty)
        );
        assert_eq!(
            Profile::parse("An", Some("an@"), None),
            Err(ProfileError::Email)
        );
        assert_eq!(
            Profile::parse("An", Some("a n@x.vn"), None),
            Err(ProfileError::Email)
        );
        assert_eq!(
            Profile::parse("An", None, Some("12ab5678")),
            Err(ProfileError::Phone)
        );
        assert!(Profile::parse("An", None, Some("+84 912 345 678")).is_ok());
    }

    #[test]
    fn usernames_are_plain_ascii() {
        assert_eq!(parse_username(" Can.Bo_1 ").as_deref(), Ok("can.bo_1"));
        assert!(parse_username("cán bộ").is_err());
        assert!(parse_username("").is_err());
        assert!(parse_username(&"a".repeat(65)).is_err());
    }

    fn principal(unit_path: &str, roles: &[Role]) -> Principal {
        Principal {
            user_id: 1,
            username: "u".into(),
            full_name: "U".into(),
            unit_id: 9,
            unit_path: unit_path.into(),
            read_path: unit_path.into(),
            roles: roles.to_vec(),
        }
    }

    #[test]
    fn an_administrator_grants_roles_only_within_its_subtree() {
        let admin = principal("/1/2/3/", &[Role::Administrator]);
        assert_eq!(grantable(&admin, "/1/2/3/").len(), Role::ALL.len());
        assert_eq!(grantable(&admin, "/1/2/3/7/").len(), Role::ALL.len());
        assert!(grantable(&admin, "/1/2/").is_empty(), "the province");
        assert!(grantable(&admin, "/1/2/4/").is_empty(), "another commune");
        let focal = principal("/1/2/3/", &[Role::FocalPoint]);
        assert!(grantable(&focal, "/1/2/3/").is_empty());
    }
}
