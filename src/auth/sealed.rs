//! Personal data sealed at rest: a citizen's name, phone, e-mail and
//! attached files are encrypted with XChaCha20-Poly1305 under the data key from configuration,
//! each value with its own random nonce stored beside the ciphertext, and
//! bound to its field so a value cannot be moved to another column.
//! Without the key the database holds no readable personal data.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// Marks the format, so a later scheme can be told apart.
const PREFIX: &str = "v1.";
const NONCE_LEN: usize = 24;
/// What the key sealing kept forms is derived for, and the field they are
/// bound to.
pub const KEPT_FORMS_PURPOSE: &str = "kept forms";
pub const KEPT_FORM_FIELD: &str = "kept_form";
/// Opens sealed file bytes; no file format the attachments accept (PDF,
/// Office, PNG, JPEG) starts this way.
const SEALED_BYTES: &[u8] = b"theodoi-sealed-v1\n";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error(
        "khóa dữ liệu phải là 32 byte, viết bằng 64 chữ số hex hoặc base64 (ví dụ: openssl rand -hex 32)"
    )]
    BadKey,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("sealed value is malformed")]
    Malformed,
    #[error("sealed value does not open with this key")]
    WrongKey,
    #[error("no randomness")]
    NoRandomness,
}

/// The 32-byte data key. Its `Debug` never shows the bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct DataKey([u8; 32]);

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(…)")
    }
}

impl DataKey {
    pub fn from_bytes(bytes: [u8; 32]) -> DataKey {
        DataKey(bytes)
    }

    /// 64 hex digits, or base64 (standard or URL-safe, padded or not) of
    /// 32 bytes.
    pub fn parse(text: &str) -> Result<DataKey, KeyError> {
        let text = text.trim();
        if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            let mut out = [0u8; 32];
            for (i, pair) in text.as_bytes().chunks(2).enumerate() {
                let s = std::str::from_utf8(pair).map_err(|_| KeyError::BadKey)?;
                out[i] = u8::from_str_radix(s, 16).map_err(|_| KeyError::BadKey)?;
            }
            return Ok(DataKey(out));
        }
        for engine in [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD] {
            if let Ok(bytes) = engine.decode(text)
                && let Ok(arr) = <[u8; 32]>::try_from(bytes.as_slice())
            {
                return Ok(DataKey(arr));
            }
        }
        Err(KeyError::BadKey)
    }

    /// The fixed key of the demo and the tests; printed nowhere because it
    /// protects nothing real.
    pub fn demo() -> DataKey {
        let digest = Sha256::digest(b"theodoi demo data key: never for real data");
        let mut out = [0u8; 32];
        out.copy_from_slice(&digest);
        DataKey(out)
    }

    /// A key for another purpose (signing challenges), so the data key
    /// itself is used for one thing only.
    pub fn derive(&self, purpose: &str) -> [u8; 32] {
        hmac_sha256(&self.0, purpose.as_bytes())
    }

    pub fn seal(&self, field: &str, plaintext: &str) -> Result<String, SealError> {
        let sealed = self.encrypt(field, plaintext.as_bytes())?;
        Ok(format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(sealed)))
    }

    pub fn open(&self, field: &str, sealed: &str) -> Result<String, SealError> {
        let body = sealed.strip_prefix(PREFIX).ok_or(SealError::Malformed)?;
        let bytes = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| SealError::Malformed)?;
        let plain = self.decrypt(field, &bytes)?;
        String::from_utf8(plain).map_err(|_| SealError::Malformed)
    }

    /// A file's bytes sealed like a text value, behind [`SEALED_BYTES`] so
    /// they are told apart from files kept before sealing began.
    pub fn seal_bytes(&self, field: &str, plaintext: &[u8]) -> Result<Vec<u8>, SealError> {
        let mut out = SEALED_BYTES.to_vec();
        out.extend(self.encrypt(field, plaintext)?);
        Ok(out)
    }

    pub fn open_bytes(&self, field: &str, sealed: &[u8]) -> Result<Vec<u8>, SealError> {
        let body = sealed
            .strip_prefix(SEALED_BYTES)
            .ok_or(SealError::Malformed)?;
        self.decrypt(field, body)
    }

    /// A fresh nonce, then the ciphertext bound to `field`.
    fn encrypt(&self, field: &str, plaintext: &[u8]) -> Result<Vec<u8>, SealError> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|_| SealError::NoRandomness)?;
        let cipher = XChaCha20Poly1305::new((&self.0).into());
        let sealed = cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: plaintext,
                    aad: field.as_bytes(),
                },
            )
            .map_err(|_| SealError::Malformed)?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    fn decrypt(&self, field: &str, bytes: &[u8]) -> Result<Vec<u8>, SealError> {
        if bytes.len() < NONCE_LEN + 16 {
            return Err(SealError::Malformed);
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| SealError::Malformed)?;
        let cipher = XChaCha20Poly1305::new((&self.0).into());
        cipher
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: ciphertext,
                    aad: field.as_bytes(),
                },
            )
            .map_err(|_| SealError::WrongKey)
    }
}

/// Whether stored file bytes are sealed ([`DataKey::seal_bytes`]).
pub fn is_sealed_bytes(bytes: &[u8]) -> bool {
    bytes.starts_with(SEALED_BYTES)
}

/// Whether a stored text value is sealed ([`DataKey::seal`]).
pub fn is_sealed_text(value: &str) -> bool {
    value.starts_with(PREFIX)
}

pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    // HMAC takes a key of any length; `new_from_slice` cannot fail for it.
    let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(key) else {
        return [0u8; 32];
    };
    mac.update(message);
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_with_the_key_and_field_only() {
        let key = DataKey::demo();
        let a = key.seal("name", "Nguyễn Thị Hoa").expect("seal");
        let b = key.seal("name", "Nguyễn Thị Hoa").expect("seal");
        assert_ne!(a, b, "a fresh nonce per value");
        assert!(!a.contains("Hoa"));
        assert_eq!(key.open("name", &a).expect("open"), "Nguyễn Thị Hoa");
        assert_eq!(key.open("phone", &a), Err(SealError::WrongKey));
        let other = DataKey::from_bytes([7; 32]);
        assert_eq!(other.open("name", &a), Err(SealError::WrongKey));
        assert_eq!(key.open("name", "v1.abc"), Err(SealError::Malformed));
    }

    #[test]
    fn sealed_bytes_open_with_the_key_and_field_only() {
        let key = DataKey::demo();
        let file = b"%PDF-1.7 CCCD 001234567890".to_vec();
        let sealed = key.seal_bytes("feedback_file", &file).expect("seal");
        assert!(is_sealed_bytes(&sealed));
        assert!(!is_sealed_bytes(&file));
        assert!(!sealed.windows(12).any(|w| w == b"001234567890"));
        assert_eq!(
            key.open_bytes("feedback_file", &sealed).expect("open"),
            file
        );
        assert_eq!(key.open_bytes("name", &sealed), Err(SealError::WrongKey));
        let other = DataKey::from_bytes([7; 32]);
        assert_eq!(
            other.open_bytes("feedback_file", &sealed),
            Err(SealError::WrongKey)
        );
        assert_eq!(
            key.open_bytes("feedback_file", &file),
            Err(SealError::Malformed)
        );
    }

    #[test]
    fn keys_parse_from_hex_and_base64() {
        let hex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
        let k = DataKey::parse(hex).expect("hex");
        let b64 = STANDARD.encode(k.0);
        assert_eq!(DataKey::parse(&b64).expect("base64"), k);
        assert_eq!(DataKey::parse("short"), Err(KeyError::BadKey));
        assert_eq!(format!("{k:?}"), "DataKey(…)");
    }
}
