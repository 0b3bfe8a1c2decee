//! A reporter on a phone whose session ends while typing: the save that
//! arrives after the end is kept, the login page says so, and after signing
//! in again the form has the typed values back, saved only when the person
//! saves them. The demo server runs with a one-minute idle timeout, and the
//! test waits that minute out for real.

use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use fantoccini::{Client, Locator};

use crate::e2e::{chromedriver, connect_chromium, start_chromedriver, start_demo_with};
use crate::e2e_reporting::{REPORTER, click_and_load, log_in, page_error, text_of, value_of};

const TYPED: &str = "Đã hướng dẫn 60 hộ cài đặt ứng dụng định danh điện tử";

/// The stored result of a task on a report, read from the demo's database
/// beside the running server.
async fn stored_result(db: &std::path::Path, report: i64, task: i64) -> Option<String> {
    let store = theodoi::store::Store::open(db.to_str()?, theodoi::clock::system())
        .await
        .ok()?;
    let view = store.report_view(report).await.ok()??;
    let result = view
        .tasks
        .iter()
        .find(|i| i.task.id == task)
        .and_then(|i| i.update.as_ref())
        .and_then(|u| u.result.clone());
    store.close().await;
    result
}

async fn keep_after_expiry(
    client: &Client,
    base: &str,
    db: &std::path::Path,
) -> anyhow::Result<()> {
    log_in(client, base, REPORTER).await?;
    client.goto(&format!("{base}/reports")).await?;
    let link = client
        .wait()
        .for_element(Locator::Css("ul.list.reports li a"))
        .await
        .context("no report to fill")?;
    click_and_load(client, &link).await?;
    let url = client.current_url().await?;
    let report: i64 = url
        .path()
        .trim_start_matches("/reports/")
        .parse()
        .context("report id")?;
    let task = client
        .find(Locator::Css("form.report-form section.item[id^='t']"))
        .await
        .context("the report has no task")?;
    let task_id: i64 = task
        .attr("id")
        .await?
        .and_then(|id| id.strip_prefix('t').and_then(|n| n.parse().ok()))
        .context("task section id")?;
    let result = client
        .find(Locator::Css(&format!("textarea[name=t{task_id}_result]")))
        .await?;
    result.clear().await?;
    result.send_keys(TYPED).await?;

    // The phone is put down; the session ends after a minute unused.
    tokio::time::sleep(Duration::from_secs(70)).await;
    let save = client
        .find(Locator::Css("button[name=action][value=save]"))
        .await?;
    click_and_load(client, &save).await?;
    ensure!(
        client.current_url().await?.path() == "/login",
        "an ended session signs in again"
    );
    let notice = text_of(client, "p.notice").await?;
    ensure!(
        notice.contains("đã được giữ lại"),
        "login notice: {notice:?}"
    );
    ensure!(
        stored_result(db, report, task_id).await.as_deref() != Some(TYPED),
        "nothing is saved before the person confirms"
    );

    // Signing in on this page leads back to the form, values restored.
    let name = client.find(Locator::Css("input[name=username]")).await?;
    name.send_keys(REPORTER).await?;
    client
        .find(Locator::Css("input[name=password]"))
        .await?
        .send_keys(theodoi::demo::DEMO_PASSWORD)
        .await?;
    let button = client
        .find(Locator::Css("form button[type=submit]"))
        .await?;
    click_and_load(client, &button).await?;
    ensure!(
        client.current_url().await?.path() == url.path(),
        "back on the report"
    );
    let kept = text_of(client, "div.kept").await?;
    ensure!(
        kept.contains("chưa được lưu"),
        "the form says it is not saved: {kept:?}"
    );
    let restored = value_of(client, &format!("textarea[name=t{task_id}_result]")).await?;
    ensure!(restored == TYPED, "restored value: {restored:?}");
    ensure!(
        stored_result(db, report, task_id).await.as_deref() != Some(TYPED),
        "still not saved"
    );

    // Saving it is the confirmation.
    let save = client
        .find(Locator::Css("button[name=action][value=save]"))
        .await?;
    click_and_load(client, &save).await?;
    if let Some(e) = page_error(client).await? {
        anyhow::bail!("the save was refused: {e}");
    }
    ensure!(
        stored_result(db, report, task_id).await.as_deref() == Some(TYPED),
        "saved once the person saved"
    );
    ensure!(
        client.find_all(Locator::Css("div.kept")).await?.is_empty(),
        "the kept copy is gone"
    );
    Ok(())
}

#[tokio::test]
async fn typing_survives_a_session_that_ends_on_a_phone() {
    let Some(driver_bin) = chromedriver() else {
        return;
    };
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("tempdir");
    let (_server, port) =
        start_demo_with(dir.path(), &[], &[("THEODOI_SESSION_IDLE_MINUTES", "1")]);
    let (_driver, driver_port) = start_chromedriver(driver_bin);
    let client = connect_chromium(driver_port, dir.path(), true).await;
    let base = format!("http://127.0.0.1:{port}");
    let result = keep_after_expiry(&client, &base, &dir.path().join("demo.db")).await;
    if result.is_err()
        && let Ok(body) = client.find(Locator::Css("body")).await
        && let Ok(text) = body.text().await
    {
        eprintln!("page text:\n{text}");
    }
    let _ = client.close().await;
    result.expect("browser steps");
    eprintln!(
        "e2e_kept: passed in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
