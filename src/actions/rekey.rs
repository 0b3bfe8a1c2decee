//! Data key rotation (`theodoi rekey`): every value sealed under the old
//! key (citizens' contacts and files, second-factor secrets, kept forms)
//! opened and sealed under the new one, in one transaction. A value the
//! old key does not open stops the rotation and nothing changes: a
//! mistyped old key must not leave a database half under each key.

use crate::actions::citizen::{EMAIL_FIELD, FILE_FIELD, NAME_FIELD, PHONE_FIELD};
use crate::auth::sealed::{DataKey, KEPT_FORM_FIELD, KEPT_FORMS_PURPOSE, is_sealed_bytes};
use crate::auth::totp;
use crate::store::{Actor, ResealCounts, Resealed, Resealer, SealedColumn, Store, StoreResult};

/// The old and the new data key.
pub struct KeyChange {
    old: DataKey,
    new: DataKey,
}

impl KeyChange {
    pub fn new(old: DataKey, new: DataKey) -> KeyChange {
        KeyChange { old, new }
    }

    fn kept_forms_keys(&self) -> (DataKey, DataKey) {
        let derive = |k: &DataKey| DataKey::from_bytes(k.derive(KEPT_FORMS_PURPOSE));
        (derive(&self.old), derive(&self.new))
    }
}

const NOT_OPENED: &str = "the old key does not open it";

impl Resealer for KeyChange {
    fn text(&self, column: SealedColumn, value: &str) -> Result<Resealed<String>, String> {
        let field = match column {
            SealedColumn::ContactName => NAME_FIELD,
            SealedColumn::ContactPhone => PHONE_FIELD,
            SealedColumn::ContactEmail => EMAIL_FIELD,
            SealedColumn::TotpSecret | SealedColumn::TotpPending => {
                return totp::reseal_secret(&self.old, &self.new, value)
                    .map(Resealed::Value)
                    .ok_or_else(|| NOT_OPENED.to_string());
            }
            SealedColumn::KeptForm => {
                // Forms kept while the server ran without a data key were
                // sealed with its passing secret; they expire within a day.
                let (old, new) = self.kept_forms_keys();
                return Ok(match old.open(KEPT_FORM_FIELD, value) {
                    Ok(body) => Resealed::Value(
                        new.seal(KEPT_FORM_FIELD, &body)
                            .map_err(|e| e.to_string())?,
                    ),
                    Err(_) => Resealed::Skip,
                });
            }
            SealedColumn::FeedbackFile => return Err("a file is not text".into()),
        };
        let plain = self
            .old
            .open(field, value)
            .map_err(|_| NOT_OPENED.to_string())?;
        self.new
            .seal(field, &plain)
            .map(Resealed::Value)
            .map_err(|e| e.to_string())
    }

    fn bytes(&self, column: SealedColumn, value: &[u8]) -> Result<Resealed<Vec<u8>>, String> {
        if column != SealedColumn::FeedbackFile {
            return Err("only files are bytes".into());
        }
        // A file kept before sealing began is sealed now.
        let plain = if is_sealed_bytes(value) {
            self.old
                .open_bytes(FILE_FIELD, value)
                .map_err(|_| NOT_OPENED.to_string())?
        } else {
            value.to_vec()
        };
        self.new
            .seal_bytes(FILE_FIELD, &plain)
            .map(Resealed::Value)
            .map_err(|e| e.to_string())
    }
}

/// Rotates the data key of the database behind `store`.
pub async fn rekey(store: &Store, old: DataKey, new: DataKey) -> StoreResult<ResealCounts> {
    store
        .reseal(&KeyChange::new(old, new), &Actor::system())
        .await
}
