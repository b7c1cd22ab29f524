//! The case page's investigation forms over HTTP: offered by state, role and delegation;
//! bad input kept with its errors and nothing written; the decision only by a delegate.

use crate::allocation::{act, open_investigation};
use crate::harness::*;
use crate::ui::UiClient;
use skyndsam_domain::case::Step;
use skyndsam_domain::org::Role;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_documents_the_investigation_and_the_team_leader_decides_it() {
    let t = TestApp::spawn().await;
    let case = Target::OwnUnit.case();
    let path = format!("/arenden/{case}");
    let mut h = UiClient::new(&t);
    h.login("hanna").await;
    let page = h.get(&path).await;
    assert!(!page.body.contains("Dokumentera utredningen"), "no investigation yet");
    act(&t, "hanna", Role::Handler, case, open_investigation(date(2026, 3, 3))).await;
    let page = h.get(&path).await;
    assert!(page.body.contains("Första kontakt") && page.body.contains("Dokumentera utredningen"));
    assert!(!page.body.contains("Beslut efter utredning"), "a handler holds no delegation to decide it");
    let csrf = page.csrf();
    let v = t.app.store.projections().case(&case).unwrap().version.to_string();
    let journal = t.journal_count();

    // A plan without its answers, no text: errors at the fields, input kept, nothing written.
    let r = h
        .post(
            &format!("{path}/utredning"),
            &[("_csrf", &csrf), ("expected_version", &v), ("part", "plan"), ("text", "")],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("id=\"del-text-fel\"") && r.body.contains("Skriv utredningens text för delen."));
    let r = h
        .post(
            &format!("{path}/utredning"),
            &[("_csrf", &csrf), ("expected_version", &v), ("part", "plan"), ("text", "Samtal med mamma och Elsa.")],
        )
        .await;
    assert!(r.body.contains("id=\"del-family_invited-fel\"") && r.body.contains("Samtal med mamma och Elsa."));
    assert_eq!(t.journal_count(), journal);
    let r = h
        .post(
            &format!("{path}/utredning"),
            &[
                ("_csrf", &csrf),
                ("expected_version", &v),
                ("part", "plan"),
                ("family_invited", "ja"),
                ("family_took_part", "ja"),
                ("text", "Samtal med mamma och Elsa."),
            ],
        )
        .await;
    assert_eq!((r.status, r.location.as_str()), (303, path.as_str()), "{}", r.body);
    let r = h
        .post(
            &format!("{path}/forsta-kontakt"),
            &[("_csrf", &csrf), ("expected_version", "99"), ("contact_on", "igår"), ("with_whom", "")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("id=\"kontakt-contact_on-fel\"") && r.body.contains("id=\"kontakt-with_whom-fel\""));
    // A decision sent by hand: refused by the domain's delegation check, at its field.
    let v = t.app.store.projections().case(&case).unwrap().version.to_string();
    let r = h
        .post(
            &format!("{path}/beslut"),
            &[
                ("_csrf", &csrf),
                ("expected_version", &v),
                ("decided_on", "2026-03-03"),
                ("outcome", "refuse"),
                ("motivation", "x"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Du har inte delegation"), "{}", r.body);
    assert_eq!(t.journal_count(), journal + 1);

    // The team leader decides: a placement is not hers to grant, a contact family is.
    let mut tl = UiClient::new(&t);
    tl.login("tove").await;
    let page = tl.get(&path).await;
    assert!(page.body.contains("Beslut efter utredning"));
    assert!(
        page.body.contains("beslut-outcome-grant_intervention")
            && !page.body.contains("beslut-outcome-grant_placement")
    );
    let v = t.app.store.projections().case(&case).unwrap().version.to_string();
    let mut fields = [
        ("_csrf", page.csrf()),
        ("expected_version", v),
        ("decided_on", "2026-03-03".to_owned()),
        ("outcome", "grant_intervention".to_owned()),
        ("intervention_kind", "foster_home".to_owned()),
        ("intervention_from", "2026-03-10".to_owned()),
        ("intervention_to", "2026-09-30".to_owned()),
        ("motivation", "Elsa behöver avlastning.".to_owned()),
    ];
    let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = tl.post(&format!("{path}/beslut"), &f).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("id=\"beslut-intervention_kind-fel\"") && r.body.contains("value=\"2026-09-30\""));
    fields[4].1 = "contact_family".into();
    let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = tl.post(&format!("{path}/beslut"), &f).await;
    assert_eq!((r.status, r.location.as_str()), (303, path.as_str()), "{}", r.body);
    assert_eq!(t.app.store.projections().case(&case).unwrap().step(), Step::Intervention);
    let page = tl.get(&path).await;
    assert!(!page.body.contains("/beslut\"") && !page.body.contains("/utredning\""), "decided: no forms");
    assert!(page.body.contains("Kontaktfamilj") && page.body.contains("Bevilja insats"), "the timeline in Swedish");
}
