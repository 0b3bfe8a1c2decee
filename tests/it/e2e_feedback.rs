//! End to end in headless Chromium against `theodoi demo`: a citizen sends
//! feedback and follows it with the tracking code; then the commune's
//! focal point answers it and the citizen rates the answer.

use fantoccini::{Client, Locator};

use crate::e2e::{Killed, chromedriver, connect_chromium, start_chromedriver, start_demo};
use crate::feedback::challenge_fields;

type Step<T> = Result<T, fantoccini::error::CmdError>;

struct Browser {
    client: Client,
    base: String,
    _server: Killed,
    _driver: Killed,
    _dir: tempfile::TempDir,
}

async fn start() -> Option<Browser> {
    let driver_bin = chromedriver()?;
    let dir = tempfile::tempdir().expect("tempdir");
    let (server, port) = start_demo(dir.path(), &["THEODOI_DATA_KEY"]);
    let (driver, driver_port) = start_chromedriver(driver_bin);
    let client = connect_chromium(driver_port, dir.path(), false).await;
    Some(Browser {
        client,
        base: format!("http://127.0.0.1:{port}"),
        _server: server,
        _driver: driver,
        _dir: dir,
    })
}

/// Fills the public form as a person on a phone would; returns the code.
async fn send_feedback(b: &Browser, content: &str) -> Step<String> {
    let c = &b.client;
    c.goto(&format!("{}/gop-y", b.base)).await?;
    let mut commune_value = String::new();
    for option in c
        .find_all(Locator::Css("select[name=commune_id] option"))
        .await?
    {
        if option.text().await?.contains("Tân Phong") {
            commune_value = option.attr("value").await?.unwrap_or_default();
        }
    }
    assert!(!commune_value.is_empty(), "Tân Phong is offered");
    c.find(Locator::Css("select[name=commune_id]"))
        .await?
        .select_by_value(&commune_value)
        .await?;
    c.find(Locator::Css("select[name=topic]"))
        .await?
        .select_by_value("digital_transformation")
        .await?;
    c.find(Locator::Css("textarea[name=content]"))
        .await?
        .send_keys(content)
        .await?;
    c.find(Locator::Css("input[name=name]"))
        .await?
        .send_keys("Nguyễn Văn Dân")
        .await?;
    c.find(Locator::Css("input[name=phone]"))
        .await?
        .send_keys("0987654321")
        .await?;
    c.find(Locator::Css("input[name=consent]"))
        .await?
        .click()
        .await?;
    let html = c.source().await?;
    let answer = challenge_fields(&html)[1].1.clone();
    c.find(Locator::Css("input[name=challenge_answer]"))
        .await?
        .send_keys(&answer)
        .await?;
    c.find(Locator::Css("input[name=notice]"))
        .await?
        .click()
        .await?;
    c.find(Locator::Css("form.feedback-form button[type=submit]"))
        .await?
        .click()
        .await?;
    let code = c
        .wait()
        .for_element(Locator::Css("#tracking-code"))
        .await?
        .text()
        .await?;
    Ok(code.trim().to_string())
}

async fn track(b: &Browser, code: &str) -> Step<String> {
    let c = &b.client;
    c.goto(&format!("{}/gop-y/theo-doi", b.base)).await?;
    c.find(Locator::Css("input[name=code]"))
        .await?
        .send_keys(code)
        .await?;
    c.find(Locator::Css("form.search button[type=submit]"))
        .await?
        .click()
        .await?;
    c.wait()
        .for_element(Locator::Css("dl.feedback-status"))
        .await?
        .text()
        .await
}

#[tokio::test]
async fn a_citizen_sends_feedback_and_follows_it_with_the_tracking_code() {
    let Some(b) = start().await else {
        return;
    };
    let result = async {
        let code = send_feedback(
            &b,
            "Đề nghị hướng dẫn người dân cài đặt VNeID tại nhà văn hóa thôn",
        )
        .await?;
        assert_eq!(code.len(), 11, "grouped code: {code}");
        let status = track(&b, &code).await?;
        assert!(status.contains("Đã tiếp nhận"), "{status}");
        assert!(status.contains("Xã Tân Phong"), "{status}");
        assert!(status.contains("VNeID"), "{status}");
        let page = b.client.source().await?;
        assert!(
            !page.contains("Nguyễn Văn Dân"),
            "the tracking page shows no name"
        );
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    let _ = b.client.clone().close().await;
    result.expect("browser steps");
}

#[tokio::test]
async fn a_citizen_rates_the_answer_of_the_commune() {
    let Some(b) = start().await else {
        return;
    };
    let result = async {
        let c = &b.client;
        let code = send_feedback(
            &b,
            "Sóng di động ở thôn Bắc rất yếu, không dùng được dịch vụ công",
        )
        .await?;

        // The focal point of Tân Phong answers.
        c.goto(&format!("{}/login?next=/feedback", b.base)).await?;
        c.find(Locator::Css("input[name=username]"))
            .await?
            .send_keys("tanphong.daumoi")
            .await?;
        c.find(Locator::Css("input[name=password]"))
            .await?
            .send_keys(theodoi::demo::DEMO_PASSWORD)
            .await?;
        c.find(Locator::Css("form button[type=submit]"))
            .await?
            .click()
            .await?;
        c.wait()
            .for_element(Locator::Css("ul.feedback-list li a"))
            .await?
            .click()
            .await?;
        let person = c
            .wait()
            .for_element(Locator::Css("div.person"))
            .await?
            .text()
            .await?;
        assert!(
            person.contains("Nguyễn Văn Dân"),
            "the commune sees the person: {person}"
        );
        c.find(Locator::Css("form.answer-form textarea[name=answer]"))
            .await?
            .send_keys("Xã đã đề nghị nhà mạng lắp thêm trạm phát sóng trong quý II.")
            .await?;
        c.find(Locator::Css("form.answer-form button[type=submit]"))
            .await?
            .click()
            .await?;
        c.wait().for_element(Locator::Css("div.answer")).await?;
        c.find(Locator::Css("form.logout button"))
            .await?
            .click()
            .await?;
        c.wait()
            .for_element(Locator::Css("input[name=username]"))
            .await?;

        // The citizen reads the answer and rates it.
        let status = track(&b, &code).await?;
        assert!(status.contains("Đã trả lời"), "{status}");
        let answer = c.find(Locator::Css("div.answer")).await?.text().await?;
        assert!(answer.contains("trạm phát sóng"), "{answer}");
        c.find(Locator::Css("form.rate-form input[value=yes]"))
            .await?
            .click()
            .await?;
        c.find(Locator::Css("form.rate-form button[type=submit]"))
            .await?
            .click()
            .await?;
        let thanks = c
            .wait()
            .for_element(Locator::Css("p.ok"))
            .await?
            .text()
            .await?;
        assert!(thanks.contains("Cảm ơn"), "{thanks}");
        let page = c.source().await?;
        assert!(page.contains("Bạn đã đánh giá: Hài lòng"));
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    let _ = b.client.clone().close().await;
    result.expect("browser steps");
}
