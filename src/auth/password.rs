//! Password hashing with Argon2id and the rules a new password must meet.
//!
//! Parameters follow OWASP's minimum for Argon2id: 19 MiB of memory, two
//! passes, one lane. Verification reads the parameters from the stored hash,
//! so raising them later does not lock anyone out.

use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};

pub const MEMORY_KIB: u32 = 19 * 1024;
pub const ITERATIONS: u32 = 2;
pub const MIN_LENGTH: usize = 10;
pub const MAX_LENGTH: usize = 128;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("Mật khẩu phải có ít nhất {MIN_LENGTH} ký tự")]
    TooShort,
    #[error("Mật khẩu dài quá {MAX_LENGTH} ký tự")]
    TooLong,
    #[error("Mật khẩu quá phổ biến, dễ bị đoán; hãy chọn một cụm từ khác")]
    Common,
    #[error("Mật khẩu không được trùng với tên đăng nhập")]
    SameAsUsername,
    #[error("Không tạo được mã băm mật khẩu")]
    Hashing,
}

fn hasher() -> Result<Argon2<'static>, PasswordError> {
    let params =
        Params::new(MEMORY_KIB, ITERATIONS, 1, None).map_err(|_| PasswordError::Hashing)?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Length over composition (NIST SP 800-63B): a long passphrase is stronger
/// than a short string with forced symbols, and a list of the passwords
/// seen most in breaches catches the ones guessed first.
pub fn check_rules(password: &str, username: &str) -> Result<(), PasswordError> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(PasswordError::TooShort);
    }
    if length > MAX_LENGTH {
        return Err(PasswordError::TooLong);
    }
    let lower = password.to_lowercase();
    if lower == username.to_lowercase() {
        return Err(PasswordError::SameAsUsername);
    }
    if COMMON_PASSWORDS.contains(&lower.as_str()) || is_repetitive(&lower) {
        return Err(PasswordError::Common);
    }
    Ok(())
}

fn is_repetitive(password: &str) -> bool {
    let chars: Vec<char> = password.chars().collect();
    let first = chars.first().copied();
    chars.iter().all(|c| Some(*c) == first)
        || chars.windows(2).all(|w| (w[1] as i64) - (w[0] as i64) == 1)
}

pub fn hash(password: &str) -> Result<String, PasswordError> {
    let hash = hasher()?
        .hash_password(password.as_bytes())
        .map_err(|_| PasswordError::Hashing)?;
    Ok(hash.to_string())
}

/// True when `password` matches `stored`; a malformed stored hash is a
/// mismatch, never a panic.
pub fn verify(password: &str, stored: &str) -> bool {
    match hasher() {
        Ok(h) => h.verify_password(password.as_bytes(), stored).is_ok(),
        Err(_) => false,
    }
}

/// A hash of a random secret, checked when the username does not exist so
/// that a missing account takes as long to refuse as a wrong password.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash(&crate::auth::token::random_token()).unwrap_or_default())
}

/// The most common passwords of public breach lists, plus the Vietnamese
/// ones seen most; the full lists are millions long, these are the ones an
/// attacker tries first.
const COMMON_PASSWORDS: &[&str] = &[
    "123456789012",
    "1234567890",
    "12345678910",
    "qwertyuiop",
    "password123",
    "password1234",
    "passw0rd123",
    "iloveyou123",
    "1q2w3e4r5t",
    "1qaz2wsx3edc",
    "qwerty123456",
    "abc1234567",
    "matkhau123",
    "matkhau1234",
    "anhyeuem123",
    "admin12345",
    "admin123456",
    "administrator",
    "theodoi123",
    "theodoi2026",
    "changeme123",
    "welcome123",
    "letmein123",
    "0123456789",
    "9876543210",
    "11111111111",
    "vietnam123",
    "vietnam2026",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let h = hash("một cụm từ dài dễ nhớ").expect("hash");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("một cụm từ dài dễ nhớ", &h));
        assert!(!verify("một cụm từ khác", &h));
    }

    #[test]
    fn a_malformed_hash_is_a_mismatch() {
        assert!(!verify("anything", "not-a-hash"));
        assert!(!verify("anything", dummy_hash()));
    }

    #[test]
    fn rules_favour_length_over_composition() {
        assert_eq!(check_rules("short", "a"), Err(PasswordError::TooShort));
        assert_eq!(check_rules("password123", "a"), Err(PasswordError::Common));
        assert_eq!(check_rules("aaaaaaaaaaaa", "a"), Err(PasswordError::Common));
        assert_eq!(check_rules("abcdefghijkl", "a"), Err(PasswordError::Common));
        assert_eq!(
            check_rules("nguyenvana1", "NguyenVanA1"),
            Err(PasswordError::SameAsUsername)
        );
        assert_eq!(check_rules("lua nep cai hoa vang", "a"), Ok(()));
        assert_eq!(
            check_rules(&"x".repeat(200), "a"),
            Err(PasswordError::TooLong)
        );
    }
}
