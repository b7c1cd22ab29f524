//! The case timeline is served from a cache of renderings (crates/web/src/cache.rs). What a
//! caseworker relies on: a read never shows an old timeline after an act was recorded, and
//! a rendering made for someone who may see a protected identity is never what someone
//! who may not is sent.

use crate::harness::*;
use serde_json::json;

fn events(body: &serde_json::Value) -> Vec<String> {
    body["timeline"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_act_recorded_after_a_read_is_in_the_next_read() {
    let t = TestApp::spawn().await;
    let tove = t.login("tove").await;
    let path = format!("/api/cases/{}", Target::OwnUnit.case());
    let first = t.get(Some(&tove), &path).await;
    assert_eq!(first.status, 200);
    let again = t.get(Some(&tove), &path).await;
    assert_eq!(first.json["timeline"], again.json["timeline"]);
    let before = events(&first.json);

    let ok = t
        .post(
            Some(&tove),
            &format!("{path}/entry"),
            &json!({"expected_version": 2, "data": {"heading": "Samtal", "text": "Samtal med skolan om Elsa."}}),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.body);

    let after = t.get(Some(&tove), &path).await;
    let now = events(&after.json);
    assert_eq!(now.len(), before.len() + 1, "the new journal entry is missing: {now:?}");
    assert_eq!(after.json["timeline"][before.len()]["data"]["text"], "Samtal med skolan om Elsa.");
    assert_eq!(after.json["version"], 3);
    // The other handler of the unit gets the same, current timeline.
    let hanna = t.login("hanna").await;
    assert_eq!(t.get(Some(&hanna), &path).await.json["timeline"], after.json["timeline"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_rendering_for_the_unit_manager_is_not_what_the_handler_gets() {
    let t = TestApp::spawn().await;
    let path = format!("/api/cases/{}", Target::Protected.case());
    // The unit manager may see the protected identity: the rendering is the record as written.
    let ulf = t.login("ulf").await;
    let full = t.get(Some(&ulf), &path).await;
    assert_eq!(full.status, 200);
    assert!(full.body.contains(NOAH_NAME));
    // Twice, so the second read is the cached one.
    assert_eq!(t.get(Some(&ulf), &path).await.body.matches(NOAH_NAME).count(), full.body.matches(NOAH_NAME).count());

    // The handler of the unit reads the same case in full, but scrubbed.
    let hanna = t.login("hanna").await;
    let scrubbed = t.get(Some(&hanna), &path).await;
    assert_eq!(scrubbed.status, 200);
    assert!(!scrubbed.body.contains(NOAH_NAME), "the handler was sent the protected name");
    assert!(!scrubbed.body.contains("Skyddadsson"));
    assert!(scrubbed.body.contains("[skyddad uppgift]"));
    assert_eq!(events(&scrubbed.json), events(&full.json));

    // The quality developer gets pseudonyms and no content at all.
    let kim = t.login("kim").await;
    let pseudo = t.get(Some(&kim), &path).await;
    assert_eq!(pseudo.status, 200);
    assert!(pseudo.json["timeline"].as_array().unwrap().iter().all(|e| e["data"].is_null()));
    assert!(!pseudo.body.contains("Skyddadsson"));
}
