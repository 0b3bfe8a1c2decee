//! Daily warnings: in the app and by e-mail through a local SMTP sink,
//! escalated to leaders, never sent twice.

use std::sync::{Arc, Mutex};

use axum::http::Method;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use theodoi::notify::{MailConfig, run_daily};

use crate::harness::{TestApp, World, select_texts, task};

/// A minimal SMTP server that accepts every message and keeps the
/// recipients and the data of each.
pub(crate) async fn smtp_sink() -> (u16, Arc<Mutex<Vec<(Vec<String>, String)>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let received = Arc::new(Mutex::new(Vec::new()));
    let store = received.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let store = store.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                let _ = write.write_all(b"220 sink ESMTP\r\n").await;
                let mut rcpt = Vec::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    let upper = line.to_ascii_uppercase();
                    if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                        let _ = write.write_all(b"250-sink\r\n250 8BITMIME\r\n").await;
                    } else if upper.starts_with("MAIL FROM") {
                        rcpt.clear();
                        let _ = write.write_all(b"250 OK\r\n").await;
                    } else if upper.starts_with("RCPT TO") {
                        rcpt.push(line[8..].trim().to_string());
                        let _ = write.write_all(b"250 OK\r\n").await;
                    } else if upper == "DATA" {
                        let _ = write.write_all(b"354 go on\r\n").await;
                        let mut data = String::new();
                        while let Ok(Some(l)) = lines.next_line().await {
                            if l == "." {
                                break;
                            }
                            data.push_str(&l);
                            data.push('\n');
                        }
                        if let Ok(mut s) = store.lock() {
                            s.push((rcpt.clone(), data));
                        }
                        let _ = write.write_all(b"250 queued\r\n").await;
                    } else if upper == "QUIT" {
                        let _ = write.write_all(b"221 bye\r\n").await;
                        break;
                    } else {
                        let _ = write.write_all(b"250 OK\r\n").await;
                    }
                }
            });
        }
    });
    (port, received)
}

#[tokio::test]
async fn warnings_reach_each_person_once_in_the_app_and_by_mail() {
    for app in TestApp::all().await {
        let e = app.engine;
        let store = &app.store;
        let w = World::build(store).await;
        let late = task(
            store,
            w.plan_a1,
            "Ban hành quy chế số hóa hồ sơ",
            &w.vhxh_a1,
            "Tháng 2/2026",
        )
        .await;
        let soon = task(
            store,
            w.plan_a1,
            "Tổng kết quý I",
            &w.vhxh_a1,
            "Tháng 3/2026",
        )
        .await;
        store
            .open_current_rounds(store.clock().today())
            .await
            .expect("rounds");
        // Ten days later: the March reports are late, February's task is
        // overdue, March's is due soon.
        app.clock.advance_ms(10 * 24 * 3_600_000);
        for (user, email) in [
            ("reporter_a1", "vhxh@anphu.test"),
            ("leader_a1", "chutich@anphu.test"),
            ("focal_a1", "daumoi@anphu.test"),
        ] {
            let u = store
                .user_by_username(user)
                .await
                .expect("read")
                .expect("user");
            store.set_email(u.id, Some(email)).await.expect("email");
        }
        let (port, sink) = smtp_sink().await;
        let mail = MailConfig {
            smtp_url: format!("smtp://127.0.0.1:{port}"),
            from: "Theo Dõi <theodoi@localhost>".into(),
        };
        let first = run_daily(store, Some(&mail), 5).await;
        assert!(first.new_notifications >= 5, "{e}: {first:?}");
        assert!(
            first.emailed >= 4 && first.emailed < first.new_notifications,
            "{e}: only people with an address get e-mail: {first:?}"
        );
        let mails = sink.lock().expect("sink").clone();
        assert_eq!(mails.len(), first.emailed);
        for (rcpt, _) in &mails {
            assert!(rcpt.iter().all(|a| a.contains("@anphu.test")), "{rcpt:?}");
        }
        assert!(
            !mails
                .iter()
                .any(|(r, _)| r.iter().any(|a| a.contains("chutich@anphu.test"))),
            "{e}: one reminder of lateness does not reach the leaders"
        );
        // Nothing is sent twice.
        let second = run_daily(store, Some(&mail), 5).await;
        assert_eq!((second.new_notifications, second.emailed), (0, 0), "{e}");
        assert_eq!(sink.lock().expect("sink").len(), mails.len());
        // The reporter's landing page puts the late work first.
        let cookie = app.login_cookie("reporter_a1").await;
        let (_, _, html) = app.page(Method::GET, "/", Some(&cookie), None).await;
        let overdue = select_texts(&html, "ul.overdue li a");
        assert_eq!(overdue, vec!["1. Ban hành quy chế số hóa hồ sơ"], "{e}");
        assert_eq!(
            select_texts(&html, "ul.fill li.late-item").len(),
            1,
            "{e}: the March report is missing"
        );
        // Each thing is said once: the overdue task and the missing report
        // are in their lists, not again among the warnings.
        let notices = select_texts(&html, "ul.notices li");
        assert!(
            !notices
                .iter()
                .any(|n| n.starts_with("Quá hạn") || n.starts_with("Chưa nộp")),
            "{notices:?}"
        );
        assert!(
            notices.iter().any(|n| n.starts_with("Sắp đến hạn")),
            "{notices:?}"
        );
        let _ = (late, soon);
        app.finish().await;
    }
}
