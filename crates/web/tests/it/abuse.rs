//! Bad input and abuse: each a clear refusal (stable code, Swedish message, field), logged,
//! with nothing written.

use crate::harness::*;
use serde_json::json;
use skyndsam_store::security::SecurityKind;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_bodies_are_refused_with_nothing_written() {
    let t = TestApp::spawn().await;
    let tove = t.login("tove").await;
    let case = Target::OwnUnit.case();
    let path = format!("/api/cases/{case}/triage");
    let before = t.journal_count();

    let malformed = t.raw(&tove, &path, "application/json", b"{\"expected_version\": 2, \"data\": {".to_vec()).await;
    assert_eq!((malformed.status, malformed.code()), (400, "INVALID_JSON"));
    assert!(malformed.json["message"].as_str().unwrap().contains("JSON"));
    assert!(!malformed.json["correlation_id"].as_str().unwrap().is_empty());

    let wrong_type = t.post(Some(&tove), &path, &json!({"expected_version": "två", "data": {"colour": "red"}})).await;
    assert_eq!((wrong_type.status, wrong_type.code()), (422, "INVALID_INPUT"));
    assert_eq!(wrong_type.json["field"], "expected_version");
    assert_eq!(wrong_type.json["message"], "Fältet har fel typ.");

    let unknown =
        t.post(Some(&tove), &path, &json!({"expected_version": 2, "data": {"colour": "red", "färg": "röd"}})).await;
    assert_eq!((unknown.status, unknown.code()), (422, "INVALID_INPUT"));
    assert!(unknown.json["message"].as_str().unwrap().starts_with("Okänt fält \"färg\""));

    let bad_enum = t.post(Some(&tove), &path, &json!({"expected_version": 2, "data": {"colour": "purple"}})).await;
    assert_eq!((bad_enum.status, bad_enum.code()), (422, "INVALID_INPUT"));
    assert_eq!(bad_enum.json["field"], "data.colour");

    let missing = t.post(Some(&tove), &path, &json!({"data": {"colour": "red"}})).await;
    assert_eq!((missing.status, missing.code()), (422, "INVALID_INPUT"));
    assert_eq!(missing.json["field"], "expected_version");

    let big = vec![b' '; 300 * 1024];
    let too_large = t.raw(&tove, &path, "application/json", big).await;
    assert_eq!((too_large.status, too_large.code()), (413, "PAYLOAD_TOO_LARGE"));

    let not_json = t.raw(&tove, &path, "text/plain", b"colour=red".to_vec()).await;
    assert_eq!((not_json.status, not_json.code()), (415, "UNSUPPORTED_MEDIA_TYPE"));

    // A personnummer with a wrong check digit: the domain's code, and the value is never echoed.
    let rita = t.login("rita").await;
    let pnr =
        t.post(Some(&rita), "/api/persons", &json!({"name": "Test Testsson", "id_number": "20150102-2467"})).await;
    assert_eq!((pnr.status, pnr.code()), (422, "PNR_CHECKSUM"));
    assert!(!pnr.body.contains("20150102"), "the refused value was echoed: {}", pnr.body);

    // A stale version: 409 with the current one.
    let stale = t.post(Some(&tove), &path, &json!({"expected_version": 1, "data": {"colour": "red"}})).await;
    assert_eq!((stale.status, stale.code()), (409, "CONFLICT"));
    assert_eq!(stale.json["current_version"], 2);

    // Ids: malformed, unknown and out of scope are answered alike.
    let hanna = t.login("hanna").await;
    let a = t.get(Some(&hanna), "/api/cases/inte-ett-id").await;
    let b = t.get(Some(&hanna), &format!("/api/cases/{}", uuid::Uuid::new_v4())).await;
    let c = t.get(Some(&hanna), &format!("/api/cases/{}", Target::OtherUnit.case())).await;
    for r in [&a, &b, &c] {
        assert_eq!((r.status, r.code()), (404, "NOT_FOUND"));
        assert_eq!(r.json["message"], a.json["message"]);
    }
    assert_eq!(t.journal_count(), before, "a refused request wrote to the journal");

    // The right version goes through.
    let entry = format!("/api/cases/{case}/entry");
    let ok = t
        .post(
            Some(&tove),
            &entry,
            &json!({"expected_version": 2, "data": {"heading": "Samtal", "text": "Samtal med skolan."}}),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.json["version"], 3);
    assert_eq!(t.journal_count(), before + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_revoked_and_unknown_tokens_are_refused_and_logged() {
    let t = TestApp::spawn().await;
    let hanna = t.login("hanna").await;
    let case = format!("/api/cases/{}", Target::OwnUnit.case());
    assert_eq!(t.get(Some(&hanna), &case).await.status, 200);

    let unknown = t.get(Some("sks_00000000000000000000000000000000000000000000000000000000deadbeef"), &case).await;
    assert_eq!((unknown.status, unknown.code()), (401, "UNAUTHENTICATED"));
    let none = t.get(None, &case).await;
    assert_eq!((none.status, none.code()), (401, "UNAUTHENTICATED"));

    // Logged out: the token replayed afterwards is refused.
    let tove = t.login("tove").await;
    assert_eq!(t.post(Some(&tove), "/api/auth/logout", &json!({})).await.status, 204);
    let replay = t.get(Some(&tove), "/api/me").await;
    assert_eq!((replay.status, replay.code()), (401, "UNAUTHENTICATED"));

    // Expired: the session lasts the rule table's 10 hours.
    t.clock.advance(chrono::Duration::hours(11));
    let expired = t.get(Some(&hanna), &case).await;
    assert_eq!((expired.status, expired.code()), (401, "UNAUTHENTICATED"));

    let refusals: Vec<_> =
        t.security_log().into_iter().filter(|r| r.entry.kind == SecurityKind::TokenRefused).map(|r| r.entry).collect();
    assert!(refusals.iter().any(|e| e.detail.starts_with("okänd")));
    assert!(refusals.iter().any(|e| e.detail.starts_with("återkallad") && e.username.as_deref() == Some("tove")));
    assert!(refusals.iter().any(|e| e.detail.starts_with("utgången") && e.username.as_deref() == Some("hanna")));
    // The secret itself is never logged.
    let all = serde_json::to_string(&t.security_log()).unwrap();
    assert!(!all.contains(&hanna) && !all.contains(&tove));
    let logs = String::from_utf8_lossy(&captured_logs().lock().unwrap()).into_owned();
    assert!(!logs.contains(&hanna) && !logs.contains(&tove), "a token secret in the server log");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn integration_tokens_are_scoped_expiring_and_revocable() {
    let t = TestApp::spawn().await;
    let sam = t.login("sam").await;
    let now = t.clock.now_utc();
    let issued = t
        .post(
            Some(&sam),
            "/api/tokens",
            &json!({"username": "rita", "role": "registrar", "unit": "mottagning", "scopes": ["persons:read"],
                     "name": "folkbokföringskoll", "expires_at": now + chrono::Duration::days(2)}),
        )
        .await;
    assert_eq!(issued.status, 201, "{}", issued.body);
    let secret = issued.json["token"].as_str().unwrap().to_owned();
    let id = issued.json["id"].as_str().unwrap().to_owned();
    // Stored only as a hash.
    let stored = t.app.security.with(|b| b.tokens_of("rita")).unwrap();
    assert!(stored.iter().all(|tk| tk.hash != secret && !tk.hash.contains(&secret)));

    // In scope: search. Out of scope: reading cases.
    let hit = t.post(Some(&secret), "/api/persons/search", &json!({"id_number": Target::Intake.pnr().as_str()})).await;
    assert_eq!(hit.status, 200, "{}", hit.body);
    let cases = t.get(Some(&secret), "/api/cases").await;
    assert_eq!((cases.status, cases.code()), (403, "TOKEN_SCOPE"));

    // Longer than the rule table allows, unknown scopes, a role the account does not hold.
    for bad in [
        json!({"username": "rita", "role": "registrar", "unit": "mottagning", "scopes": ["persons:read"], "name": "x", "expires_at": now + chrono::Duration::days(400)}),
        json!({"username": "rita", "role": "registrar", "unit": "mottagning", "scopes": ["allt"], "name": "x", "expires_at": now + chrono::Duration::days(1)}),
        json!({"username": "rita", "role": "unit_manager", "unit": "mottagning", "scopes": ["persons:read"], "name": "x", "expires_at": now + chrono::Duration::days(1)}),
    ] {
        let r = t.post(Some(&sam), "/api/tokens", &bad).await;
        assert_eq!((r.status, r.code()), (422, "INVALID_INPUT"), "{}", r.body);
    }

    // Revoked by the administrator: refused at once.
    let del = t.send(reqwest::Method::DELETE, Some(&sam), &format!("/api/tokens/{id}"), None).await;
    assert_eq!(del.status, 204, "{}", del.body);
    let after =
        t.post(Some(&secret), "/api/persons/search", &json!({"id_number": Target::Intake.pnr().as_str()})).await;
    assert_eq!(after.status, 401);
    let kinds: Vec<_> = t.security_log().into_iter().map(|r| r.entry.kind).collect();
    assert!(kinds.contains(&SecurityKind::TokenIssued) && kinds.contains(&SecurityKind::TokenRevoked));
}
