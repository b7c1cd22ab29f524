//! Loggkontroll and protected identity: every read of a person's record is in the access
//! log with the right basis and reason; a protected identity never appears unmasked for an
//! ungranted role in any response, export or log line (the outputs are scanned, not the
//! handlers).

use crate::harness::*;
use serde_json::json;
use skyndsam_store::security::{AccessAction, AccessBasis};

fn protected_words() -> Vec<String> {
    let pnr = noah_pnr();
    let s = pnr.as_str().to_owned();
    vec![NOAH_NAME.to_owned(), "Skyddadsson".to_owned(), s.replace('-', ""), s[2..].to_owned(), s]
}

fn assert_clean(what: &str, text: &str) {
    for w in protected_words() {
        assert!(!text.contains(&w), "{what} contains the protected identity ({w})");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_read_is_logged_with_its_basis_and_reason() {
    let t = TestApp::spawn().await;
    let hanna = t.login("hanna").await;
    let rita = t.login("rita").await;
    let kim = t.login("kim").await;
    let before = t.access_log().len();

    // Own case (allocated to hanna), a case of her unit, a person, a search hit.
    assert_eq!(t.get(Some(&hanna), &format!("/api/cases/{}", Target::OwnUnit.case())).await.status, 200);
    assert_eq!(t.get(Some(&hanna), &format!("/api/cases/{}", Target::Protected.case())).await.status, 200);
    assert_eq!(t.get(Some(&hanna), &format!("/api/persons/{ELSA}")).await.status, 200);
    let hit =
        t.post(Some(&hanna), "/api/persons/search", &json!({"id_number": Target::OtherUnit.pnr().as_str()})).await;
    assert_eq!(hit.status, 200, "{}", hit.body);
    // Outside her scope: refused, and no access-log line (nothing was read) …
    assert_eq!(t.get(Some(&hanna), &format!("/api/cases/{}", Target::OtherUnit.case())).await.status, 404);
    // … until she asks for wider access with a reason.
    let g = t
        .post(Some(&hanna), &format!("/api/persons/{CARL}/access-grants"), &json!({"reason": "beredskap", "hours": 4}))
        .await;
    assert_eq!(g.status, 201, "{}", g.body);
    assert_eq!(t.get(Some(&hanna), &format!("/api/cases/{}", Target::OtherUnit.case())).await.status, 200);
    // Pseudonymised read by quality; an export by the registrar.
    assert_eq!(t.get(Some(&kim), &format!("/api/cases/{}", Target::OwnUnit.case())).await.status, 200);
    assert_eq!(t.get(Some(&rita), "/api/cases/export").await.status, 200);

    let log: Vec<_> = t.access_log().into_iter().skip(before).map(|r| r.entry).collect();
    let line = |staff: &str, action, case: Option<Target>| {
        log.iter()
            .find(|e| e.staff.as_str() == staff && e.action == action && e.case == case.map(|c| c.case()))
            .unwrap_or_else(|| panic!("no {action:?} by {staff} of {case:?} in {log:#?}"))
    };
    assert_eq!(line("hanna", AccessAction::ReadCase, Some(Target::OwnUnit)).basis, AccessBasis::OwnCase);
    assert_eq!(line("hanna", AccessAction::ReadCase, Some(Target::Protected)).basis, AccessBasis::OwnUnit);
    let p = log.iter().find(|e| e.action == AccessAction::ReadPerson).unwrap();
    assert_eq!((p.person, p.basis), (ELSA, AccessBasis::OwnCase));
    let s = log.iter().find(|e| e.action == AccessAction::SearchHit).unwrap();
    assert_eq!((s.person, s.basis), (CARL, AccessBasis::Search));
    let granted = line("hanna", AccessAction::ReadCase, Some(Target::OtherUnit));
    assert_eq!(granted.basis, AccessBasis::Grant);
    assert_eq!(granted.reason.as_deref(), Some("beredskap"));
    assert_eq!(line("kim", AccessAction::ReadCase, Some(Target::OwnUnit)).basis, AccessBasis::Pseudonymised);
    let exported = line("rita", AccessAction::Export, Some(Target::Intake));
    assert_eq!((exported.person, exported.basis), (DORA, AccessBasis::OwnUnit));
    // Every line carries the request's correlation id and the reader's role and unit.
    assert!(log.iter().all(|e| !e.correlation.is_empty()));
    assert_eq!(
        line("hanna", AccessAction::ReadCase, Some(Target::OwnUnit)).unit.as_ref().unwrap().as_str(),
        "utredning-1-team"
    );
    // The refused attempt is in the security log.
    assert!(t.security_log().iter().any(|r| r.entry.username.as_deref() == Some("hanna")
        && r.entry.detail.contains(&Target::OtherUnit.case().to_string())));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_unit_manager_reviews_reads_outside_own_cases() {
    let t = TestApp::spawn().await;
    let hanna = t.login("hanna").await;
    let ulf = t.login("ulf").await;
    let fred = t.login("fred").await;
    // 25 records opened outside her cases in one afternoon, each under a grant "beredskap"
    // (the rule table flags more than 20 a day).
    for _ in 0..25 {
        let g = t
            .post(
                Some(&hanna),
                &format!("/api/persons/{CARL}/access-grants"),
                &json!({"reason": "beredskap", "hours": 1}),
            )
            .await;
        assert_eq!(g.status, 201);
        assert_eq!(t.get(Some(&hanna), &format!("/api/cases/{}", Target::OtherUnit.case())).await.status, 200);
    }
    let unusual = t.get(Some(&ulf), "/api/access-log/unusual").await;
    assert_eq!(unusual.status, 200, "{}", unusual.body);
    let rows = unusual.json.as_array().unwrap();
    assert_eq!(rows.len(), 1, "{}", unusual.body);
    assert_eq!(rows[0]["staff"], "hanna");
    assert_eq!(rows[0]["reads_outside_own"], 25);
    assert_eq!(rows[0]["reasons"], json!(["beredskap"]));
    // By user and by person.
    let by_user = t.get(Some(&ulf), "/api/access-log?staff=hanna").await;
    assert_eq!(by_user.json.as_array().unwrap().len(), 25);
    let by_person = t.get(Some(&ulf), &format!("/api/access-log?person={CARL}")).await;
    assert_eq!(by_person.json.as_array().unwrap().len(), 25);
    let none = t.get(Some(&ulf), &format!("/api/access-log?person={DORA}")).await;
    assert_eq!(none.json.as_array().unwrap().len(), 0);
    // The grants are visible to her unit manager.
    let grants = t.get(Some(&ulf), "/api/access-grants").await;
    assert_eq!(grants.json.as_array().unwrap().len(), 25);
    assert_eq!(grants.json[0]["reason"], "beredskap");
    // A period before it happened shows nothing.
    let old = t.get(Some(&ulf), "/api/access-log?from=2026-01-01&to=2026-01-31").await;
    assert_eq!(old.json.as_array().unwrap().len(), 0);
    // The head of administration reviews the whole administration; the unit manager of
    // utredning-1 does not see reads by staff of other units.
    let hugo = t.login("hugo").await;
    assert_eq!(t.get(Some(&hugo), &format!("/api/cases/{}", Target::OtherUnit.case())).await.status, 200);
    let ulf_sees = t.get(Some(&ulf), "/api/access-log?staff=hugo").await;
    assert_eq!(ulf_sees.json.as_array().unwrap().len(), 0);
    let fred_sees = t.get(Some(&fred), "/api/access-log?staff=hugo").await;
    assert_eq!(fred_sees.json.as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_protected_identity_never_leaks_to_an_ungranted_role() {
    let t = TestApp::spawn().await;
    let mut seen = String::new();
    for user in ["hanna", "tove", "anna", "fred", "kim", "rut", "hugo"] {
        let tok = t.login(user).await;
        let mut bodies = vec![
            t.get(Some(&tok), "/api/cases").await,
            t.get(Some(&tok), "/api/cases/export").await,
            t.get(Some(&tok), "/api/deadlines").await,
            t.get(Some(&tok), &format!("/api/cases/{}", Target::Protected.case())).await,
            t.get(Some(&tok), &format!("/api/persons/{NOAH}")).await,
            t.post(Some(&tok), "/api/persons/search", &json!({"id_number": noah_pnr().as_str()})).await,
        ];
        // A wider-access grant gives the record, still masked.
        let g = t
            .post(
                Some(&tok),
                &format!("/api/persons/{NOAH}/access-grants"),
                &json!({"reason": "begäran från polis", "hours": 1}),
            )
            .await;
        bodies.push(t.get(Some(&tok), &format!("/api/cases/{}", Target::Protected.case())).await);
        bodies.push(g);
        for b in &bodies {
            assert_clean(&format!("a response to {user}"), &b.body);
            seen.push_str(&b.body);
        }
        // The search does not find the protected child for these roles.
        assert!(matches!(bodies[5].status, 403 | 404), "{user} found a protected identity by personnummer");
    }
    // The masked placeholder is what they saw; the free text was scrubbed, not dropped.
    assert!(seen.contains("Skyddad identitet"));
    assert!(seen.contains("[skyddad uppgift]"));
    // Logs: the access log, the security log and everything the server wrote with tracing.
    let access = serde_json::to_string(&t.access_log()).unwrap();
    assert_clean("the access log", &access);
    let security = serde_json::to_string(&t.security_log()).unwrap();
    assert_clean("the security log", &security);
    let logs = String::from_utf8_lossy(&captured_logs().lock().unwrap()).into_owned();
    assert!(!logs.is_empty(), "log capture is not working");
    if let Some(i) = logs.find(NOAH_NAME) {
        let start = logs[..i].rfind('\n').unwrap_or(0);
        panic!("the server's log contains the protected identity: {}", &logs[start..(i + 80).min(logs.len())]);
    }
    assert_clean("the server's log", &logs);

    // The roles granted see the child: the registrar finds them by personnummer, the unit
    // manager reads the case with the name.
    let rita = t.login("rita").await;
    let found = t.post(Some(&rita), "/api/persons/search", &json!({"id_number": noah_pnr().as_str()})).await;
    assert_eq!(found.status, 200);
    assert!(found.body.contains(NOAH_NAME));
    let ulf = t.login("ulf").await;
    let case = t.get(Some(&ulf), &format!("/api/cases/{}", Target::Protected.case())).await;
    assert!(case.body.contains(NOAH_NAME));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auditors_and_quality_see_pseudonyms_only() {
    let t = TestApp::spawn().await;
    let rut = t.login("rut").await;
    let list = t.get(Some(&rut), "/api/cases/export").await;
    assert_eq!(list.status, 200);
    let rows = list.json.as_array().unwrap();
    assert_eq!(rows.len(), 4);
    for r in rows {
        assert_eq!(r["view"], "pseudonymised");
        assert!(r["child"]["id"].as_str().unwrap().starts_with("P-"));
        assert!(r["child"]["id_number"].is_null());
    }
    for name in ["Dora", "Elsa", "Carl", "Hemlig", "Skolan oroar"] {
        assert!(!list.body.contains(name), "{name} in an auditor's export");
    }
    let case = t.get(Some(&rut), &format!("/api/cases/{}", Target::OwnUnit.case())).await;
    assert_eq!(case.status, 200);
    assert!(
        case.json["timeline"].as_array().unwrap().iter().all(|e| e["data"].is_null()),
        "free text in a pseudonymised view"
    );
    // The same child has the same pseudonym for quality and audit (stable within the installation).
    let kim = t.login("kim").await;
    let k = t.get(Some(&kim), &format!("/api/cases/{}", Target::OwnUnit.case())).await;
    assert_eq!(k.json["child"]["id"], case.json["child"]["id"]);
    // A pseudonym is not a person id: it cannot be used to open the person.
    let p = t.get(Some(&rut), &format!("/api/persons/{}", case.json["child"]["id"].as_str().unwrap())).await;
    assert_eq!(p.status, 404);
}
