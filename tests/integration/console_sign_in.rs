//! The console's sign-in limit over HTTP: wrong tokens from one address are
//! limited (429 with Retry-After), and while limited even the right token
//! is refused without being compared. The limiter's own rules (window,
//! bound) are unit tests in `src/console/sign_in_limit.rs`.

use reqwest::StatusCode;

use crate::helpers::console::ConsoleHttp;
use crate::helpers::{ADMIN_TOKEN, spawn_app};

#[tokio::test]
async fn console_sign_in_is_limited_after_five_wrong_tokens_from_one_address() {
    let app = spawn_app().await;
    let addr = app.server.http_addr.expect("http addr");
    let mut console = ConsoleHttp::new(addr);
    for attempt in 1..=5 {
        let refused = console.sign_in("not-the-admin-token-at-all-0000").await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "attempt {attempt}: {refused:?}");
    }
    let limited = console.sign_in("not-the-admin-token-at-all-0000").await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS, "{limited:?}");
    assert!(limited.body.contains("Too many wrong tokens"), "{}", limited.body);
    let retry_after = limited.retry_after.as_deref().expect("a Retry-After header");
    let seconds: u64 = retry_after.parse().expect("Retry-After in seconds");
    assert!((1..=60).contains(&seconds), "{seconds}");

    let right = console.sign_in(ADMIN_TOKEN).await;
    assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS, "no token is compared while limited: {right:?}");
    assert_eq!(console.get("/console/").await.status, StatusCode::SEE_OTHER, "still not signed in");
}

#[tokio::test]
async fn console_sign_in_successes_do_not_count_toward_the_limit() {
    let app = spawn_app().await;
    let addr = app.server.http_addr.expect("http addr");
    for _ in 0..8 {
        let mut console = ConsoleHttp::new(addr);
        let page = console.sign_in(ADMIN_TOKEN).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{page:?}");
    }
    let mut console = ConsoleHttp::new(addr);
    for attempt in 1..=5 {
        let refused = console.sign_in("not-the-admin-token-at-all-0000").await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "attempt {attempt}: {refused:?}");
    }
}
