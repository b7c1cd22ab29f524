//! Login: argon2id, throttling per account and address, lock-out and release logged.

use crate::harness::*;
use serde_json::json;
use skyndsam_store::security::SecurityKind;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_failures_lock_the_account_and_the_release_is_logged() {
    let t = TestApp::spawn().await;
    let wrong = json!({"username": "hanna", "password": "fel lösenord igen"});
    for _ in 0..5 {
        let r = t.post(None, "/api/auth/login", &wrong).await;
        assert_eq!((r.status, r.code()), (401, "LOGIN_FAILED"));
        assert_eq!(r.json["message"], "Fel användarnamn eller lösenord.");
    }
    // Locked: even the right password is refused for 15 minutes.
    let right = json!({"username": "hanna", "password": PASSWORD});
    let locked = t.post(None, "/api/auth/login", &right).await;
    assert_eq!((locked.status, locked.code()), (429, "LOGIN_LOCKED"));
    // Another account from the same address is not locked.
    assert_eq!(t.post(None, "/api/auth/login", &json!({"username": "tove", "password": PASSWORD})).await.status, 200);
    t.clock.advance(chrono::Duration::minutes(16));
    assert_eq!(t.post(None, "/api/auth/login", &right).await.status, 200);

    let log: Vec<_> = t.security_log().into_iter().map(|r| r.entry).collect();
    let of = |k: SecurityKind| log.iter().filter(|e| e.kind == k && e.username.as_deref() == Some("hanna")).count();
    assert_eq!(of(SecurityKind::LoginFailed), 6);
    assert_eq!(of(SecurityKind::AccountLocked), 1);
    assert_eq!(of(SecurityKind::AccountUnlocked), 1);
    assert!(of(SecurityKind::LoginSucceeded) >= 1);
    assert!(log.iter().all(|e| !e.detail.contains(PASSWORD) && !e.detail.contains("fel lösenord")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_address_guessing_many_accounts_is_throttled() {
    let t = TestApp::spawn().await;
    for i in 0..20 {
        let r = t
            .post(None, "/api/auth/login", &json!({"username": format!("gissning{i}"), "password": "hunter2hunter2"}))
            .await;
        assert_eq!(r.status, 401);
    }
    let r = t.post(None, "/api/auth/login", &json!({"username": "hanna", "password": PASSWORD})).await;
    assert_eq!((r.status, r.code()), (429, "LOGIN_LOCKED"));
    assert!(t.security_log().iter().any(|r| r.entry.kind == SecurityKind::AddressThrottled));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passwords_are_argon2id_and_roles_are_chosen_at_login() {
    let t = TestApp::spawn().await;
    let a = t.app.auth.account("hanna").unwrap();
    let hash = a.password_hash.unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains(PASSWORD));
    // A role the user does not hold is refused; the one they hold is taken.
    let r = t
        .post(None, "/api/auth/login", &json!({"username": "hanna", "password": PASSWORD, "role": "unit_manager"}))
        .await;
    assert_eq!((r.status, r.code()), (403, "NO_ROLE"));
    let ok =
        t.post(None, "/api/auth/login", &json!({"username": "hanna", "password": PASSWORD, "role": "handler"})).await;
    assert_eq!(ok.status, 200);
    let me = t.get(Some(ok.json["token"].as_str().unwrap()), "/api/me").await;
    assert_eq!(me.json["acting"]["role"], "handler");
    assert_eq!(me.json["acting"]["unit"], "utredning-1-team");
    // Too short a password is refused when an account is made.
    let short = t.app.auth.add_account(
        &t.app.security,
        "ny",
        skyndsam_domain::ids::StaffId::parse("hanna").unwrap(),
        "kort",
        t.clock.now_utc(),
        "test",
    );
    assert_eq!(short.unwrap_err().code, "INVALID_INPUT");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_works_on_postgresql() {
    let Some(t) = TestApp::spawn_postgres().await else { return };
    let hanna = t.login("hanna").await;
    let r = t.get(Some(&hanna), &format!("/api/cases/{}", Target::OwnUnit.case())).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json["child"]["name"], "Elsa Exempelsson");
    let masked = t.get(Some(&hanna), &format!("/api/cases/{}", Target::Protected.case())).await;
    assert_eq!(masked.json["child"]["name"], "Skyddad identitet");
    let ulf = t.login("ulf").await;
    let log = t.get(Some(&ulf), "/api/access-log?staff=hanna").await;
    assert_eq!(log.json.as_array().unwrap().len(), 2, "{}", log.body);
}

/// A login attempt from `client` as the reverse proxy forwards it.
async fn login_via(t: &TestApp, forwarded_for: &str, username: &str, password: &str) -> u16 {
    t.client
        .post(format!("{}/api/auth/login", t.base))
        .header("x-forwarded-for", forwarded_for)
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Behind the municipality's reverse proxy every connection comes from the proxy. With the
/// proxy trusted (`serve --trusted-proxy`), the client's address from X-Forwarded-For is
/// throttled and logged: one guessing address is locked out, the colleagues behind the
/// same proxy are not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_trusted_proxy_the_guessing_client_is_throttled_not_everyone() {
    let t = TestApp::spawn_behind_proxy(vec!["127.0.0.1/32".parse().unwrap()]).await;
    for i in 0..20 {
        assert_eq!(login_via(&t, "203.0.113.9", &format!("gissning{i}"), "hunter2hunter2").await, 401);
    }
    assert_eq!(login_via(&t, "203.0.113.9", "hanna", PASSWORD).await, 429, "the guessing address is throttled");
    // Its own claim on the left of the header does not free it.
    assert_eq!(login_via(&t, "198.51.100.4, 203.0.113.9", "hanna", PASSWORD).await, 429);
    assert_eq!(login_via(&t, "198.51.100.4", "hanna", PASSWORD).await, 200, "a colleague is not");
    let log = t.security_log();
    let throttled: Vec<_> = log.iter().filter(|r| r.entry.kind == SecurityKind::AddressThrottled).collect();
    assert!(!throttled.is_empty());
    assert!(throttled.iter().all(|r| r.entry.address.as_deref() == Some("203.0.113.9")), "{throttled:?}");
    let ok = log.iter().rfind(|r| r.entry.kind == SecurityKind::LoginSucceeded).unwrap();
    assert_eq!(ok.entry.address.as_deref(), Some("198.51.100.4"));
}

/// Without a trusted proxy the header is ignored: a guesser cannot escape the throttle by
/// claiming a new address with each attempt.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_trusted_proxy_x_forwarded_for_is_ignored() {
    let t = TestApp::spawn().await;
    for i in 0..20 {
        assert_eq!(login_via(&t, &format!("203.0.113.{i}"), &format!("gissning{i}"), "hunter2hunter2").await, 401);
    }
    assert_eq!(login_via(&t, "198.51.100.4", "hanna", PASSWORD).await, 429);
    let log = t.security_log();
    assert!(log.iter().all(|r| r.entry.address.as_deref().is_none_or(|a| a == "127.0.0.1")), "only the peer");
}
