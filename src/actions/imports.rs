//! Importing a plan from a file, for a person who manages the issuing
//! unit: the upload is read, then held (never a file the importer cannot
//! read); the preview reads it again with its unit names matched against
//! the issuer's tree; the plan is stored only on confirmation, with the
//! person's corrections.

use chrono::NaiveDate;

use crate::actions::access::readable_unit;
use crate::actions::{AppError, Caller};
use crate::app::AppState;
use crate::auth::token::{random_token, sha256_bytes_hex};
use crate::domain::access::Principal;
use crate::domain::plan::Plan;
use crate::domain::six_clear;
use crate::domain::task::UnitMention;
use crate::domain::unit::Unit;
use crate::import::{self, ParsedPlan, Resolution, UnitEntry, resolve_units};
use crate::store::StagedUpload;

/// A unit whose plans the caller may import: readable (else 404) and
/// managed (else 403).
async fn import_issuer(state: &AppState, p: &Principal, id: i64) -> Result<Unit, AppError> {
    let issuer = readable_unit(state, p, id).await?;
    if p.can_manage(&issuer.path) {
        Ok(issuer)
    } else {
        Err(AppError::Forbidden)
    }
}

/// Holds an uploaded plan file for the caller to preview, and returns the
/// token that names it. The file is read first: one the importer refuses
/// is never held.
pub async fn stage_upload(
    state: &AppState,
    principal: &Principal,
    issuer_unit_id: i64,
    file: Option<(&str, &[u8])>,
) -> Result<String, AppError> {
    let issuer = import_issuer(state, principal, issuer_unit_id).await?;
    let (name, bytes) = file.ok_or_else(|| AppError::Invalid("Hãy chọn tệp kế hoạch".into()))?;
    import::parse_plan(bytes, Some(name)).map_err(AppError::invalid)?;
    let sha = state
        .store
        .put_blob(bytes, "application/octet-stream")
        .await?;
    let token = random_token();
    state
        .store
        .stage_upload(&token, principal.user_id, issuer.id, &sha, name)
        .await?;
    Ok(token)
}

/// A held upload, read: the plan as the importer understood it, and its
/// unit names matched against the issuer's tree.
pub struct Staged {
    pub upload: StagedUpload,
    pub issuer: Unit,
    /// The issuer's subtree: the units a name may be matched to.
    pub units: Vec<Unit>,
    pub parsed: ParsedPlan,
    pub resolution: Resolution,
    /// The file's digest, which makes importing it twice change nothing.
    pub digest: String,
}

/// Which of the "6 rõ" a task read from the plan lacks, its unit names
/// matched as the confirmation stores them. A plan names units, never
/// accounts, so the responsible person is always still to be chosen: the
/// task is stored as a draft until it has all six.
pub fn six_clear_missing(staged: &Staged, t: &import::ParsedTask) -> Vec<six_clear::Clear> {
    let lead: Vec<UnitMention> = t
        .lead
        .iter()
        .map(|name| UnitMention {
            name: name.clone(),
            unit_id: staged.resolution.get(name),
        })
        .collect();
    six_clear::missing(&six_clear::Facts {
        title: &t.title,
        lead: &lead,
        responsible_user_id: None,
        product: t.product.as_deref(),
        deadline: &t.deadline,
        assigned_by: Some(staged.issuer.id),
        confidential: false,
    })
}

/// The caller's own held upload (anyone else's is a 404, like one that
/// does not exist), read again.
pub async fn staged(
    state: &AppState,
    principal: &Principal,
    token: &str,
) -> Result<Staged, AppError> {
    let upload = state
        .store
        .staged_upload(token)
        .await?
        .ok_or(AppError::NotFound)?;
    if upload.user_id != principal.user_id {
        return Err(AppError::NotFound);
    }
    let issuer = import_issuer(state, principal, upload.issuer_unit_id).await?;
    let (_, bytes) = state
        .store
        .blob(&upload.blob_sha256)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut parsed =
        import::parse_plan(&bytes, Some(&upload.file_name)).map_err(AppError::invalid)?;
    let units = state.store.subtree(&issuer.path).await?;
    let directory: Vec<UnitEntry> = units
        .iter()
        .map(|u| UnitEntry {
            id: u.id,
            name: u.name.clone(),
            aliases: u.aliases.clone(),
        })
        .collect();
    // Units written one after another without a separator are split at
    // the commune's own unit names before they are matched.
    import::split_by_directory(&mut parsed, &directory);
    let resolution = resolve_units(&parsed, &directory);
    parsed.unresolved_units = resolution.unresolved();
    Ok(Staged {
        digest: sha256_bytes_hex(&bytes),
        upload,
        issuer,
        units,
        parsed,
        resolution,
    })
}

/// What the preview shows: the held upload read, and the plan already
/// imported from the same file under the same unit, if any.
pub struct Preview {
    pub staged: Staged,
    pub already: Option<i64>,
}

pub async fn preview(
    state: &AppState,
    principal: &Principal,
    token: &str,
) -> Result<Preview, AppError> {
    let staged = staged(state, principal, token).await?;
    let already = state
        .store
        .plan_by_digest(staged.issuer.id, &staged.digest)
        .await?
        .map(|p| p.id);
    Ok(Preview { staged, already })
}

/// The person's corrections on the preview.
#[derive(Debug, Default)]
pub struct Corrections {
    pub title: Option<String>,
    pub number: Option<String>,
    pub date: Option<NaiveDate>,
    /// A unit of the issuer's tree for an unmatched name, by the name's
    /// place in the preview's list.
    pub units: Vec<(usize, i64)>,
}

/// Stores the held plan with the corrections, and lets the upload go.
pub async fn confirm(
    state: &AppState,
    caller: &Caller<'_>,
    token: &str,
    corrections: Corrections,
) -> Result<Plan, AppError> {
    let mut s = staged(state, caller.principal, token).await?;
    if let Some(title) = corrections.title {
        s.parsed.plan.title = Some(title);
    }
    s.parsed.plan.number = corrections.number.or(s.parsed.plan.number);
    if let Some(date) = corrections.date {
        s.parsed.plan.date = Some(date);
    }
    for (index, unit_id) in corrections.units {
        let Some(name) = s.parsed.unresolved_units.get(index) else {
            continue;
        };
        if !s.units.iter().any(|u| u.id == unit_id) {
            return Err(AppError::Invalid(
                "Đơn vị được chọn không thuộc phạm vi kế hoạch".into(),
            ));
        }
        for m in s.resolution.mentions.iter_mut().filter(|(n, _)| n == name) {
            m.1 = Some(unit_id);
        }
    }
    let outcome = state
        .store
        .import_plan(
            &s.issuer,
            &s.parsed,
            &s.resolution,
            &s.digest,
            &caller.actor,
        )
        .await?;
    state.store.drop_staged_upload(token).await?;
    Ok(outcome.plan)
}
