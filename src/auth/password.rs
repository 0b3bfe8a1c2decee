//! Password hashing with Argon2id and the rules a new password must meet.
//!
//! Parameters follow OWASP's minimum for Argon2id: 19 MiB of memory, two
//! passes, one lane. Verification reads the parameters from the stored hash,
//! so raising them later does not lock anyone out.

use argon2::{Algorithm, Argon2, Block, Params, PasswordHash, PasswordHasher, Version};

use super::token::constant_time_eq_bytes;

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

/// Hashes computed at once, at most. Each holds [`MEMORY_KIB`] of memory
/// and a core for tens of milliseconds: when a province signs in at the
/// deadline, logins queue here instead of each taking its own thread and
/// 19 MiB, which would push the server's memory past a gigabyte.
fn hashing_slots() -> &'static tokio::sync::Semaphore {
    static SLOTS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    SLOTS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        tokio::sync::Semaphore::new(cores.clamp(1, 8))
    })
}

/// [`verify`] off the async workers, queued behind the other hashes.
pub async fn verify_queued(password: String, stored: String) -> bool {
    let Ok(_slot) = hashing_slots().acquire().await else {
        return false;
    };
    tokio::task::spawn_blocking(move || verify(&password, &stored))
        .await
        .unwrap_or(false)
}

/// [`hash`] off the async workers, queued behind the other hashes.
pub async fn hash_queued(password: String) -> Result<String, PasswordError> {
    let _slot = hashing_slots()
        .acquire()
        .await
        .map_err(|_| PasswordError::Hashing)?;
    tokio::task::spawn_blocking(move || hash(&password))
        .await
        .map_err(|_| PasswordError::Hashing)?
}

/// True when `password` matches `stored`; a malformed stored hash is a
/// mismatch, never a panic. The parameters come from the stored hash; the
/// working memory comes from [`with_memory`].
pub fn verify(password: &str, stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
        return false;
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm.as_str()) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from) {
        None => Version::default(),
        Some(Ok(v)) => v,
        Some(Err(_)) => return false,
    };
    let blocks = params.block_count();
    let argon2 = Argon2::new(algorithm, version, params);
    let mut computed = vec![0u8; expected.len()];
    let hashed = with_memory(blocks, |memory| {
        argon2.hash_password_into_with_memory(password.as_bytes(), salt, &mut computed, memory)
    });
    hashed.is_ok() && constant_time_eq_bytes(&computed, expected.as_bytes())
}

/// Working memories kept for reuse, at most as many as hashing slots.
const POOLED_MEMORIES: usize = 8;

/// Runs `f` with `blocks` of Argon2 working memory taken from a small
/// pool. Allocating 19 MiB a login and freeing it leaves the allocator
/// holding several of them per thread; reusing a few keeps the server's
/// memory flat however many people sign in.
fn with_memory<T>(blocks: usize, f: impl FnOnce(&mut [Block]) -> T) -> T {
    static POOL: std::sync::Mutex<Vec<Vec<Block>>> = std::sync::Mutex::new(Vec::new());
    let mut memory = POOL
        .lock()
        .ok()
        .and_then(|mut pool| pool.pop())
        .unwrap_or_default();
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    let out = f(&mut memory[..blocks]);
    if let Ok(mut pool) = POOL.lock()
        && pool.len() < POOLED_MEMORIES
    {
        pool.push(memory);
    }
    out
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

    /// The pooled verifier agrees with the argon2 crate's own on hashes
    /// of other parameters and variants, as stored hashes may be after the
    /// parameters are raised, and reuses memory of another size safely.
    #[test]
    fn verification_agrees_with_the_reference_verifier() {
        use argon2::PasswordVerifier;
        let variants = [
            (Algorithm::Argon2id, 8 * 1024, 1),
            (Algorithm::Argon2i, 12 * 1024, 3),
            (Algorithm::Argon2id, MEMORY_KIB, ITERATIONS),
        ];
        for (algorithm, memory, iterations) in variants {
            let params = Params::new(memory, iterations, 1, None).expect("params");
            let argon2 = Argon2::new(algorithm, Version::V0x13, params);
            let stored = argon2
                .hash_password(b"mot cum tu kiem thu")
                .expect("hash")
                .to_string();
            for attempt in ["mot cum tu kiem thu", "mot cum tu kiem tha", ""] {
                let reference = argon2
                    .verify_password(attempt.as_bytes(), stored.as_str())
                    .is_ok();
                assert_eq!(verify(attempt, &stored), reference, "{stored} {attempt}");
            }
        }
    }

    #[test]
    fn a_malformed_hash_is_a_mismatch() {
        assert!(!verify("anything", "not-a-hash"));
        assert!(!verify("anything", dummy_hash()));
        let good = hash("một cụm từ dài dễ nhớ").expect("hash");
        let (head, _) = good.rsplit_once('$').expect("hash part");
        assert!(!verify("một cụm từ dài dễ nhớ", head));
        assert!(!verify(
            "một cụm từ dài dễ nhớ",
            &good.replace("argon2id", "argon9")
        ));
        assert!(!verify(
            "một cụm từ dài dễ nhớ",
            &good.replace("v=19", "v=7")
        ));
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
