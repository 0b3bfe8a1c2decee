//! End to end: `theodoi demo` as a real process, a person logging in with
//! headless Chromium, and the plan page showing its tasks.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use fantoccini::{Client, ClientBuilder, Locator};

pub(crate) struct Killed(pub(crate) Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

pub(crate) fn http_get_status(port: u16, path: &str) -> Option<u16> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut buf = String::new();
    s.read_to_string(&mut buf).ok()?;
    buf.split_whitespace().nth(1)?.parse().ok()
}

pub(crate) fn wait_until(what: &str, timeout: Duration, mut ready: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ready() {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

pub(crate) fn chromedriver() -> Option<&'static str> {
    let found = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists());
    if found.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but chromedriver is missing (apt-get install chromium chromium-driver)"
        );
        eprintln!(
            "chromedriver not installed: the browser test is skipped (install chromium chromium-driver)"
        );
    }
    found
}

/// `theodoi demo` on a free port with its database in `dir`, once it
/// answers `/healthz`; `env_remove` names variables it must not inherit.
pub(crate) fn start_demo(dir: &Path, env_remove: &[&str]) -> (Killed, u16) {
    start_demo_with(dir, env_remove, &[])
}

/// [`start_demo`] with settings of its own, as environment variables.
pub(crate) fn start_demo_with(
    dir: &Path,
    env_remove: &[&str],
    env_set: &[(&str, &str)],
) -> (Killed, u16) {
    let port = free_port();
    let db = dir.join("demo.db");
    let mut command = Command::new(env!("CARGO_BIN_EXE_theodoi"));
    command
        .args([
            "demo",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--db",
            db.to_str().expect("path"),
        ])
        .env("THEODOI_LOG", "warn");
    for name in env_remove {
        command.env_remove(name);
    }
    for (name, value) in env_set {
        command.env(name, value);
    }
    let server = Killed(
        command
            .stdout(Stdio::null())
            .spawn()
            .expect("start theodoi demo"),
    );
    wait_until("the demo server", Duration::from_secs(60), || {
        http_get_status(port, "/healthz") == Some(200)
    });
    (server, port)
}

/// chromedriver on a free port, once it takes connections.
pub(crate) fn start_chromedriver(driver_bin: &str) -> (Killed, u16) {
    let port = free_port();
    let driver = Killed(
        Command::new(driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    wait_until("chromedriver", Duration::from_secs(20), || {
        TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    (driver, port)
}

/// Headless Chromium through the driver, with a fresh profile in `dir`.
/// With `phone_viewport`, the page is laid out 360 px wide: Chromium keeps
/// a window at least 500 px wide whatever `--window-size` says, so a
/// phone's viewport has to come from mobile emulation.
pub(crate) async fn connect_chromium(driver_port: u16, dir: &Path, phone_viewport: bool) -> Client {
    let profile = dir.join("chromium-profile");
    let mut options = serde_json::json!({
        "binary": "/usr/bin/chromium",
        "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--window-size=360,800",
            format!("--user-data-dir={}", profile.display()),
        ]
    });
    if phone_viewport {
        options["mobileEmulation"] = serde_json::json!({
            "deviceMetrics": { "width": 360, "height": 800, "pixelRatio": 1.0 }
        });
    }
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".into(), options);
    ClientBuilder::native()
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{driver_port}"))
        .await
        .expect("connect to chromedriver")
}

/// The page fits the phone's 360 px: nothing to scroll sideways.
pub(crate) async fn fits_the_phone(client: &Client, what: &str) -> anyhow::Result<()> {
    let widths = client
        .execute(
            "return [window.innerWidth, document.documentElement.scrollWidth];",
            vec![],
        )
        .await?;
    let viewport = widths[0].as_i64().context("window.innerWidth")?;
    let content = widths[1].as_i64().context("scrollWidth")?;
    ensure!(viewport == 360, "the viewport is not a phone's: {widths}");
    ensure!(
        content <= viewport,
        "{what} scrolls sideways on a phone: {widths}"
    );
    Ok(())
}

#[tokio::test]
async fn a_person_logs_in_to_the_demo_and_sees_a_plans_tasks() {
    let Some(driver_bin) = chromedriver() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let (_server, port) = start_demo(dir.path(), &[]);
    let (_driver, driver_port) = start_chromedriver(driver_bin);
    let client = connect_chromium(driver_port, dir.path(), true).await;
    let base = format!("http://127.0.0.1:{port}");
    let result = async {
        client.goto(&format!("{base}/plans")).await?;
        // Sent to the login page first.
        assert!(client.current_url().await?.path().starts_with("/login"));
        fits_the_phone(&client, "the login page").await?;
        client
            .find(Locator::Css("input[name=username]"))
            .await?
            .send_keys("tanphong.vhxh")
            .await?;
        client
            .find(Locator::Css("input[name=password]"))
            .await?
            .send_keys(theodoi::demo::DEMO_PASSWORD)
            .await?;
        client
            .find(Locator::Css("form button[type=submit]"))
            .await?
            .click()
            .await?;
        // Back on the plan list, which holds only Tân Phong's plan.
        let link = client
            .wait()
            .for_element(Locator::Css("ul.list li a"))
            .await?;
        let title = link.text().await?;
        assert!(title.contains("Tân Phong"), "{title}");
        fits_the_phone(&client, "the plan list").await?;
        link.click().await?;
        client
            .wait()
            .for_element(Locator::Css("table.tasks"))
            .await?;
        let rows = client.find_all(Locator::Css("table.tasks tr.task")).await?;
        assert!(
            rows.len() >= 15,
            "the plan page lists its tasks ({} rows)",
            rows.len()
        );
        let first = rows[0].text().await?;
        assert!(!first.trim().is_empty());
        fits_the_phone(&client, "the plan's tasks").await?;
        let heading = client.find(Locator::Css("h1")).await?.text().await?;
        assert!(
            heading.contains("Tân Phong")
                || heading.contains("chuyển đổi số")
                || !heading.is_empty()
        );
        Ok::<(), anyhow::Error>(())
    }
    .await;
    let _ = client.close().await;
    result.expect("browser steps");
}
