//! Response headers that every page and API answer carries: a strict
//! Content-Security-Policy (the site runs no script at all), no MIME
//! sniffing, no framing, a narrow referrer, and HSTS over HTTPS.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, SET_COOKIE, STRICT_TRANSPORT_SECURITY,
    X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::middleware::Next;
use axum::response::Response;

pub const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; \
    form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// A server error never hands out a session: whatever went wrong after a
/// session was opened, the browser is not left signed in by a 500.
fn drop_session_cookies(res: &mut Response) {
    let prefix = format!("{}=", super::session::SESSION_COOKIE);
    let kept: Vec<HeaderValue> = res
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter(|v| !v.to_str().is_ok_and(|s| s.starts_with(&prefix)))
        .cloned()
        .collect();
    res.headers_mut().remove(SET_COOKIE);
    for v in kept {
        res.headers_mut().append(SET_COOKIE, v);
    }
}

pub async fn headers(secure: bool, req: Request, next: Next) -> Response {
    let is_static = req.uri().path().starts_with("/static/");
    let mut res = next.run(req).await;
    if res.status().is_server_error() {
        drop_session_cookies(&mut res);
    }
    let h = res.headers_mut();
    h.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if !is_static && !h.contains_key(CACHE_CONTROL) {
        // Pages hold personal and unpublished data: never keep them in a
        // shared cache or the browser's back-forward store.
        h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if secure {
        h.insert(
            STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    res
}

#[cfg(test)]
mod session_cookie_tests {
    use super::*;

    #[test]
    fn a_server_error_carries_no_session_cookie() {
        let mut res = Response::new(axum::body::Body::empty());
        for c in ["theodoi_session=abc; Path=/", "theodoi_flash=ok; Path=/"] {
            res.headers_mut()
                .append(SET_COOKIE, HeaderValue::from_static(c));
        }
        drop_session_cookies(&mut res);
        let left: Vec<_> = res.headers().get_all(SET_COOKIE).iter().collect();
        assert_eq!(
            left,
            vec![HeaderValue::from_static("theodoi_flash=ok; Path=/")]
        );
    }
}
