//! Time-based one-time passwords (RFC 6238, the codes of authenticator
//! apps): HMAC-SHA1 over the number of 30-second steps since the epoch,
//! truncated to 6 digits (RFC 4226). A code is accepted one step early or
//! late (clocks drift), and only for a step later than the last one
//! accepted, so a code seen over a shoulder cannot be used a second time.
//!
//! The secret is 20 random bytes, shown once as base32 (RFC 4648, without
//! padding) and as an `otpauth://` URI; at rest it is sealed with the data
//! key when there is one.

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

use super::sealed::{DataKey, SealError};
use super::token::constant_time_eq;

pub const STEP_MS: i64 = 30_000;
pub const DIGITS: u32 = 6;
pub const SECRET_BYTES: usize = 20;
/// Steps either side of now that are still accepted.
pub const TOLERANCE_STEPS: i64 = 1;
pub const ISSUER: &str = "Theo Dõi";
/// The field name sealed values are bound to.
const SEAL_FIELD: &str = "totp_secret";
/// Marks a secret kept without a data key.
const PLAIN_PREFIX: &str = "plain.";

const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32, upper case, no padding.
pub fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let mut buffer: u32 = 0;
    let mut bits = 0u32;
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buffer >> bits) & 0x1f) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 0x1f) as usize] as char);
    }
    out
}

/// Reads base32 as people type it: any case, spaces, dashes and padding
/// ignored. `None` for any other character.
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let mut buffer: u32 = 0;
    let mut bits = 0u32;
    for c in text.chars() {
        if c.is_whitespace() || c == '-' || c == '=' {
            continue;
        }
        let upper = c.to_ascii_uppercase() as u8;
        let value = ALPHABET.iter().position(|&a| a == upper)? as u32;
        buffer = (buffer << 5) | value;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(((buffer >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

/// HOTP (RFC 4226): the code for one counter value, `digits` long.
pub fn hotp(secret: &[u8], counter: u64, digits: u32) -> u32 {
    // HMAC takes a key of any length; `new_from_slice` cannot fail for it.
    let Ok(mut mac) = <Hmac<Sha1> as KeyInit>::new_from_slice(secret) else {
        return 0;
    };
    mac.update(&counter.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let offset = usize::from(h[h.len() - 1] & 0x0f);
    let binary = (u32::from(h[offset]) & 0x7f) << 24
        | u32::from(h[offset + 1]) << 16
        | u32::from(h[offset + 2]) << 8
        | u32::from(h[offset + 3]);
    binary % 10u32.pow(digits)
}

/// The step a moment falls in.
pub fn step_at(now_ms: i64) -> i64 {
    now_ms.div_euclid(STEP_MS)
}

/// The code for a step, as shown by an app (leading zeros kept).
pub fn code_at_step(secret: &[u8], step: i64) -> String {
    let counter = u64::try_from(step).unwrap_or(0);
    format!(
        "{:0width$}",
        hotp(secret, counter, DIGITS),
        width = DIGITS as usize
    )
}

/// The code for a moment; what an authenticator app shows (for tests and
/// the harness).
pub fn code_at(secret: &[u8], now_ms: i64) -> String {
    code_at_step(secret, step_at(now_ms))
}

/// Checks a typed code against the steps around `now_ms` that are later
/// than `last_step` (the last code accepted). Returns the step it matched,
/// to be remembered so it cannot be used again.
pub fn verify(secret: &[u8], code: &str, now_ms: i64, last_step: Option<i64>) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = step_at(now_ms);
    let mut matched = None;
    // Every candidate is computed, so the time taken does not say which
    // step matched.
    for step in (now - TOLERANCE_STEPS)..=(now + TOLERANCE_STEPS) {
        let fresh = last_step.is_none_or(|last| step > last);
        if constant_time_eq(&code_at_step(secret, step), &code) && fresh && matched.is_none() {
            matched = Some(step);
        }
    }
    matched
}

/// 20 random bytes.
pub fn new_secret() -> Option<Vec<u8>> {
    let mut bytes = vec![0u8; SECRET_BYTES];
    getrandom::fill(&mut bytes).ok()?;
    Some(bytes)
}

/// What an authenticator app reads (typed in, or from a QR code made
/// elsewhere): issuer, account, secret and the parameters.
pub fn otpauth_uri(username: &str, secret: &[u8]) -> String {
    let issuer = percent(ISSUER);
    format!(
        "otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={period}",
        account = percent(username),
        secret = base32_encode(secret),
        period = STEP_MS / 1000,
    )
}

/// Groups of four, easier to copy by hand.
pub fn grouped(secret_b32: &str) -> String {
    secret_b32
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

fn percent(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The secret as stored: sealed under the data key when there is one.
pub fn seal_secret(key: Option<&DataKey>, secret: &[u8]) -> Result<String, SealError> {
    let b32 = base32_encode(secret);
    match key {
        Some(k) => k.seal(SEAL_FIELD, &b32),
        None => Ok(format!("{PLAIN_PREFIX}{b32}")),
    }
}

/// The secret back from storage; `None` when it does not open (another
/// data key, a damaged value).
pub fn open_secret(key: Option<&DataKey>, stored: &str) -> Option<Vec<u8>> {
    if let Some(b32) = stored.strip_prefix(PLAIN_PREFIX) {
        return base32_decode(b32);
    }
    let b32 = key?.open(SEAL_FIELD, stored).ok()?;
    base32_decode(&b32)
}

/// A stored secret under a new data key (key rotation); a secret kept
/// without a key is sealed too. `None` when the old key does not open it.
pub fn reseal_secret(old: &DataKey, new: &DataKey, stored: &str) -> Option<String> {
    let secret = open_secret(Some(old), stored)?;
    seal_secret(Some(new), &secret).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC_SECRET: &[u8] = b"12345678901234567890";

    #[test]
    fn rfc_6238_sha1_vectors_with_8_digits() {
        // RFC 6238, appendix B: T0 = 0, X = 30 s, SHA-1.
        for (seconds, expected) in [
            (59u64, 94287082u32),
            (1111111109, 7081804),
            (1111111111, 14050471),
            (1234567890, 89005924),
            (2000000000, 69279037),
            (20000000000, 65353130),
        ] {
            assert_eq!(hotp(RFC_SECRET, seconds / 30, 8), expected, "T = {seconds}");
        }
    }

    #[test]
    fn six_digit_codes_are_the_last_six_digits() {
        assert_eq!(code_at(RFC_SECRET, 59_000), "287082");
        assert_eq!(code_at(RFC_SECRET, 1_111_111_109_000), "081804");
        assert_eq!(code_at(RFC_SECRET, 1_234_567_890_000), "005924");
    }

    #[test]
    fn rfc_4226_hotp_vectors() {
        let expected = [755224, 287082, 359152, 969429, 338314];
        for (counter, code) in expected.iter().enumerate() {
            assert_eq!(hotp(RFC_SECRET, counter as u64, 6), *code);
        }
    }

    #[test]
    fn base32_round_trips_and_matches_rfc_4648() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ] {
            assert_eq!(base32_encode(plain.as_bytes()), encoded);
            assert_eq!(
                base32_decode(encoded).expect("decode"),
                plain.as_bytes().to_vec()
            );
        }
        assert_eq!(
            base32_decode("mzxw 6ytb-oi======").expect("lenient"),
            b"foobar".to_vec()
        );
        assert_eq!(base32_decode("MZ1W"), None);
        let secret = new_secret().expect("random");
        assert_eq!(base32_decode(&base32_encode(&secret)), Some(secret));
    }

    #[test]
    fn codes_are_accepted_one_step_either_side_and_once() {
        let now = 1_773_108_000_000;
        let step = step_at(now);
        let code = code_at(RFC_SECRET, now);
        assert_eq!(verify(RFC_SECRET, &code, now, None), Some(step));
        assert_eq!(
            verify(
                RFC_SECRET,
                &format!("{} {}", &code[..3], &code[3..]),
                now,
                None
            ),
            Some(step),
            "spaces are ignored"
        );
        assert_eq!(verify(RFC_SECRET, &code, now, Some(step)), None, "reused");
        let late = now + STEP_MS;
        assert_eq!(verify(RFC_SECRET, &code, late, None), Some(step));
        assert_eq!(verify(RFC_SECRET, &code, now + 2 * STEP_MS, None), None);
        let early = code_at(RFC_SECRET, now + STEP_MS);
        assert_eq!(verify(RFC_SECRET, &early, now, Some(step)), Some(step + 1));
        assert_eq!(verify(RFC_SECRET, "12345", now, None), None);
        assert_eq!(verify(RFC_SECRET, "abcdef", now, None), None);
    }

    #[test]
    fn uris_name_the_issuer_and_account() {
        let uri = otpauth_uri("nguyen.van.a", RFC_SECRET);
        assert_eq!(
            uri,
            "otpauth://totp/Theo%20D%C3%B5i:nguyen.van.a?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Theo%20D%C3%B5i&algorithm=SHA1&digits=6&period=30"
        );
        assert_eq!(grouped("ABCDEFGHIJ"), "ABCD EFGH IJ");
    }

    #[test]
    fn secrets_are_sealed_with_the_data_key() {
        let key = DataKey::demo();
        let stored = seal_secret(Some(&key), RFC_SECRET).expect("seal");
        assert!(!stored.contains("GEZDGNBV"));
        assert_eq!(open_secret(Some(&key), &stored), Some(RFC_SECRET.to_vec()));
        assert_eq!(open_secret(None, &stored), None);
        let plain = seal_secret(None, RFC_SECRET).expect("plain");
        assert_eq!(open_secret(None, &plain), Some(RFC_SECRET.to_vec()));
    }
}
