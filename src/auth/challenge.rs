//! A question a person answers and a simple script does not: a sum of two
//! small numbers written in Vietnamese words. It works without JavaScript
//! and without any outside service. The answer is never sent to the
//! browser: the form carries a token signed with HMAC-SHA256 over the
//! expiry, a nonce and the expected answer, and the server recomputes it.

use crate::auth::sealed::hmac_sha256;
use crate::auth::token::{constant_time_eq, hex};

/// How long a form may stay open before its question expires.
pub const VALID_FOR_MS: i64 = 60 * 60 * 1000;

const WORDS: [&str; 10] = [
    "không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub question: String,
    pub token: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChallengeError {
    #[error("Câu trả lời cho câu hỏi kiểm tra chưa đúng; hãy trả lời câu hỏi mới bằng chữ số")]
    Wrong,
    #[error("Câu hỏi kiểm tra đã hết hạn; hãy trả lời câu hỏi mới")]
    Expired,
}

fn mac(secret: &[u8; 32], expires: i64, nonce: &str, answer: i64) -> String {
    hex(&hmac_sha256(
        secret,
        format!("challenge|{expires}|{nonce}|{answer}").as_bytes(),
    ))
}

/// A new question; `random` picks the numbers and the nonce.
pub fn issue(secret: &[u8; 32], now_ms: i64, random: [u8; 10]) -> Challenge {
    let a = i64::from(random[0] % 9) + 1;
    let b = i64::from(random[1] % 9) + 1;
    let nonce = hex(&random[2..]);
    let expires = now_ms + VALID_FOR_MS;
    let word = |n: i64| WORDS[usize::try_from(n).unwrap_or(0) % 10];
    let first = {
        let w = word(a);
        let mut c = w.chars();
        c.next()
            .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
            .unwrap_or_default()
    };
    Challenge {
        question: format!("{first} cộng {} bằng bao nhiêu?", word(b)),
        token: format!("{expires}.{nonce}.{}", mac(secret, expires, &nonce, a + b)),
    }
}

/// A new question with fresh randomness.
pub fn issue_now(secret: &[u8; 32], now_ms: i64) -> Challenge {
    let mut random = [0u8; 10];
    // Without randomness the question is fixed, still signed and expiring.
    let _ = getrandom::fill(&mut random);
    issue(secret, now_ms, random)
}

pub fn verify(
    secret: &[u8; 32],
    token: &str,
    answer: &str,
    now_ms: i64,
) -> Result<(), ChallengeError> {
    let mut parts = token.trim().splitn(3, '.');
    let (Some(expires), Some(nonce), Some(sent)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(ChallengeError::Wrong);
    };
    let expires: i64 = expires.parse().map_err(|_| ChallengeError::Wrong)?;
    let answer: i64 = answer.trim().parse().map_err(|_| ChallengeError::Wrong)?;
    if !constant_time_eq(&mac(secret, expires, nonce, answer), sent) {
        return Err(ChallengeError::Wrong);
    }
    if now_ms > expires {
        return Err(ChallengeError::Expired);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: [u8; 32] = [9; 32];

    #[test]
    fn the_right_sum_passes_before_expiry_only() {
        let c = issue(&SECRET, 1_000, [2, 4, 1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(c.question, "Ba cộng năm bằng bao nhiêu?");
        assert_eq!(verify(&SECRET, &c.token, " 8 ", 2_000), Ok(()));
        assert_eq!(
            verify(&SECRET, &c.token, "9", 2_000),
            Err(ChallengeError::Wrong)
        );
        assert_eq!(
            verify(&SECRET, &c.token, "tám", 2_000),
            Err(ChallengeError::Wrong)
        );
        assert_eq!(
            verify(&SECRET, &c.token, "8", 1_000 + VALID_FOR_MS + 1),
            Err(ChallengeError::Expired)
        );
        assert_eq!(
            verify(&[1; 32], &c.token, "8", 2_000),
            Err(ChallengeError::Wrong)
        );
    }

    #[test]
    fn a_changed_expiry_breaks_the_signature() {
        let c = issue(&SECRET, 1_000, [0; 10]);
        let forged = c
            .token
            .replacen(&(1_000 + VALID_FOR_MS).to_string(), "999999999999999", 1);
        assert_eq!(
            verify(&SECRET, &forged, "2", 2_000),
            Err(ChallengeError::Wrong)
        );
    }
}
