//! A question a person answers and a simple script does not: a sum of two
//! two-digit numbers written in Vietnamese words (179 possible answers). It
//! works without JavaScript and without any outside service. The answer is
//! never sent to the browser: the form carries a token naming its form,
//! expiry and nonce, signed with HMAC-SHA256 twice: once over those (so the
//! server knows it issued the token, whatever the answer) and once with the
//! expected answer too. The caller spends the nonce on first use, right or
//! wrong ([`Ticket`]), so a solved token cannot be replayed.

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
    #[error("Câu hỏi kiểm tra này đã được dùng; hãy trả lời câu hỏi mới")]
    Spent,
}

/// A token this server issued for this form and not yet expired: its
/// nonce is to be spent before the answer is looked at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    pub nonce: String,
    pub expires: i64,
    answer_mac: String,
}

fn mac(secret: &[u8; 32], form: &str, expires: i64, nonce: &str, answer: Option<i64>) -> String {
    let text = match answer {
        Some(a) => format!("challenge|{form}|{expires}|{nonce}|{a}"),
        None => format!("challenge-token|{form}|{expires}|{nonce}"),
    };
    hex(&hmac_sha256(secret, text.as_bytes()))
}

/// A number from 10 to 99 in Vietnamese words: `mười lăm`, `hai mươi mốt`.
pub fn words(n: i64) -> String {
    let (tens, units) = ((n / 10) as usize % 10, (n % 10) as usize);
    let head = if tens == 1 {
        "mười".to_string()
    } else {
        format!("{} mươi", WORDS[tens])
    };
    let tail = match units {
        0 => return head,
        1 if tens > 1 => "mốt",
        5 => "lăm",
        u => WORDS[u],
    };
    format!("{head} {tail}")
}

/// A new question for `form`; `random` picks the numbers and the nonce.
pub fn issue(secret: &[u8; 32], form: &str, now_ms: i64, random: [u8; 10]) -> Challenge {
    let a = i64::from(random[0] % 90) + 10;
    let b = i64::from(random[1] % 90) + 10;
    let nonce = hex(&random[2..]);
    let expires = now_ms + VALID_FOR_MS;
    let first = {
        let w = words(a);
        let mut c = w.chars();
        c.next()
            .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
            .unwrap_or_default()
    };
    Challenge {
        question: format!("{first} cộng {} bằng bao nhiêu?", words(b)),
        token: format!(
            "{expires}.{nonce}.{}.{}",
            mac(secret, form, expires, &nonce, None),
            mac(secret, form, expires, &nonce, Some(a + b))
        ),
    }
}

/// A new question with fresh randomness.
pub fn issue_now(secret: &[u8; 32], form: &str, now_ms: i64) -> Challenge {
    let mut random = [0u8; 10];
    // Without randomness the question is fixed, still signed and expiring.
    let _ = getrandom::fill(&mut random);
    issue(secret, form, now_ms, random)
}

/// The ticket of a token issued for `form` and not expired.
pub fn ticket(
    secret: &[u8; 32],
    form: &str,
    token: &str,
    now_ms: i64,
) -> Result<Ticket, ChallengeError> {
    let mut parts = token.trim().splitn(4, '.');
    let (Some(expires), Some(nonce), Some(sent), Some(answer_mac)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ChallengeError::Wrong);
    };
    let expires: i64 = expires.parse().map_err(|_| ChallengeError::Wrong)?;
    if !constant_time_eq(&mac(secret, form, expires, nonce, None), sent) {
        return Err(ChallengeError::Wrong);
    }
    if now_ms > expires {
        return Err(ChallengeError::Expired);
    }
    Ok(Ticket {
        nonce: nonce.to_string(),
        expires,
        answer_mac: answer_mac.to_string(),
    })
}

/// Checks the answer to a ticket (already spent by the caller).
pub fn check(
    secret: &[u8; 32],
    form: &str,
    ticket: &Ticket,
    answer: &str,
) -> Result<(), ChallengeError> {
    let answer: i64 = answer.trim().parse().map_err(|_| ChallengeError::Wrong)?;
    let expected = mac(secret, form, ticket.expires, &ticket.nonce, Some(answer));
    if constant_time_eq(&expected, &ticket.answer_mac) {
        Ok(())
    } else {
        Err(ChallengeError::Wrong)
    }
}

/// [`ticket`] then [`check`], for a caller that does not spend tokens.
pub fn verify(
    secret: &[u8; 32],
    form: &str,
    token: &str,
    answer: &str,
    now_ms: i64,
) -> Result<(), ChallengeError> {
    let t = ticket(secret, form, token, now_ms)?;
    check(secret, form, &t, answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: [u8; 32] = [9; 32];
    const F: &str = "feedback";

    #[test]
    fn the_right_sum_passes_before_expiry_only() {
        let c = issue(&SECRET, F, 1_000, [2, 14, 1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(c.question, "Mười hai cộng hai mươi bốn bằng bao nhiêu?");
        assert_eq!(verify(&SECRET, F, &c.token, " 36 ", 2_000), Ok(()));
        assert_eq!(
            verify(&SECRET, F, &c.token, "37", 2_000),
            Err(ChallengeError::Wrong)
        );
        assert_eq!(
            verify(&SECRET, F, &c.token, "ba sáu", 2_000),
            Err(ChallengeError::Wrong)
        );
        assert_eq!(
            verify(&SECRET, F, &c.token, "36", 1_000 + VALID_FOR_MS + 1),
            Err(ChallengeError::Expired)
        );
        assert_eq!(
            verify(&[1; 32], F, &c.token, "36", 2_000),
            Err(ChallengeError::Wrong)
        );
        // Bound to its form.
        assert_eq!(
            verify(&SECRET, "other", &c.token, "36", 2_000),
            Err(ChallengeError::Wrong)
        );
        // A ticket is known genuine before the answer is looked at.
        assert!(ticket(&SECRET, F, &c.token, 2_000).is_ok());
        assert!(ticket(&SECRET, F, "1.2.3.4", 2_000).is_err());
    }

    #[test]
    fn a_changed_expiry_breaks_the_signature() {
        let c = issue(&SECRET, F, 1_000, [0; 10]);
        let forged = c
            .token
            .replacen(&(1_000 + VALID_FOR_MS).to_string(), "999999999999999", 1);
        assert_eq!(
            verify(&SECRET, F, &forged, "20", 2_000),
            Err(ChallengeError::Wrong)
        );
    }

    #[test]
    fn numbers_read_as_vietnamese_and_answers_are_many() {
        assert_eq!(words(10), "mười");
        assert_eq!(words(15), "mười lăm");
        assert_eq!(words(21), "hai mươi mốt");
        assert_eq!(words(11), "mười một");
        assert_eq!(words(90), "chín mươi");
        assert_eq!(words(99), "chín mươi chín");
        // From 10 + 10 to 99 + 99: 179 possible answers.
        for (random, sum) in [([0u8, 0], 20), ([89, 89], 198), ([90, 179], 109)] {
            let mut r = [7u8; 10];
            r[..2].copy_from_slice(&random);
            let c = issue(&SECRET, F, 0, r);
            assert_eq!(verify(&SECRET, F, &c.token, &sum.to_string(), 0), Ok(()));
        }
    }
}
