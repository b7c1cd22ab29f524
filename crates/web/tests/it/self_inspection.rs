//! `GET /api/cases/{id}/self-inspection`: the answers the domain computes, for the roles
//! that read the case (the matrix checks who may), logged as a read of the record.

use crate::harness::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_gets_every_question_answered_with_evidence_and_the_read_is_logged() {
    let t = TestApp::spawn().await;
    let tove = t.login("tove").await;
    let path = format!("/api/cases/{}/self-inspection", Target::OwnUnit.case());
    let before = t.access_log().len();
    let res = t.get(Some(&tove), &path).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let log: Vec<_> = t.access_log().into_iter().skip(before).map(|r| r.entry).collect();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].case, Some(Target::OwnUnit.case()));
    let answers = res.json["answers"].as_array().unwrap();
    assert_eq!(answers.len(), 33);
    assert!(answers.iter().all(|a| ["Ja", "Nej", "Ej tillämpligt"].contains(&a["answer"].as_str().unwrap())));
    assert!(answers.iter().all(|a| a["evidence"]["rule"].as_str().is_some_and(|r| !r.is_empty())));
    // As of a date: the answer is for that date; before the case was received there is none.
    let today = res.json["as_of"].as_str().unwrap().to_owned();
    let res = t.get(Some(&tove), &format!("{path}?at={today}")).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.json["as_of"], today.as_str());
    assert_eq!(t.get(Some(&tove), &format!("{path}?at=2000-01-01")).await.status, 404);
    let bad = t.get(Some(&tove), &format!("{path}?at=igår")).await;
    assert_eq!(bad.status, 400, "{}", bad.body);
    // The pseudonymised quality developer gets the answers, never a name.
    let kim = t.login("kim").await;
    let res = t.get(Some(&kim), &path).await;
    assert_eq!(res.status, 200);
    assert!(!res.body.contains("Elsa"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_unit_summary_counts_and_lists_only_the_cases_the_caller_may_see() {
    let t = TestApp::spawn().await;
    let own = Target::OwnUnit.case().to_string();
    let other = Target::OtherUnit.case().to_string();
    let tove = t.login("tove").await;
    let res = t.get(Some(&tove), "/api/self-inspection/summary?unit=omrade-1&year=2026").await;
    assert_eq!(res.status, 200, "{}", res.body);
    // utredning-1's team leader sees her unit's two cases (own and protected), not the intake's.
    assert_eq!(res.json["cases"], 2, "{}", res.body);
    let q = res.json["questions"].as_array().unwrap();
    assert_eq!(q.len(), 33);
    assert!(res.body.contains(&own));
    assert!(!res.body.contains(&other));
    // The head of administration sees the whole administration.
    let fred = t.login("fred").await;
    let all = t.get(Some(&fred), "/api/self-inspection/summary?unit=forvaltning&year=2026").await;
    assert_eq!(all.json["cases"], 4, "{}", all.body);
    let bad = t.get(Some(&fred), "/api/self-inspection/summary?year=2026").await;
    assert_eq!(bad.status, 422);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_case_page_shows_the_checklist_with_evidence() {
    let t = TestApp::spawn().await;
    let mut c = crate::ui::UiClient::new(&t);
    c.login("tove").await;
    let page = c.get(&format!("/arenden/{}", Target::OwnUnit.case())).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let b = &page.body;
    let at = b.find("<h2 id=\"egenkontroll\">Egenkontroll</h2>").expect("the panel");
    let panel = &b[at..b[at..].find("</section>").map_or(b.len(), |e| at + e)];
    assert_eq!(panel.matches("<th scope=\"row\">").count(), 33, "{panel}");
    assert!(panel.contains("class=\"svar ja\"") || panel.contains("class=\"svar nej\""), "{panel}");
    assert!(panel.contains("Ej tillämpligt"));
}
