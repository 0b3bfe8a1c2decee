//! End to end, on a phone-sized headless Chromium against `theodoi demo` as
//! a real process: a unit reporter of Xã Tân Phong fills in its monthly
//! report (a task, a target with a decimal comma, a PDF as evidence) and
//! sends it; the commune's focal point returns it with comments; the
//! reporter sees the comments and may edit again.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use fantoccini::elements::Element;
use fantoccini::{Client, Locator};

use crate::e2e::{chromedriver, connect_chromium, fits_the_phone, start_chromedriver, start_demo};

pub(crate) const REPORTER: &str = "tanphong.vhxh";
const FOCAL_POINT: &str = "tanphong.daumoi";
const RESULT_WITH_EVIDENCE: &str = "Đã lắp đặt 5 điểm phát sóng, biên bản nghiệm thu kèm theo";
const RESULT_TEXT: &str = "Đã tổ chức 3 lớp tập huấn kỹ năng số cho 120 người dân";
const TARGET_VALUE: &str = "87,5";
const ITEM_COMMENT: &str = "Bổ sung danh sách người dân tham gia tập huấn";
const GENERAL_COMMENT: &str = "Đề nghị Phòng bổ sung minh chứng và số liệu nguồn";
const BLANK_COMMENT: &str = "Nhiệm vụ mới giao, đề nghị báo cáo ngay trong kỳ này";
const PDF_NAME: &str = "bien-ban-tap-huan.pdf";

/// Clicks something that leaves the page (a link, a submit button) and
/// waits until the next page has replaced it and finished loading. The old
/// page is marked with a script variable that the new one does not have.
/// Asking about a node of the old page while Chromium swaps documents can
/// fail with "stale element" or an inspector error alike, so this polls a
/// script instead and retries on any error until the time is up.
/// A task given to the report's unit after it sent the report, written to
/// the demo's database beside the running server, as the commune's
/// focal point would add it; returns its id.
async fn add_task_after_sending(db: &Path, report_path: &str) -> anyhow::Result<i64> {
    use theodoi::domain::deadline::Deadline;
    use theodoi::domain::task::{TaskDraft, UnitMention};
    let report: i64 = report_path
        .trim_start_matches("/reports/")
        .parse()
        .context("report id")?;
    let store =
        theodoi::store::Store::open(db.to_str().context("path")?, theodoi::clock::system()).await?;
    let view = store.report_view(report).await?.context("the report")?;
    let draft = TaskDraft {
        reference: None,
        group_path: vec![],
        title: "Hướng dẫn người dân sử dụng ví điện tử".into(),
        lead: vec![UnitMention::resolved(
            view.report.unit_name.clone(),
            view.report.unit_id,
        )],
        support: vec![],
        responsible_user_id: None,
        product: None,
        deadline: Deadline::parse("Tháng 12/2026"),
        funding: None,
        legal_basis: None,
        parent_task_id: None,
        draft: false,
        confidential: false,
    }
    .validate()?;
    let task = store
        .create_task(view.round.plan_id, draft, &theodoi::store::Actor::system())
        .await?;
    store.close().await;
    Ok(task.id)
}

pub(crate) async fn click_and_load(client: &Client, target: &Element) -> anyhow::Result<()> {
    client
        .execute("window.__theodoiOldPage = true;", vec![])
        .await?;
    target.click().await?;
    let start = Instant::now();
    loop {
        let loaded = client
            .execute(
                "return window.__theodoiOldPage !== true && document.readyState === 'complete';",
                vec![],
            )
            .await;
        match loaded {
            Ok(serde_json::Value::Bool(true)) => break,
            Ok(_) => {}
            Err(e) if start.elapsed() >= Duration::from_secs(30) => {
                return Err(anyhow::Error::new(e).context("waiting for the next page"));
            }
            Err(_) => {}
        }
        ensure!(
            start.elapsed() < Duration::from_secs(30),
            "the page did not change after a click"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    client.wait().for_element(Locator::Css("main")).await?;
    Ok(())
}

pub(crate) async fn log_in(client: &Client, base: &str, username: &str) -> anyhow::Result<()> {
    client.goto(&format!("{base}/login")).await?;
    let name = client
        .wait()
        .for_element(Locator::Css("input[name=username]"))
        .await?;
    name.clear().await?;
    name.send_keys(username).await?;
    client
        .find(Locator::Css("input[name=password]"))
        .await?
        .send_keys(theodoi::demo::DEMO_PASSWORD)
        .await?;
    let button = client
        .find(Locator::Css("form button[type=submit]"))
        .await?;
    click_and_load(client, &button).await?;
    let who = client
        .wait()
        .for_element(Locator::Css("form.logout .who"))
        .await
        .with_context(|| format!("{username} is not signed in"))?;
    ensure!(
        !who.text().await?.trim().is_empty(),
        "no name in the header"
    );
    Ok(())
}

pub(crate) async fn log_out(client: &Client) -> anyhow::Result<()> {
    let button = client
        .find(Locator::Css("form.logout button[type=submit]"))
        .await?;
    click_and_load(client, &button).await?;
    client
        .wait()
        .for_element(Locator::Css("input[name=username]"))
        .await?;
    ensure!(
        client.current_url().await?.path() == "/login",
        "logging out leads to the login page"
    );
    Ok(())
}

pub(crate) async fn value_of(client: &Client, css: &str) -> anyhow::Result<String> {
    let el = client
        .find(Locator::Css(css))
        .await
        .with_context(|| format!("no element {css}"))?;
    Ok(el.prop("value").await?.unwrap_or_default())
}

pub(crate) async fn text_of(client: &Client, css: &str) -> anyhow::Result<String> {
    let el = client
        .find(Locator::Css(css))
        .await
        .with_context(|| format!("no element {css}"))?;
    Ok(el.text().await?)
}

/// An error shown on the page, if any, so that a refused form says why.
pub(crate) async fn page_error(client: &Client) -> anyhow::Result<Option<String>> {
    let errors = client.find_all(Locator::Css("p.error")).await?;
    match errors.first() {
        Some(e) => Ok(Some(e.text().await?)),
        None => Ok(None),
    }
}

async fn report_round(
    client: &Client,
    base: &str,
    pdf: &Path,
    db: &Path,
) -> anyhow::Result<Vec<u8>> {
    // 1. The reporter opens the list of reports; the current round of the
    // Tân Phong plan opens by itself on this page.
    log_in(client, base, REPORTER).await?;
    client.goto(&format!("{base}/reports")).await?;
    client
        .wait()
        .for_element(Locator::Css("ul.list.reports li a"))
        .await
        .context("no report is due for Phòng Văn hóa - Xã hội")?;
    let mut link = None;
    for li in client.find_all(Locator::Css("ul.list.reports li")).await? {
        let a = li.find(Locator::Css("a")).await?;
        // "Báo cáo tháng 11/2026 — Phòng Văn hóa - Xã hội", then the plan.
        let label = a.text().await?.to_lowercase();
        let text = li.text().await?;
        if label.contains("tháng ")
            && label.contains("văn hóa - xã hội")
            && text.contains("Tân Phong")
        {
            link = Some(a);
            break;
        }
    }
    let link = link.context("no monthly report of Phòng Văn hóa - Xã hội on the Tân Phong plan")?;
    click_and_load(client, &link).await?;
    client
        .wait()
        .for_element(Locator::Css("form.report-form"))
        .await
        .context("the report form is not editable")?;
    fits_the_phone(client, "the report form").await?;
    let report_url = client.current_url().await?;
    ensure!(report_url.path().starts_with("/reports/"), "{report_url}");

    // 2. The first task: status, progress, result; the first target, if
    // any, with a decimal comma.
    let task = client
        .find(Locator::Css("form.report-form section.item[id^='t']"))
        .await
        .context("the report has no task")?;
    let task_id = task
        .attr("id")
        .await?
        .and_then(|id| id.strip_prefix('t').map(str::to_string))
        .context("task section without id")?;
    client
        .find(Locator::Css(&format!("select[name=t{task_id}_status]")))
        .await?
        .select_by_value("in_progress")
        .await?;
    let percent = client
        .find(Locator::Css(&format!("input[name=t{task_id}_percent]")))
        .await?;
    percent.clear().await?;
    percent.send_keys("40").await?;
    let result = client
        .find(Locator::Css(&format!("textarea[name=t{task_id}_result]")))
        .await?;
    result.clear().await?;
    result.send_keys(RESULT_TEXT).await?;
    let targets = client
        .find_all(Locator::Css("form.report-form section.item[id^='g']"))
        .await?;
    let mut target_id = None;
    if let Some(target) = targets.first() {
        let id = target
            .attr("id")
            .await?
            .and_then(|id| id.strip_prefix('g').map(str::to_string))
            .context("target section without id")?;
        let value = client
            .find(Locator::Css(&format!("input[name=g{id}_value]")))
            .await?;
        value.clear().await?;
        value.send_keys(TARGET_VALUE).await?;
        target_id = Some(id);
    } else {
        eprintln!("the report of Phòng Văn hóa - Xã hội has no target: skipping the decimal comma");
    }
    let save = client
        .find(Locator::Css("button[name=action][value=save]"))
        .await?;
    click_and_load(client, &save).await?;
    client
        .wait()
        .for_element(Locator::Css("form.report-form"))
        .await?;
    if let Some(e) = page_error(client).await? {
        anyhow::bail!("saving the draft was refused: {e}");
    }
    ensure!(
        client.current_url().await?.path() == report_url.path(),
        "saving stays on the report"
    );
    let status = value_of(client, &format!("select[name=t{task_id}_status]")).await?;
    ensure!(status == "in_progress", "status after save: {status:?}");
    let percent = value_of(client, &format!("input[name=t{task_id}_percent]")).await?;
    ensure!(percent == "40", "progress after save: {percent:?}");
    let result = value_of(client, &format!("textarea[name=t{task_id}_result]")).await?;
    ensure!(result == RESULT_TEXT, "result after save: {result:?}");
    if let Some(id) = &target_id {
        let value = value_of(client, &format!("input[name=g{id}_value]")).await?;
        ensure!(value == TARGET_VALUE, "target value after save: {value:?}");
    }
    let status = text_of(client, "strong.status").await?;
    ensure!(
        status.contains("Đang soạn"),
        "report status after save: {status:?}"
    );

    // 3. Evidence in the same form: a new result typed and not yet saved,
    //    a small PDF attached to the first task, one press of "save"; both
    //    are kept.
    let result = client
        .find(Locator::Css(&format!("textarea[name=t{task_id}_result]")))
        .await?;
    result.clear().await?;
    result.send_keys(RESULT_WITH_EVIDENCE).await?;
    client
        .find(Locator::Css(&format!(
            "section#t{task_id} details.evidence-add summary"
        )))
        .await
        .context("no evidence block on the first task")?
        .click()
        .await?;
    client
        .find(Locator::Css(&format!(
            "input[type=file][name=t{task_id}_file]"
        )))
        .await?
        .send_keys(pdf.to_str().context("pdf path")?)
        .await?;
    let save = client
        .find(Locator::Css("button[name=action][value=save]"))
        .await?;
    click_and_load(client, &save).await?;
    client
        .wait()
        .for_element(Locator::Css("form.report-form"))
        .await?;
    if let Some(e) = page_error(client).await? {
        anyhow::bail!("the evidence was refused: {e}");
    }
    let evidence = client
        .find(Locator::Css(&format!("section#t{task_id} p.evidence a")))
        .await
        .context("no evidence link on the first task")?;
    let href = evidence.attr("href").await?.unwrap_or_default();
    ensure!(href.starts_with("/evidence/"), "evidence link: {href:?}");
    let label = evidence.text().await?;
    ensure!(label.contains("bien-ban"), "evidence label: {label:?}");
    // What was typed with the upload is there too, and what was saved before.
    let result = value_of(client, &format!("textarea[name=t{task_id}_result]")).await?;
    ensure!(
        result == RESULT_WITH_EVIDENCE,
        "result typed with the upload: {result:?}"
    );
    let status = value_of(client, &format!("select[name=t{task_id}_status]")).await?;
    ensure!(status == "in_progress", "status after upload: {status:?}");
    let flash = text_of(client, "p.flash").await?;
    ensure!(
        flash.contains("1 minh chứng"),
        "the page says what the save did: {flash:?}"
    );

    // 4. Sent: every other item is answered "không phát sinh trong kỳ"
    //    (a report goes only with every item answered).
    for section in client
        .find_all(Locator::Css("form.report-form section.item.unanswered"))
        .await?
    {
        section
            .find(Locator::Css("input[type=checkbox][name$='_none']"))
            .await
            .context("an unanswered item without «Không phát sinh trong kỳ»")?
            .click()
            .await?;
    }
    let submit = client
        .find(Locator::Css("button[name=action][value=submit]"))
        .await?;
    click_and_load(client, &submit).await?;
    client
        .wait()
        .for_element(Locator::Css("strong.status"))
        .await?;
    if let Some(e) = page_error(client).await? {
        anyhow::bail!("sending the report was refused: {e}");
    }
    let status = text_of(client, "strong.status").await?;
    ensure!(
        status.contains("Đã gửi"),
        "report status after submit: {status:?}"
    );
    ensure!(
        client
            .find_all(Locator::Css("form.report-form"))
            .await?
            .is_empty(),
        "a sent report is no longer editable"
    );

    // 5. The commune gives the unit a new task after it reported (the item
    // is on the report, blank); the focal point returns the report with a
    // comment on the task, one on the blank item, and one for the whole.
    let blank_task = add_task_after_sending(db, report_url.path()).await?;
    log_out(client).await?;
    log_in(client, base, FOCAL_POINT).await?;
    client.goto(report_url.as_str()).await?;
    client
        .wait()
        .for_element(Locator::Css("form#review"))
        .await
        .context("the focal point cannot review the sent report")?;
    client
        .find(Locator::Css(&format!(
            "input[form=review][name=c_t{task_id}]"
        )))
        .await?
        .send_keys(ITEM_COMMENT)
        .await?;
    client
        .find(Locator::Css(&format!(
            "input[form=review][name=c_t{blank_task}]"
        )))
        .await
        .context("no comment field on the blank item")?
        .send_keys(BLANK_COMMENT)
        .await?;
    client
        .find(Locator::Css("form#review textarea[name=comment]"))
        .await?
        .send_keys(GENERAL_COMMENT)
        .await?;
    let back = client
        .find(Locator::Css("button[name=decision][value=return]"))
        .await?;
    click_and_load(client, &back).await?;
    if let Some(e) = page_error(client).await? {
        anyhow::bail!("returning the report was refused: {e}");
    }
    let landed = client.current_url().await?;
    ensure!(
        landed.path().starts_with("/rounds/"),
        "after the review: {landed}"
    );
    let row = client
        .wait()
        .for_element(Locator::Css("table.units"))
        .await?
        .text()
        .await?;
    ensure!(
        row.contains("Bị trả lại"),
        "the round shows the returned report: {row}"
    );

    // 6. The reporter sees the comments and may edit again.
    log_out(client).await?;
    log_in(client, base, REPORTER).await?;
    client.goto(report_url.as_str()).await?;
    client
        .wait()
        .for_element(Locator::Css("form.report-form"))
        .await
        .context("a returned report is editable again")?;
    let status = text_of(client, "strong.status").await?;
    ensure!(
        status.contains("Bị trả lại"),
        "status when returned: {status:?}"
    );
    let comment = text_of(client, &format!("section#t{task_id} p.item-comment")).await?;
    ensure!(comment.contains(ITEM_COMMENT), "item comment: {comment:?}");
    let comment = text_of(client, &format!("section#t{blank_task} p.item-comment")).await?;
    ensure!(
        comment.contains(BLANK_COMMENT),
        "the comment on the blank item reaches the unit: {comment:?}"
    );
    let general = text_of(client, "p.review-comment").await?;
    ensure!(
        general.contains(GENERAL_COMMENT),
        "general comment: {general:?}"
    );
    let status = value_of(client, &format!("select[name=t{task_id}_status]")).await?;
    ensure!(status == "in_progress", "status when returned: {status:?}");
    ensure!(
        !client
            .find_all(Locator::Css(&format!("section#t{task_id} p.evidence a")))
            .await?
            .is_empty(),
        "the evidence is still there"
    );

    fits_the_phone(client, "the returned report").await?;
    Ok(client.screenshot().await?)
}

#[tokio::test]
async fn a_unit_reports_on_a_phone_and_the_focal_point_returns_it() {
    let Some(driver_bin) = chromedriver() else {
        return;
    };
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("tempdir");
    let (_server, port) = start_demo(dir.path(), &[]);
    let pdf = dir.path().join(PDF_NAME);
    std::fs::write(
        &pdf,
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
    )
    .expect("write pdf");

    let (_driver, driver_port) = start_chromedriver(driver_bin);
    let client = connect_chromium(driver_port, dir.path(), true).await;
    let base = format!("http://127.0.0.1:{port}");
    let result = report_round(&client, &base, &pdf, &dir.path().join("demo.db")).await;
    if result.is_err() {
        // Say where the browser was, to make a failure readable.
        if let Ok(url) = client.current_url().await {
            eprintln!("browser at {url}");
        }
        if let Ok(body) = client.find(Locator::Css("body")).await
            && let Ok(text) = body.text().await
        {
            eprintln!("page text:\n{text}");
        }
    }
    let _ = client.close().await;
    let png = result.expect("browser steps");
    ensure_png(&png);
    let shot = dir.path().join("returned-report.png");
    std::fs::write(&shot, &png).expect("write screenshot");
    eprintln!(
        "e2e_reporting: passed in {:.1} s ({} KB screenshot, removed with the tempdir)",
        started.elapsed().as_secs_f64(),
        png.len() / 1024
    );
}

fn ensure_png(bytes: &[u8]) {
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "the screenshot is a PNG"
    );
    assert!(bytes.len() > 1000, "the screenshot is not empty");
}
