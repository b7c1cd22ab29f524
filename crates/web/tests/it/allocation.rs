//! Fördelning over HTTP: investigations by triage colour and age, caseloads weighted by
//! colour (the rule table's weights), one action for colour and handler, what cannot be
//! allocated stays visibly unallocated, and the intake's team leader hands cases over.

use crate::harness::*;
use crate::ui::UiClient;
use skyndsam_domain::commands::CaseCommand;
use skyndsam_domain::events::*;
use skyndsam_domain::ids::StaffId;
use skyndsam_domain::org::Role;

/// Runs a command as `staff` in `role` through the store (the fixture's own acts).
pub async fn act(t: &TestApp, staff: &str, role: Role, case: skyndsam_domain::ids::CaseId, cmd: CaseCommand) {
    let app = t.app.clone();
    let now = t.clock.now_utc();
    let staff = StaffId::parse(staff).unwrap();
    tokio::task::spawn_blocking(move || {
        let actor = app.store.actor(&staff, role, now).unwrap();
        let v = app.store.projections().case(&case).unwrap().version;
        app.store.execute(case, Some(v), &cmd, &actor, now).unwrap();
    })
    .await
    .unwrap();
}

pub fn open_investigation(on: chrono::NaiveDate) -> CaseCommand {
    CaseCommand::DecidePreliminaryAssessment(PreliminaryAssessmentDecided {
        decided_on: on,
        outcome: PreliminaryOutcome::Open,
        earlier_knowledge: EarlierKnowledge { exists: false, description: None },
        child_view: ChildView::NotObtained { reason: "Inte nåbar ännu.".into() },
        late_reason: None,
        motivation: "Oro för barnets omsorg.".into(),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn investigations_by_colour_and_age_caseloads_weighted_and_one_action_allocates_colour_and_handler() {
    let t = TestApp::spawn().await;
    // The protected child's case (utredning-1, unallocated): an investigation is opened.
    let case = Target::Protected.case();
    act(&t, "tove", Role::TeamLeader, case, open_investigation(date(2026, 3, 3))).await;
    t.clock.advance(chrono::Duration::days(5));
    let mut c = UiClient::new(&t);
    c.login("tove").await;
    let page = c.get("/fordelning").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let b = &page.body;
    let untriaged = b.find("Ej triagerad <span class=\"antal\">(1)</span>").expect("under Ej triagerad");
    let row = b.find(&format!("id=\"fordela-{case}\"")).unwrap();
    assert!(row > untriaged, "listed under its colour");
    assert!(b.contains("inledd 2026-03-03 – <strong>ej fördelat sedan 5 dagar</strong>"), "its age");
    assert!(b.contains(&format!("id=\"fordela-{case}-triage\"")), "the colour is set with the allocation");
    assert!(b.contains("Vikt: röd 3, gul 2, grön 1, ej triagerad 2, övriga 1."), "weights from the rule table");
    // hanna holds the OwnUnit case, still in preliminary assessment: weight 1.
    assert!(b.contains("<th scope=\"row\">hanna Testberg (socialsekreterare) – utredning-1</th><td>0</td><td>0</td><td>0</td><td>0</td><td>1</td><td><strong>1</strong></td>"), "{b}");
    assert!(!b.contains("Lämna över"), "an investigation team leader hands nothing over");

    // Cannot be allocated: a stale version. It stays, visibly unallocated, with the reason.
    let path = format!("/arenden/{case}/fordelning");
    let journal = t.journal_count();
    let v = t.app.store.projections().case(&case).unwrap().version.to_string();
    let r = c
        .post(&path, &[("_csrf", &page.csrf()), ("expected_version", "1"), ("triage", "red"), ("handler", "hanna")])
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("Ärendet har ändrats sedan du öppnade sidan") && r.body.contains("ej fördelat sedan 5 dagar")
    );
    assert!(r.body.contains("<option value=\"red\" selected>"), "the choice kept");
    assert_eq!(t.journal_count(), journal);

    // One action: red, to hanna.
    let r = c
        .post(&path, &[("_csrf", &page.csrf()), ("expected_version", &v), ("triage", "red"), ("handler", "hanna")])
        .await;
    assert_eq!((r.status, r.location.as_str()), (303, "/fordelning"), "{}", r.body);
    assert_eq!(t.journal_count(), journal + 2, "the colour and the allocation");
    {
        let p = t.app.store.projections();
        let s = p.case(&case).unwrap();
        assert_eq!(s.handler.as_ref().map(|h| h.as_str()), Some("hanna"));
        assert_eq!(s.open_investigation().unwrap().triage, Some(Triage::Red));
    }
    let b = c.get("/fordelning").await.body;
    assert!(!b.contains(&path), "allocated: off the list");
    assert!(b.contains("<th scope=\"row\">hanna Testberg (socialsekreterare) – utredning-1</th><td>1</td><td>0</td><td>0</td><td>0</td><td>1</td><td><strong>4</strong></td>"), "{b}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_intakes_team_leader_hands_a_new_case_over_to_an_investigation_unit_of_the_same_area() {
    let t = TestApp::spawn().await;
    let case = Target::Intake.case();
    let mut m = UiClient::new(&t);
    m.login("maja").await;
    let page = m.get("/fordelning").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let b = &page.body;
    assert!(b.contains(&format!("id=\"fordela-{case}\"")), "the new intake case");
    assert!(b.contains("value=\"enhet:utredning-1\"") && b.contains("Lämna över till utredning-1 (fördelas där)"));
    assert!(b.contains("value=\"hanna\""), "or straight to a handler there");
    assert!(!b.contains("utredning-2") && !b.contains("value=\"hugo\""), "not another area's units");
    let path = format!("/arenden/{case}/fordelning");
    let journal = t.journal_count();
    // Another area's unit, sent by hand: refused at the field.
    let r =
        m.post(&path, &[("_csrf", &page.csrf()), ("expected_version", "1"), ("handler", "enhet:utredning-2")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("kan inte väljas här") && r.body.contains(&format!("id=\"fordela-{case}-handler-fel\"")));
    assert_eq!(t.journal_count(), journal);

    let r =
        m.post(&path, &[("_csrf", &page.csrf()), ("expected_version", "1"), ("handler", "enhet:utredning-1")]).await;
    assert_eq!((r.status, r.location.as_str()), (303, "/fordelning"), "{}", r.body);
    {
        let p = t.app.store.projections();
        let s = p.case(&case).unwrap();
        assert_eq!((s.unit.as_str(), s.handler.is_none()), ("utredning-1", true), "handed over, still unallocated");
    }
    // Gone from the intake (it no longer sees the case), waiting in utredning-1's Fördelning.
    assert!(!m.get("/fordelning").await.body.contains(&path));
    assert_eq!(m.get(&format!("/arenden/{case}")).await.status, 404);
    let mut tove = UiClient::new(&t);
    tove.login("tove").await;
    let b = tove.get("/fordelning").await.body;
    assert!(b.contains(&path) && b.contains("Dora Mottagsson"), "{b}");
}
