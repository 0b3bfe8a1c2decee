//! Any bytes posted as a url-encoded form must come back as fields, a
//! `BadRequest` (unreadable) or an `Invalid` (a control character or an
//! over-long value, refused at the boundary), and every accessor the pages
//! use must answer without a panic: forms are the first thing an attacker
//! reaches.
#![no_main]

use libfuzzer_sys::fuzz_target;
use theodoi::web::error::AppError;
use theodoi::web::forms::{FormPairs, parse_date};

fuzz_target!(|data: &[u8]| {
    let form = match FormPairs::parse(data) {
        Ok(f) => f,
        Err(e) => {
            assert!(
                matches!(e, AppError::BadRequest(_) | AppError::Invalid(_)),
                "{e:?}"
            );
            return;
        }
    };
    let mut names: Vec<String> = form.0.iter().map(|(k, _)| k.clone()).collect();
    names.extend(["_csrf", "version", "title", "missing"].map(String::from));
    for name in &names {
        let _ = form.checked(name);
        let raw = form.raw(name);
        let text = form.text(name);
        assert_eq!(text, text.trim());
        assert!(raw.contains(&text) || raw.is_empty());
        if let Some(v) = form.optional(name) {
            assert!(!v.is_empty());
        }
        assert!(form.all(name).iter().all(|v| !v.is_empty()));
        assert!(form.lines(name).iter().all(|l| !l.is_empty() && !l.contains('\n')));
        let _ = form.ids(name, "x");
        let _ = form.id(name, "x");
        if let Ok(Some(day)) = form.day(name, "x") {
            assert!((1..=31).contains(&day), "day {day}");
        }
        let _ = form.date(name, "x");
        let _ = parse_date(&raw, "x");
    }
    let _ = form.version();
});
