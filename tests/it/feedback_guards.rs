//! The guards of the public feedback form, on each engine: too many
//! submissions from one address, markup in the text, and every refusal
//! (notice, consent, size, file type, challenge, honeypot, CSRF), each of
//! which must say what is wrong and store nothing.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::feedback::{
    challenge_fields, citizen_fields, feedback_id, solve, submit, visitor, with_contact,
};
use crate::harness::{TestApp, World, post_multipart};

#[tokio::test]
async fn the_rate_limit_trips_after_five_submissions_in_an_hour() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        for n in 0..5 {
            let (s, page, _) = submit(
                &app,
                &citizen_fields(
                    w.commune_a1.id,
                    &format!("Phản ánh số {n} về sóng điện thoại yếu"),
                ),
                &[],
            )
            .await;
            assert_eq!(s, StatusCode::OK, "{e}: submission {n}: {page}");
        }
        let (s, page, code) = submit(
            &app,
            &citizen_fields(w.commune_a1.id, "Phản ánh thứ sáu trong một giờ"),
            &[],
        )
        .await;
        assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{e}");
        assert!(code.is_none());
        assert!(page.contains("quá nhiều yêu cầu"), "{e}: {page}");
        // An hour later the address may write again.
        app.clock.advance_ms(61 * 60 * 1000);
        let (s, _, _) = submit(
            &app,
            &citizen_fields(w.commune_a1.id, "Phản ánh sau một giờ chờ đợi"),
            &[],
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{e}");
        app.finish().await;
    }
}

#[tokio::test]
async fn script_tags_are_stored_and_shown_as_plain_text() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        let attack = "<script>alert('pakn')</script><img src=x onerror=alert(1)> lỗi cổng";
        let (s, page, _) = submit(&app, &citizen_fields(w.commune_a1.id, attack), &[]).await;
        assert_eq!(s, StatusCode::OK, "{e}: {page}");
        let focal = app.login_cookie("focal_a1").await;
        let id = feedback_id(&app, &focal).await;
        let stored = app.store.feedback(id).await.expect("read").expect("row");
        assert_eq!(stored.content, attack, "{e}: stored as typed");
        for path in ["/feedback".to_string(), format!("/feedback/{id}")] {
            let (_, _, html) = app.page(Method::GET, &path, Some(&focal), None).await;
            assert!(
                !html.contains("<script>alert"),
                "{e}: {path} runs no script"
            );
            assert!(!html.contains("<img src=x"), "{e}: {path}");
            assert!(
                html.contains("&lt;script&gt;") || html.contains("&#60;script&#62;"),
                "{e}: shown as text"
            );
        }
        app.finish().await;
    }
}

#[tokio::test]
async fn refusals_say_clearly_what_is_wrong() {
    for app in TestApp::all().await {
        let e = app.engine;
        let w = World::build(&app.store).await;
        // No notice acknowledged.
        let mut fields = citizen_fields(w.commune_a1.id, "Đề nghị lắp thêm trạm phát sóng");
        fields.retain(|(k, _)| *k != "notice");
        let (s, page, code) = submit(&app, &fields, &[]).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert!(code.is_none());
        assert!(
            page.contains("xác nhận thông báo về xử lý dữ liệu cá nhân"),
            "{e}: {page}"
        );
        assert!(
            page.contains("Đề nghị lắp thêm trạm phát sóng"),
            "{e}: the text is kept"
        );
        // Contact without consent.
        let mut fields = with_contact(citizen_fields(
            w.commune_a1.id,
            "Đề nghị lắp thêm trạm phát sóng",
        ));
        fields.retain(|(k, _)| *k != "consent");
        let (s, page, _) = submit(&app, &fields, &[]).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert!(page.contains("đồng ý cho xã lưu thông tin này"), "{e}");
        // Oversized content.
        let long = "Nội dung rất dài. ".repeat(400);
        let (s, page, _) = submit(&app, &citizen_fields(w.commune_a1.id, &long), &[]).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert!(page.contains("Nội dung quá dài: tối đa 5.000 ký tự"), "{e}");
        // An attachment that is not a document or a picture.
        let (s, page, _) = submit(
            &app,
            &citizen_fields(w.commune_a1.id, "Kèm tệp chạy được"),
            &[("virus.exe", b"MZ\x90\x00 not a document")],
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert!(page.contains("Loại tệp không được chấp nhận"), "{e}");
        // A wrong answer to the challenge.
        let (v, html) = visitor(&app).await;
        let mut all = challenge_fields(&html);
        all[1].1 = "1".into();
        all.extend(citizen_fields(
            w.commune_a1.id,
            "Trả lời sai câu hỏi kiểm tra",
        ));
        let (s, page) = post_multipart(
            &app,
            &format!("/gop-y?_csrf={}", v.csrf),
            &v.cookie,
            &all,
            &[],
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert!(
            page.contains("Câu trả lời cho câu hỏi kiểm tra chưa đúng"),
            "{e}"
        );
        // The honeypot filled in, as a script would.
        let mut fields = citizen_fields(w.commune_a1.id, "Tôi là một chương trình tự động");
        fields.push(("website", "http://spam.example".into()));
        let (s, _, code) = submit(&app, &fields, &[]).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert!(code.is_none());
        // Without the form's cookie the post is refused.
        let (s, _) = post_multipart(
            &app,
            "/gop-y?_csrf=abc",
            "",
            &citizen_fields(w.commune_a1.id, "Không có cookie"),
            &[],
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
        // Nothing above was stored.
        let (_, list) = app
            .api(
                Method::GET,
                "/api/feedback",
                Some(&app.login_token("focal_a1").await),
                None,
            )
            .await;
        assert_eq!(list.as_array().map(Vec::len), Some(0), "{e}: {list}");
        // The API refuses the same way.
        let (_, ch) = app
            .api(Method::GET, "/api/public/challenge", None, None)
            .await;
        let (s, body) = app
            .api(
                Method::POST,
                "/api/public/feedback",
                None,
                Some(json!({
                    "commune_id": w.commune_a1.id, "topic": "other",
                    "content": "Không xác nhận thông báo", "challenge_token": ch["token"],
                    "challenge_answer": solve(&format!("kiểm tra: {}", ch["question"].as_str().unwrap_or(""))),
                })),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap_or("")
                .contains("thông báo"),
            "{e}: {body}"
        );
        app.finish().await;
    }
}
