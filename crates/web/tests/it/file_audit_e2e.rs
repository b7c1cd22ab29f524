//! The new pages in a real headless Chromium with axe-core (WCAG 2.1 A/AA, zero violations):
//! the file audit page with answers recorded, the case page's checklist panel, and the board's
//! list with its form both filled in well and with an error. Not yet: answering, the analysis
//! and the .xlsx upload in the browser (those are in the API only; see file_audit_api.rs).

use crate::allocation::{act, open_investigation};
use crate::e2e::{axe, browser, login};
use crate::harness::*;
use fantoccini::{Client, Locator};
use serde_json::json;
use skyndsam_domain::org::Role;

async fn accessible(c: &Client, page: &str) {
    let v = axe(c).await;
    assert!(v.is_empty(), "axe-core on {page}: {} violations:\n{}", v.len(), v.join("\n"));
}

async fn h1(c: &Client) -> String {
    c.find(Locator::Css("h1")).await.unwrap().text().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_page_the_checklist_and_the_boards_list_pass_axe() {
    let Some((_driver, c)) = browser().await else { return };
    let t = TestApp::spawn().await;
    let case = Target::OwnUnit.case();
    act(&t, "hanna", Role::Handler, case, open_investigation(date(2026, 3, 3))).await;
    let kim = t.login("kim").await;
    let res = t.post(Some(&kim), "/api/file-audits", &json!({"unit": "utredning-1", "year": 2026, "seed": 7})).await;
    assert_eq!(res.status, 201, "{}", res.body);
    let id = res.json["id"].as_str().unwrap().to_owned();
    let hugo = t.login("hugo").await;
    let files = t.get(Some(&hugo), &format!("/api/file-audits/{id}/files")).await;
    let batch: Vec<_> = files.json[0]["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let auto = a["auto"].as_bool().unwrap();
            json!({"case": case, "section": a["section"], "question": a["question"],
                   "reply": if auto { a["answer"].clone() } else { json!("Ja") }, "automatic": a["answer"],
                   "comment": (!auto && a["answer"] != "Ja").then_some("Bedömt vid läsning.")})
        })
        .collect();
    let r = t.post(Some(&hugo), &format!("/api/file-audits/{id}/answers"), &json!({"data": batch})).await;
    assert_eq!(r.status, 200, "{}", r.body);

    login(&c, &t.base, "ulf").await;
    c.goto(&format!("{}/aktgranskning/{id}", t.base)).await.unwrap();
    assert_eq!(h1(&c).await, "Aktgranskning 2026 – utredning-1");
    assert!(c.find(Locator::Css("#resultat")).await.is_ok());
    assert!(c.find(Locator::Css("a[href$=\"blad.xlsx\"]")).await.is_ok());
    accessible(&c, "aktgranskning").await;
    c.goto(&format!("{}/arenden/{case}", t.base)).await.unwrap();
    assert!(c.find(Locator::Css("#egenkontroll")).await.is_ok());
    accessible(&c, "ärendet med egenkontroll").await;

    c.find(Locator::Css("header button[type=submit]")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("#inloggning-username")).await.unwrap();
    login(&c, &t.base, "fred").await;
    c.goto(&format!("{}/delegationsbeslut?from=2026-01-01&to=2026-12-31", t.base)).await.unwrap();
    assert_eq!(h1(&c).await, "Anmälan av delegationsbeslut");
    accessible(&c, "delegationsbeslut").await;
    c.goto(&format!("{}/delegationsbeslut?from=ig%C3%A5r", t.base)).await.unwrap();
    assert!(c.find(Locator::Css("#period-from-fel")).await.is_ok());
    accessible(&c, "delegationsbeslut med fel").await;
}
