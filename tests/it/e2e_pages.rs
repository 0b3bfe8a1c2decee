//! Each role's day in headless Chromium, on a phone (360 px) and at a desk
//! (1280 px): every demo role signs in and visits its main pages. No page
//! scrolls sideways; chart text is 11–16 CSS px and every text of a chart
//! lies inside its SVG; the home page lists the to-dos; every page says
//! `lang="vi"` and has a title; each page with its stylesheet weighs under
//! 30 KB as sent (gzip). Screenshots go to `target/screenshots/`, the
//! weights to `target/tmp/page-weights.txt`.

use std::path::Path;

use anyhow::{Context, ensure};
use fantoccini::{Client, ClientBuilder, Locator};

use crate::e2e::{chromedriver, start_chromedriver, start_demo};
use crate::e2e_reporting::{click_and_load, log_out};

/// A page may weigh this much as sent, with its stylesheet.
const MAX_COMPRESSED: u64 = 30 * 1024;

/// Chromium laid out `width` px wide (a phone through mobile emulation,
/// since a window is never narrower than 500 px) and tall enough for a
/// screenshot to show most of a page.
async fn connect(driver_port: u16, dir: &Path, width: u32) -> Client {
    let profile = dir.join(format!("profile-{width}"));
    let mut options = serde_json::json!({
        "binary": "/usr/bin/chromium",
        "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--hide-scrollbars",
            format!("--window-size={width},2400"),
            format!("--user-data-dir={}", profile.display()),
        ]
    });
    if width < 500 {
        options["mobileEmulation"] = serde_json::json!({
            "deviceMetrics": { "width": width, "height": 2400, "pixelRatio": 1.0 }
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

/// What the page checks find, computed in the page.
const CHECKS: &str = r#"
const out = { lang: document.documentElement.lang, title: document.title,
  inner: window.innerWidth, scroll: document.documentElement.scrollWidth,
  fonts: [], clipped: [], transfer: 0 };
for (const svg of document.querySelectorAll('svg')) {
  if (!svg.querySelector('text')) continue;
  const box = svg.getBoundingClientRect();
  const vb = svg.viewBox && svg.viewBox.baseVal;
  const scale = vb && vb.width ? box.width / vb.width : 1;
  for (const t of svg.querySelectorAll('text')) {
    const size = parseFloat(getComputedStyle(t).fontSize) * scale;
    out.fonts.push(size);
    const r = t.getBoundingClientRect();
    if (r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5) {
      out.clipped.push(t.textContent + ' ' + JSON.stringify([r.left, r.right, box.left, box.right]));
    }
  }
}
for (const e of performance.getEntries()) {
  if (e.transferSize) out.transfer += e.transferSize;
}
return out;
"#;

struct Visit<'a> {
    role: &'a str,
    name: &'a str,
    width: u32,
}

/// Checks the page now shown and saves its screenshot; returns the bytes
/// the page and its stylesheet took to send.
async fn check_page(client: &Client, v: &Visit<'_>) -> anyhow::Result<u64> {
    client.wait().for_element(Locator::Css("main")).await?;
    let what = format!("{} {} at {} px", v.role, v.name, v.width);
    let shot = client.screenshot().await?;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir)?;
    std::fs::write(
        dir.join(format!("{}-{}-{}.png", v.role, v.name, v.width)),
        shot,
    )?;
    let r = client.execute(CHECKS, vec![]).await?;
    ensure!(r["lang"] == "vi", "{what}: lang is {}", r["lang"]);
    let title = r["title"].as_str().unwrap_or_default();
    ensure!(
        title.contains("Theo Dõi") && title.len() > 12,
        "{what}: title {title:?}"
    );
    let (inner, scroll) = (r["inner"].as_i64(), r["scroll"].as_i64());
    ensure!(
        inner == Some(i64::from(v.width)),
        "{what}: viewport {inner:?}"
    );
    ensure!(
        scroll <= inner,
        "{what} scrolls sideways: {scroll:?} > {inner:?}"
    );
    for size in r["fonts"].as_array().context("fonts")? {
        let size = size.as_f64().unwrap_or_default();
        ensure!(
            (11.0..=16.0).contains(&size),
            "{what}: chart text {size:.1} px"
        );
    }
    let clipped = r["clipped"].as_array().context("clipped")?;
    ensure!(
        clipped.is_empty(),
        "{what}: chart text clipped: {clipped:?}"
    );
    Ok(r["transfer"].as_u64().unwrap_or_default())
}

/// The role's main pages, after the home page: (name, path).
fn pages_of(role: &str) -> Vec<(&'static str, String)> {
    let mut pages = vec![
        ("dashboard", "/dashboard".to_string()),
        ("plans", "/plans".to_string()),
        ("tasks", "/tasks".to_string()),
        ("reports", "/reports".to_string()),
    ];
    if role.ends_with("quantri") {
        pages.push(("audit", "/admin/audit".to_string()));
        pages.push(("users", "/admin/users".to_string()));
        pages.push(("enrol", "/enrol".to_string()));
    }
    pages
}

/// Follows the first link matching `css` on the page at `from`, if any.
async fn first_link(client: &Client, base: &str, from: &str, css: &str) -> Option<String> {
    client.goto(&format!("{base}{from}")).await.ok()?;
    let a = client.find(Locator::Css(css)).await.ok()?;
    a.attr("href").await.ok().flatten()
}

/// An administrator's second factor: the secret read while enrolling and
/// the last step used (a code is taken once).
#[derive(Default)]
struct Authenticator {
    secret: Option<Vec<u8>>,
    last_step: i64,
}

/// Signs in with the demo password, and with a code when asked for one
/// (enrolling the first time, as an administrator must).
async fn sign_in(
    client: &Client,
    base: &str,
    username: &str,
    app: &mut Authenticator,
) -> anyhow::Result<()> {
    use theodoi::auth::totp;
    client.goto(&format!("{base}/login")).await?;
    let name = client
        .wait()
        .for_element(Locator::Css("input[name=username]"))
        .await?;
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
    if let Ok(code) = client.find(Locator::Css("input[name=code]")).await {
        if let Ok(secret) = client.find(Locator::Css("code.secret")).await {
            let text: String = secret.text().await?.split_whitespace().collect();
            app.secret = totp::base32_decode(&text);
        }
        let secret = app.secret.clone().context("no second-factor secret")?;
        let now = chrono::Utc::now().timestamp_millis();
        let step = totp::step_at(now).max(app.last_step + 1);
        app.last_step = step;
        code.send_keys(&totp::code_at_step(&secret, step)).await?;
        let button = client
            .find(Locator::Css("form button[type=submit]"))
            .await?;
        click_and_load(client, &button).await?;
    }
    client
        .wait()
        .for_element(Locator::Css("form.logout .who"))
        .await
        .with_context(|| format!("{username} is not signed in"))?;
    Ok(())
}

async fn a_role_at(
    client: &Client,
    base: &str,
    role: &str,
    width: u32,
    app: &mut Authenticator,
    problems: &mut Vec<String>,
) -> anyhow::Result<Vec<String>> {
    let mut weights = Vec::new();
    sign_in(client, base, role, app).await?;
    client.goto(&format!("{base}/")).await?;
    let home = Visit {
        role,
        name: "home",
        width,
    };
    let sent = check_page(client, &home).await?;
    ensure!(sent < MAX_COMPRESSED, "{role} home: {sent} bytes sent");
    weights.push(format!("{role} home {width}px: {sent} B"));
    let heading = client
        .find(Locator::Css("section.todo-list h2"))
        .await
        .with_context(|| format!("{role}: no to-do list on the home page"))?
        .text()
        .await?;
    ensure!(heading == "Việc cần làm", "{role}: {heading}");
    let mut pages = pages_of(role);
    if let Some(plan) = first_link(client, base, "/plans", "ul.list li a").await {
        pages.push(("plan", plan));
    }
    if let Some(task) = first_link(client, base, "/tasks", "ul.list li a").await {
        pages.push(("task", task));
    }
    if role.ends_with("quantri")
        && let Some(user) = first_link(client, base, "/admin/users", "table.users a").await
    {
        pages.push(("user", user));
    }
    pages.push(("public", "/cong-khai".to_string()));
    if let Some(commune) = first_link(client, base, "/cong-khai", "ul.communes li a").await {
        pages.push(("commune", commune));
    }
    for (name, path) in pages {
        client.goto(&format!("{base}{path}")).await?;
        match check_page(client, &Visit { role, name, width }).await {
            Ok(sent) if sent < MAX_COMPRESSED => {
                weights.push(format!("{role} {name} {width}px: {sent} B"));
            }
            Ok(sent) => problems.push(format!("{role} {name}: {sent} B sent")),
            Err(e) => problems.push(e.to_string()),
        }
    }
    log_out(client).await?;
    Ok(weights)
}

const ROLES: [&str; 8] = [
    "tanphong.vhxh",
    "tanphong.congan",
    "tanphong.daumoi",
    "tanphong.lanhdao",
    "tanphong.xem",
    "tanphong.quantri",
    "tinh.daumoi",
    "tinh.lanhdao",
];

#[tokio::test]
async fn every_role_visits_its_pages_on_a_phone_and_at_a_desk() {
    let Some(driver_bin) = chromedriver() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let (_server, port) = start_demo(dir.path(), &[]);
    let (_driver, driver_port) = start_chromedriver(driver_bin);
    let base = format!("http://127.0.0.1:{port}");
    let mut weights = Vec::new();
    let mut app = Authenticator::default();
    let mut problems = Vec::new();
    for width in [360, 1280] {
        let client = connect(driver_port, dir.path(), width).await;
        let mut result = Ok(());
        for role in ROLES {
            match a_role_at(&client, &base, role, width, &mut app, &mut problems).await {
                Ok(w) => weights.extend(w),
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        let _ = client.close().await;
        result.expect("browser steps");
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/tmp");
    std::fs::create_dir_all(&out).expect("target/tmp");
    std::fs::write(out.join("page-weights.txt"), weights.join("\n")).expect("weights");
}
