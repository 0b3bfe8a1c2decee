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
    #[error("Mật khẩu quá giống tên đăng nhập hoặc họ tên; hãy chọn một cụm từ khác")]
    LikeName,
    #[error("Mật khẩu là dãy ký tự liên tiếp hoặc theo hàng phím; hãy chọn một cụm từ khác")]
    Sequence,
    #[error("Mật khẩu là một đoạn ngắn lặp lại; hãy chọn một cụm từ khác")]
    Repeated,
    #[error("Mật khẩu mới phải khác mật khẩu hiện tại")]
    SameAsCurrent,
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
    check_for(password, username, "")
}

/// Characters a password must keep once what is guessable is taken out:
/// the account's username and the person's name (any case, with or
/// without diacritics), runs of three or more letters or digits in order
/// (`abc`, `987`) or along a keyboard row (`qwer`, `asdf`).
pub const MIN_UNGUESSABLE: usize = 6;

/// [`check_rules`] knowing the person's full name too.
pub fn check_for(password: &str, username: &str, full_name: &str) -> Result<(), PasswordError> {
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
    if has_short_period(&lower) {
        return Err(PasswordError::Repeated);
    }
    let skeleton = skeleton(password);
    let without_names = strip_names(&skeleton, username, full_name);
    if without_names.chars().count() < MIN_UNGUESSABLE {
        return Err(PasswordError::LikeName);
    }
    if strip_runs(&without_names).chars().count() < MIN_UNGUESSABLE {
        return Err(PasswordError::Sequence);
    }
    Ok(())
}

/// Letters and digits only, lower case, without diacritics: what a guesser
/// varies is case, marks and separators.
fn skeleton(s: &str) -> String {
    crate::domain::text::fold_vietnamese(s)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// The password without the username, its parts, the full name and each
/// word of it (the longest first).
fn strip_names(password: &str, username: &str, full_name: &str) -> String {
    let mut names: Vec<String> = vec![skeleton(username), skeleton(full_name)];
    for part in username
        .split(|c: char| !c.is_alphanumeric())
        .chain(full_name.split_whitespace())
    {
        names.push(skeleton(part));
    }
    names.retain(|n| n.chars().count() >= 2);
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    let mut out = password.to_string();
    for n in names {
        out = out.replace(&n, "");
    }
    out
}

const KEYBOARD_ROWS: [&str; 4] = ["1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"];

/// Whether `b` follows `a` in the alphabet, the digits or a keyboard row,
/// one way or the other.
fn next_to(a: char, b: char) -> bool {
    let (x, y) = (a as i64, b as i64);
    let alnum = |c: char| c.is_ascii_alphanumeric();
    if alnum(a) && alnum(b) && a.is_ascii_digit() == b.is_ascii_digit() && (x - y).abs() == 1 {
        return true;
    }
    KEYBOARD_ROWS.iter().any(|row| {
        let (i, j) = (row.find(a), row.find(b));
        matches!((i, j), (Some(i), Some(j)) if i.abs_diff(j) == 1)
    })
}

/// The password without its runs of three or more neighbours.
fn strip_runs(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut keep = vec![true; chars.len()];
    let mut start = 0;
    for i in 1..=chars.len() {
        if i < chars.len() && next_to(chars[i - 1], chars[i]) {
            continue;
        }
        if i - start >= 3 {
            keep[start..i].iter_mut().for_each(|k| *k = false);
        }
        start = i;
    }
    chars
        .iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|(c, _)| *c)
        .collect()
}

/// A short pattern said again and again (`ab1!ab1!ab`): the text repeats
/// itself with a period of at most half its length.
fn has_short_period(s: &str) -> bool {
    let chars: Vec<char> = s.chars().collect();
    (1..=chars.len() / 2).any(|p| (p..chars.len()).all(|i| chars[i] == chars[i - p]))
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
    // Published in this README and printed by `theodoi demo`.
    "theodoi-demo-2026",
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

    #[test]
    fn guessable_passwords_are_refused() {
        // The probes.
        assert_eq!(
            check_for("Tinh.daumoi1", "tinh.daumoi", "Nguyễn Văn Tỉnh"),
            Err(PasswordError::LikeName)
        );
        assert_eq!(
            check_for("Focal_A1_2026", "focal_a1", "Người dùng focal_a1"),
            Err(PasswordError::LikeName)
        );
        assert_eq!(
            check_for("NguyenVanTinh1", "tinh", "Nguyễn Văn Tỉnh"),
            Err(PasswordError::LikeName)
        );
        assert_eq!(
            check_rules("12345678901", "a"),
            Err(PasswordError::Sequence)
        );
        assert_eq!(check_rules("Ab1!Ab1!Ab", "a"), Err(PasswordError::Repeated));
        assert_eq!(
            check_rules("qwertyuiop12", "a"),
            Err(PasswordError::Sequence)
        );
        assert_eq!(
            check_rules("asdfgh987654", "a"),
            Err(PasswordError::Sequence)
        );
        assert_eq!(
            check_rules("theodoi-demo-2026", "a"),
            Err(PasswordError::Common)
        );
        // Passphrases pass, with the name in them or not.
        assert_eq!(
            check_for("tinh thich an pho bo", "tinh.daumoi", "Nguyễn Văn Tỉnh"),
            Ok(())
        );
        assert_eq!(check_rules("mat khau thu nghiem dai", "focal_a1"), Ok(()));
        assert_eq!(check_rules("một cụm từ dài dễ nhớ", "admin"), Ok(()));
        assert_eq!(check_rules("theodoi-bench-2026", "load"), Ok(()));
    }
}
