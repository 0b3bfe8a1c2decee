//! End to end: `theodoi demo` as a real process, a person logging in with
//! headless Chromium, and the plan page showing its tasks.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{ClientBuilder, Locator};

pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

pub fn http_get_status(port: u16, path: &str) -> Option<u16> {
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

pub fn wait_until(what: &str, timeout: Duration, mut ready: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ready() {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

pub fn chromedriver() -> Option<&'static str> {
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

#[tokio::test]
async fn a_person_logs_in_to_the_demo_and_sees_a_plans_tasks() {
    let Some(driver_bin) = chromedriver() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let db = dir.path().join("demo.db");
    let _server = Killed(
        Command::new(env!("CARGO_BIN_EXE_theodoi"))
            .args([
                "demo",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--db",
                db.to_str().expect("path"),
            ])
            .env("THEODOI_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .expect("start theodoi demo"),
    );
    wait_until("the demo server", Duration::from_secs(60), || {
        http_get_status(port, "/healthz") == Some(200)
    });

    let driver_port = free_port();
    let _driver = Killed(
        Command::new(driver_bin)
            .arg(format!("--port={driver_port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    wait_until("chromedriver", Duration::from_secs(20), || {
        TcpStream::connect(("127.0.0.1", driver_port)).is_ok()
    });

    let profile = dir.path().join("chromium-profile");
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=360,800",
                format!("--user-data-dir={}", profile.display()),
            ]
        }),
    );
    let client = ClientBuilder::native()
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{driver_port}"))
        .await
        .expect("connect to chromedriver");
    let base = format!("http://127.0.0.1:{port}");
    let result = async {
        client.goto(&format!("{base}/plans")).await?;
        // Sent to the login page first.
        assert!(client.current_url().await?.path().starts_with("/login"));
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
        let heading = client.find(Locator::Css("h1")).await?.text().await?;
        assert!(
            heading.contains("Tân Phong")
                || heading.contains("chuyển đổi số")
                || !heading.is_empty()
        );
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    let _ = client.close().await;
    result.expect("browser steps");
}
