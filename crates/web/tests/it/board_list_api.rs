//! Anmälan av delegationsbeslut through the API: the decision to open an investigation is on
//! the board's list for the period and its decider, as JSON and as CSV; a caseworker is refused.

use crate::allocation::{act, open_investigation};
use crate::harness::*;
use skyndsam_domain::org::Role;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_boards_list_per_period_and_decider_as_json_and_csv() {
    let t = TestApp::spawn().await;
    let case = Target::OwnUnit.case();
    act(&t, "hanna", Role::Handler, case, open_investigation(date(2026, 3, 3))).await;
    let fred = t.login("fred").await;
    let res = t.get(Some(&fred), "/api/board-list?from=2026-01-01&to=2026-12-31").await;
    assert_eq!(res.status, 200, "{}", res.body);
    let decisions = res.json["decisions"].as_array().unwrap();
    let mine: Vec<_> = decisions.iter().filter(|d| d["case"] == case.to_string()).collect();
    assert_eq!(mine.len(), 1, "{}", res.body);
    assert_eq!(mine[0]["decider"], "hanna");
    assert!(!res.body.contains("Elsa"), "no names on the list");
    // Per decider: another decider's list does not have it; an earlier period neither.
    let other = t.get(Some(&fred), "/api/board-list?from=2026-01-01&to=2026-12-31&decider=hugo").await;
    assert!(!other.body.contains(&case.to_string()), "{}", other.body);
    let before = t.get(Some(&fred), "/api/board-list?from=2026-01-01&to=2026-03-02").await;
    assert!(!before.body.contains(&case.to_string()), "{}", before.body);
    let bad = t.get(Some(&fred), "/api/board-list?from=2026-05-01&to=2026-03-02").await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    // CSV: the header and the decision's row.
    let csv = t.get(Some(&fred), "/api/board-list.csv?from=2026-01-01&to=2026-12-31&decider=hanna").await;
    assert_eq!(csv.status, 200);
    assert!(csv.body.starts_with("typ;datum;beslut;beslutsfattare;"), "{}", csv.body);
    assert!(csv.body.lines().any(|l| l.contains("2026-03-03") && l.contains(";hanna;")), "{}", csv.body);
    // The page: the period form keeps its input and shows the error beside the field; the
    // list with the CSV link under the session.
    let mut c = crate::ui::UiClient::new(&t);
    c.login("fred").await;
    let page = c.get("/delegationsbeslut?from=2026-01-01&to=2026-12-31&decider=hanna").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains(&case.to_string()), "{}", page.body);
    assert!(
        page.body.contains("/delegationsbeslut.csv?from=2026-01-01&#38;to=2026-12-31&#38;decider=hanna"),
        "{}",
        page.body
    );
    let bad = c.get("/delegationsbeslut?from=igår&to=2026-12-31").await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("id=\"period-from-fel\""), "{}", bad.body);
    assert!(bad.body.contains("value=\"igår\""), "{}", bad.body);
    let csv = c.get("/delegationsbeslut.csv?from=2026-01-01&to=2026-12-31").await;
    assert_eq!(csv.status, 200);
    assert!(csv.body.contains(";hanna;"), "{}", csv.body);
    // A caseworker is not on the board's side.
    let hanna = t.login("hanna").await;
    assert_eq!(t.get(Some(&hanna), "/api/board-list").await.status, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_head_of_administration_records_a_written_redelegation_and_it_is_on_the_boards_list() {
    let t = TestApp::spawn().await;
    let body = serde_json::json!({
        "redelegation": "SN 2026/77", "decisions": ["not_open_investigation"], "delegates": ["hanna", "hugo"],
        "unit": null, "from": "2026-03-01", "to": "2026-05-31", "decided_on": "2026-03-01",
        "document": "Beslut om vidaredelegering, dnr SN 2026/77", "reason": "Teamledare saknas under våren."
    });
    let hanna = t.login("hanna").await;
    assert_eq!(t.post(Some(&hanna), "/api/redelegations", &body).await.status, 403);
    let fred = t.login("fred").await;
    let n = t.journal_count();
    let r = t.post(Some(&fred), "/api/redelegations", &body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(t.journal_count(), n + 1);
    // The same reference again is refused, nothing written.
    let again = t.post(Some(&fred), "/api/redelegations", &body).await;
    assert_eq!(again.status, 422, "{}", again.body);
    assert_eq!(t.journal_count(), n + 1);
    let list = t.get(Some(&fred), "/api/board-list?from=2026-01-01&to=2026-12-31").await;
    let rows = list.json["redelegations"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{}", list.body);
    assert_eq!(rows[0]["redelegation"], "SN 2026/77");
    assert_eq!(rows[0]["to"], "2026-05-31");
    // On the page: the re-delegation with its delegates and period.
    let mut c = crate::ui::UiClient::new(&t);
    c.login("fred").await;
    let page = c.get("/delegationsbeslut?from=2026-01-01&to=2026-12-31").await;
    assert!(page.body.contains("SN 2026/77") && page.body.contains("hanna, hugo"), "{}", page.body);
    assert!(page.body.contains("2026-03-01 – 2026-05-31"), "{}", page.body);
    assert!(!page.body.contains("NotOpenInvestigation"), "{}", page.body);
}
