//! `theodoi export`, `backup`, `restore` and `rekey`: a database's data
//! out and back in, and its sealed fields under a new key.

use anyhow::{Context, bail};

use super::open;
use crate::auth::sealed::DataKey;

/// The export of a unit named by official code or id, written beside
/// `out` and renamed when complete.
pub(super) async fn export(db: &str, unit: &str, out: &std::path::Path) -> anyhow::Result<()> {
    use crate::actions::exchange::{ExportFormat, export_subtree};
    let format = match out.extension().and_then(|e| e.to_str()) {
        Some("xlsx") => ExportFormat::Xlsx,
        Some("json") => ExportFormat::Json,
        _ => bail!("--out phải là tệp .xlsx hoặc .json"),
    };
    let store = open(db).await?;
    let found = match store.unit_by_code(unit.trim()).await? {
        Some(u) => Some(u),
        None => match unit.trim().parse::<i64>() {
            Ok(id) => store.unit(id).await?,
            Err(_) => None,
        },
    };
    let Some(found) = found else {
        bail!("không có đơn vị mã hoặc số {unit}");
    };
    let bytes = export_subtree(&store, &found, format).await?;
    let partial = out.with_extension("part");
    std::fs::write(&partial, &bytes)
        .and_then(|()| std::fs::rename(&partial, out))
        .with_context(|| format!("không ghi được {}", out.display()))?;
    println!(
        "Đã xuất dữ liệu của {} ({} byte) vào {}",
        found.name,
        bytes.len(),
        out.display()
    );
    store.close().await;
    Ok(())
}

/// Writes a backup, signed when a key is given.
pub(super) async fn backup(
    db: &str,
    out: &std::path::Path,
    key: Option<[u8; 32]>,
) -> anyhow::Result<()> {
    if key.is_none() {
        eprintln!(
            "Cảnh báo: không có --backup-key hay --data-key nên bản sao lưu không được ký; khi khôi phục cần --allow-unsigned"
        );
    }
    let store = open(db).await?;
    let summary = store.backup_signed(out, key.as_ref()).await?;
    println!(
        "Đã sao lưu {} bảng, {} dòng ({}) vào {}\nSHA-256: {}",
        summary.tables,
        summary.rows,
        summary.source_engine,
        out.display(),
        summary.sha256
    );
    store.close().await;
    Ok(())
}

/// Checks the backup before the target is opened (a refused backup leaves
/// no trace), then restores it in one transaction.
pub(super) async fn restore(
    db: &str,
    from: &std::path::Path,
    key: Option<[u8; 32]>,
    allow_unsigned: bool,
) -> anyhow::Result<()> {
    let checked = crate::store::verify_backup(from)?;
    crate::store::check_signature(&checked, key.as_ref(), allow_unsigned)?;
    let store = open(db).await?;
    let summary = store.restore_from(from).await;
    store.close().await;
    let summary = summary?;
    println!(
        "Đã khôi phục {} bảng, {} dòng (sao lưu từ {}, SHA-256 {}) vào {}",
        summary.tables, summary.rows, summary.source_engine, checked.sha256, db
    );
    Ok(())
}

pub(super) async fn rekey(db: &str, old_key: &str, new_key: &str) -> anyhow::Result<()> {
    let old = DataKey::parse(old_key).context("--old-key / THEODOI_DATA_KEY")?;
    let new = DataKey::parse(new_key).context("--new-key / THEODOI_NEW_DATA_KEY")?;
    if old == new {
        bail!("the new key is the key in use");
    }
    let store = open(db).await?;
    let counts = crate::actions::rekey::rekey(&store, old, new)
        .await
        .context("nothing was changed")?;
    println!("{}", serde_json::to_string(&counts)?);
    Ok(())
}
