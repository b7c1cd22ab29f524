//! Ärendegenomgång and Enhetsöversikt over HTTP: what each shows, to whom, and what not.

use crate::allocation::{act, open_investigation};
use crate::harness::*;
use crate::ui::UiClient;
use skyndsam_domain::commands::CaseCommand;
use skyndsam_domain::events::*;
use skyndsam_domain::ids::InterventionId;
use skyndsam_domain::org::Role;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_review_sheet_shows_a_handlers_cases_deadlines_expiring_insatser_and_weight_printable() {
    let t = TestApp::spawn().await;
    // hanna's case (Elsa): an investigation, red, decided with a contact family until 30 June
    // — which has run out by the review on 2 July, the insats still going.
    let case = Target::OwnUnit.case();
    act(&t, "hanna", Role::Handler, case, open_investigation(date(2026, 3, 3))).await;
    act(&t, "tove", Role::TeamLeader, case, CaseCommand::SetTriage(TriageSet { colour: Triage::Red })).await;
    let insats = InterventionId::from_u128(777);
    act(
        &t,
        "tove",
        Role::TeamLeader,
        case,
        CaseCommand::DecideInvestigation(InvestigationDecided {
            decided_on: date(2026, 3, 3),
            outcome: InvestigationOutcome::GrantIntervention {
                interventions: vec![GrantedIntervention {
                    intervention: insats,
                    kind: InterventionKind::ContactFamily,
                    from: date(2026, 3, 10),
                    to: Some(date(2026, 6, 30)),
                    long_term_care: false,
                }],
            },
            board_decision: None,
            motivation: "Behov av avlastning.".into(),
        }),
    )
    .await;
    act(
        &t,
        "hanna",
        Role::Handler,
        case,
        CaseCommand::StartIntervention(InterventionStarted { intervention: insats, started_on: date(2026, 3, 3) }),
    )
    .await;
    t.clock.advance(chrono::Duration::days(121)); // 2 July 2026

    let mut c = UiClient::new(&t);
    c.login("tove").await;
    let index = c.get("/arendegenomgang").await;
    assert_eq!(index.status, 200);
    assert!(index.body.contains("href=\"/arendegenomgang/hanna\"") && !index.body.contains("/arendegenomgang/hugo"));
    assert!(index.body.contains("hanna Testberg</a></td><td>1</td><td>1</td>"), "one case, an insats: weight 1");
    let before = t.access_log().len();
    let r = c.get("/arendegenomgang/hanna").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let b = &r.body;
    assert!(b.contains("Ärendegenomgång: hanna Testberg") && b.contains("juli 2026"));
    assert!(b.contains("Elsa Exempelsson") && b.contains(&format!("href=\"/arenden/{case}\"")));
    assert!(b.contains("kontaktfamilj") && b.contains("2026-06-30"));
    assert!(b.contains("beslutet har gått ut – insats pågår utan beslut"), "{b}");
    assert!(b.contains("Insatser som har gått ut eller löper ut inom 14 dagar (1)"));
    assert!(b.contains("Anteckningar från genomgången"), "room for the review's notes on paper");
    assert_eq!(t.access_log().len(), before, "a list, not a read of a record");
    // The stylesheet prints without the menus.
    let css = reqwest::get(format!("{}/static/skyndsam.css", t.base)).await.unwrap().text().await.unwrap();
    assert!(css.contains("@media print") && css.contains(".sidhuvud nav"));

    // The handler sees her own sheet, not another's; a team leader of another area none of hers.
    let mut h = UiClient::new(&t);
    h.login("hanna").await;
    assert_eq!(h.get("/arendegenomgang/hanna").await.status, 200);
    assert_eq!(h.get("/arendegenomgang/hugo").await.status, 404);
    let mut other = UiClient::new(&t);
    other.login("tage").await;
    let r = other.get("/arendegenomgang/hanna").await;
    assert_eq!(r.status, 404);
    assert!(!r.body.contains("Elsa"));
    // A registrar holds no review.
    let mut rita = UiClient::new(&t);
    rita.login("rita").await;
    assert_eq!(rita.get("/arendegenomgang").await.status, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_unit_overview_counts_open_cases_by_step_and_state_and_lists_late_ones_with_reasons() {
    let t = TestApp::spawn().await;
    // Seventeen days after receipt: the preliminary assessments are overdue. One is decided
    // late with synnerliga skäl (a pending police interview) and opens an investigation.
    t.clock.advance(chrono::Duration::days(17));
    act(
        &t,
        "hanna",
        Role::Handler,
        Target::OwnUnit.case(),
        CaseCommand::DecidePreliminaryAssessment(PreliminaryAssessmentDecided {
            decided_on: date(2026, 3, 20),
            outcome: PreliminaryOutcome::Open,
            earlier_knowledge: EarlierKnowledge { exists: false, description: None },
            child_view: ChildView::NotObtained { reason: "Polisförhör väntar.".into() },
            late_reason: Some(LateReason {
                kind: ExceptionalReasonKind::PendingPoliceInterview,
                text: "Polisen bad oss vänta.".into(),
            }),
            motivation: "Oro.".into(),
        }),
    )
    .await;
    let mut c = UiClient::new(&t);
    c.login("ulf").await;
    let r = c.get("/enhetsoversikt").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let b = &r.body;
    // utredning-1: the protected child's case (preliminary, overdue) and Elsa's (investigation;
    // its protection assessment was never recorded: overdue too).
    assert!(b.contains("<tr><th scope=\"row\">Förhandsbedömning</th><td>1</td><td>0</td><td>0</td><td>0</td><td>0</td><td>1</td></tr>"), "{b}");
    assert!(
        b.contains(
            "<tr><th scope=\"row\">Utredning</th><td>1</td><td>0</td><td>0</td><td>0</td><td>0</td><td>1</td></tr>"
        ),
        "{b}"
    );
    assert!(b.contains("<th scope=\"row\">utredning-1</th><td>1</td><td>1</td><td>0</td><td>2</td><td>2</td>"), "{b}");
    assert!(b.contains("Synnerliga skäl: inväntar polisförhör") && b.contains("klar för sent, skäl dokumenterat"));
    assert!(b.contains("Inget skäl dokumenterat") && b.contains("försenad"));
    assert!(!b.contains("Polisen bad oss vänta."), "reasons' kinds only: the text is in the case");
    assert!(b.contains(NOAH_NAME), "the unit manager sees the protected identity");
    assert!(!b.contains("Carl Annansson"), "not another area's case");
    // The team leader has no overview; the area manager has one over the area.
    let mut tove = UiClient::new(&t);
    tove.login("tove").await;
    assert_eq!(tove.get("/enhetsoversikt").await.status, 403);
    let mut anna = UiClient::new(&t);
    anna.login("anna").await;
    let r = anna.get("/enhetsoversikt").await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("mottagning") && !r.body.contains(NOAH_NAME), "masked for a role that may not see it");
}
