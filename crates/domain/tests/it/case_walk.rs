//! One case from report to ended intervention; every deadline's state at each step.

use crate::harness::*;
use skyndsam_domain::case::Step;
use skyndsam_domain::clock::{deadlines, DeadlineKind as K, DeadlineState as S};
use skyndsam_domain::commands::CaseCommand as C;
use skyndsam_domain::events::*;
use skyndsam_domain::ids::InterventionId;
use skyndsam_domain::org::Role;

#[test]
fn a_report_walks_to_an_ended_intervention_with_every_deadline_state() {
    let mut w = World::new();
    // A report received at 23:59 on a Friday.
    let received = at(2026, 1, 30, 23, 59);
    let case = w.register(ActualisationKind::Report, received, vec![Reason::ViolenceAgainstChild], 1)[0];
    let amira = ("amira", Role::Handler);
    let tove = ("tove", Role::TeamLeader);
    let ulla = ("ulla", Role::UnitManager);
    let lina = ("lina", Role::Handler);

    // Just received: 24 h for the protection assessment, 14 days for the preliminary.
    let now = at(2026, 1, 31, 0, 0);
    assert_eq!(w.states(case, now), vec![(K::ProtectionAssessment, S::Ok), (K::PreliminaryAssessment, S::Ok)]);
    let ds = deadlines(&w.state(case), &w.rules, now);
    assert_eq!(ds[0].spec.due_at, received + chrono::Duration::hours(24));
    assert_eq!(ds[1].spec.last_day, date(2026, 2, 13));
    assert_eq!(w.state(case).step(), Step::PreliminaryAssessment);

    // Six hours before the 24 h bound it is due soon; past it, overdue.
    assert_eq!(w.state_of(case, K::ProtectionAssessment, at(2026, 1, 31, 18, 0)), Some(S::DueSoon));
    assert_eq!(w.state_of(case, K::ProtectionAssessment, at(2026, 2, 1, 0, 0)), Some(S::Overdue));

    // Recorded the next morning: met late.
    let assessed = at(2026, 2, 1, 10, 0);
    w.cmd(
        case,
        amira,
        assessed,
        C::RecordProtectionAssessment(ProtectionAssessmentRecorded {
            assessed_at: assessed,
            assessor_name: "Amira Exempelsson".into(),
            assessor_title: "socialsekreterare".into(),
            facts: "Styvfadern är bortrest till fredag.".into(),
            immediate_need: false,
            protection_plan: Some("Mamman ser till att barnet inte är ensamt med styvfadern.".into()),
        }),
    );
    assert_eq!(w.state_of(case, K::ProtectionAssessment, assessed), Some(S::MetLate));

    // The 14-day clock: ok, due soon (3 days before), due today, overdue.
    assert_eq!(w.state_of(case, K::PreliminaryAssessment, at(2026, 2, 9, 12, 0)), Some(S::Ok));
    assert_eq!(w.state_of(case, K::PreliminaryAssessment, at(2026, 2, 10, 12, 0)), Some(S::DueSoon));
    assert_eq!(w.state_of(case, K::PreliminaryAssessment, at(2026, 2, 13, 23, 58)), Some(S::DueToday));
    assert_eq!(w.state_of(case, K::PreliminaryAssessment, at(2026, 2, 14, 0, 0)), Some(S::Overdue));

    // Decided on day 17 with a documented exceptional reason: met late with reason.
    let now = at(2026, 2, 16, 9, 0);
    w.cmd(
        case,
        amira,
        now,
        C::DecidePreliminaryAssessment(PreliminaryAssessmentDecided {
            decided_on: date(2026, 2, 16),
            outcome: PreliminaryOutcome::Open,
            earlier_knowledge: EarlierKnowledge { exists: false, description: None },
            child_view: ChildView::Obtained { summary: "Barnet vill att någon hjälper mamma.".into() },
            late_reason: Some(LateReason {
                kind: ExceptionalReasonKind::PendingPoliceInterview,
                text: "Polisen bad oss vänta med kontakt tills förhöret hållits.".into(),
            }),
            motivation: "Uppgifter om våld mot barnet.".into(),
        }),
    );
    assert_eq!(w.state_of(case, K::PreliminaryAssessment, now), Some(S::MetLateWithReason));
    assert_eq!(w.state(case).step(), Step::Investigation);
    // Investigation: 4 months from the decision; first contact: untriaged = 7 days.
    let ds = deadlines(&w.state(case), &w.rules, now);
    let inv = ds.iter().find(|d| d.spec.kind == K::Investigation).unwrap();
    assert_eq!(inv.spec.last_day, date(2026, 6, 16));
    assert_eq!(inv.state, S::Ok);
    let fc = ds.iter().find(|d| d.spec.kind == K::FirstContact).unwrap();
    assert_eq!(fc.spec.last_day, date(2026, 2, 23));

    // Triage red: first contact within 1 day → due today on the 17th.
    w.cmd(case, tove, now, C::SetTriage(TriageSet { colour: Triage::Red }));
    w.cmd(
        case,
        tove,
        now,
        C::Allocate(Allocated {
            unit: skyndsam_domain::ids::UnitId::parse("utredning").unwrap(),
            handler: Some(skyndsam_domain::ids::StaffId::parse("lina").unwrap()),
        }),
    );
    assert_eq!(w.state(case).handler.as_ref().map(|h| h.as_str()), Some("lina"));
    assert_eq!(w.state_of(case, K::FirstContact, at(2026, 2, 17, 10, 0)), Some(S::DueToday));
    w.cmd(
        case,
        lina,
        at(2026, 2, 17, 15, 0),
        C::RecordFirstContact(FirstContactRecorded {
            contact_on: date(2026, 2, 17),
            with_whom: "mamma och barnet".into(),
        }),
    );
    assert_eq!(w.state_of(case, K::FirstContact, at(2026, 2, 17, 15, 0)), Some(S::Met));

    // Near the 4-month day: due soon; an extension moves the deadline.
    assert_eq!(w.state_of(case, K::Investigation, at(2026, 6, 13, 9, 0)), Some(S::DueSoon));
    w.cmd(
        case,
        ulla,
        at(2026, 6, 10, 9, 0),
        C::ExtendInvestigation(ExtensionDecided {
            decided_on: date(2026, 6, 10),
            new_end: date(2026, 7, 16),
            reason: "Inväntar barnpsykiatrisk bedömning.".into(),
        }),
    );
    let ds = deadlines(&w.state(case), &w.rules, at(2026, 6, 13, 9, 0));
    let inv = ds.iter().find(|d| d.spec.kind == K::Investigation).unwrap();
    assert_eq!(
        (inv.spec.last_day, inv.spec.extended_from, inv.state),
        (date(2026, 7, 16), Some(date(2026, 6, 16)), S::Ok)
    );
    // The 4-month day itself is no longer overdue.
    assert_eq!(w.state_of(case, K::Investigation, at(2026, 6, 17, 9, 0)), Some(S::Ok));

    // Decided within the extension: met. Family treatment granted.
    let fam = InterventionId::from_u128(42);
    let now = at(2026, 7, 10, 14, 0);
    w.cmd(
        case,
        tove,
        now,
        C::DecideInvestigation(InvestigationDecided {
            decided_on: date(2026, 7, 10),
            outcome: InvestigationOutcome::GrantIntervention {
                interventions: vec![GrantedIntervention {
                    intervention: fam,
                    kind: InterventionKind::FamilyTreatment,
                    from: date(2026, 7, 10),
                    to: Some(date(2027, 1, 9)),
                    long_term_care: false,
                }],
            },
            board_decision: None,
            motivation: "Familjen behöver stöd.".into(),
        }),
    );
    assert_eq!(w.state_of(case, K::Investigation, now), Some(S::Met));
    assert_eq!(w.state(case).step(), Step::Intervention);
    // Enforcement within 3 months of the decision (10 Oct); expiry on 9 Jan.
    assert_eq!(w.state_of(case, K::Enforcement(fam), now), Some(S::Ok));
    assert_eq!(w.state_of(case, K::InterventionExpiry(fam), now), Some(S::Ok));
    assert_eq!(w.state_of(case, K::Enforcement(fam), at(2026, 10, 10, 9, 0)), Some(S::DueToday));
    assert_eq!(w.state_of(case, K::Enforcement(fam), at(2026, 10, 11, 9, 0)), Some(S::Overdue));

    // Not started in time; the reason is recorded, then it starts: met late with reason.
    w.cmd(
        case,
        lina,
        at(2026, 10, 11, 9, 0),
        C::RecordEnforcementDelay(EnforcementDelayRecorded {
            intervention: fam,
            reason: EnforcementDelayReason::NoStaff,
            text: "Familjebehandlare saknas till oktober.".into(),
        }),
    );
    w.cmd(
        case,
        lina,
        at(2026, 10, 12, 9, 0),
        C::StartIntervention(InterventionStarted { intervention: fam, started_on: date(2026, 10, 12) }),
    );
    assert_eq!(w.state_of(case, K::Enforcement(fam), at(2026, 10, 12, 9, 0)), Some(S::MetLateWithReason));

    // Expiry is announced 14 days ahead; past it the intervention runs without a decision.
    assert_eq!(w.state_of(case, K::InterventionExpiry(fam), at(2026, 12, 25, 9, 0)), Some(S::Ok));
    assert_eq!(w.state_of(case, K::InterventionExpiry(fam), at(2026, 12, 27, 9, 0)), Some(S::DueSoon));
    assert_eq!(w.state_of(case, K::InterventionExpiry(fam), at(2027, 1, 9, 9, 0)), Some(S::DueToday));
    assert_eq!(w.state_of(case, K::InterventionExpiry(fam), at(2027, 1, 10, 9, 0)), Some(S::Overdue));

    // Ended three days late: met late; the case is closed, every deadline settled.
    w.cmd(
        case,
        lina,
        at(2027, 1, 12, 9, 0),
        C::EndIntervention(InterventionEnded {
            intervention: fam,
            ended_on: date(2027, 1, 12),
            reason: InterventionEndReason::Planned,
        }),
    );
    let end = at(2027, 1, 12, 9, 0);
    assert_eq!(w.state_of(case, K::InterventionExpiry(fam), end), Some(S::MetLate));
    assert_eq!(w.state(case).step(), Step::Closed);
    let all = w.states(case, end);
    assert_eq!(
        all,
        vec![
            (K::ProtectionAssessment, S::MetLate),
            (K::PreliminaryAssessment, S::MetLateWithReason),
            (K::Investigation, S::Met),
            (K::FirstContact, S::Met),
            (K::Enforcement(fam), S::MetLateWithReason),
            (K::InterventionExpiry(fam), S::MetLate),
        ]
    );
}

#[test]
fn a_placement_has_reviews_every_six_months_and_custody_consideration_after_two_years() {
    let mut w = World::new();
    let case = w.register(ActualisationKind::Application, at(2024, 1, 10, 10, 0), vec![Reason::NeglectOfCare], 1)[0];
    let home = InterventionId::from_u128(7);
    // Application: investigation opened directly on receipt, no preliminary assessment.
    assert_eq!(w.state(case).step(), Step::Investigation);
    assert!(w.state_of(case, K::PreliminaryAssessment, at(2024, 1, 11, 9, 0)).is_none());
    w.cmd(
        case,
        ("ulla", Role::UnitManager),
        at(2024, 3, 1, 9, 0),
        C::DecideInvestigation(InvestigationDecided {
            decided_on: date(2024, 3, 1),
            outcome: InvestigationOutcome::GrantIntervention {
                interventions: vec![GrantedIntervention {
                    intervention: home,
                    kind: InterventionKind::FosterHome,
                    from: date(2024, 3, 1),
                    to: None,
                    long_term_care: false,
                }],
            },
            board_decision: None,
            motivation: "Placering i familjehem.".into(),
        }),
    );
    w.cmd(
        case,
        ("lina", Role::Handler),
        at(2024, 3, 4, 9, 0),
        C::StartIntervention(InterventionStarted { intervention: home, started_on: date(2024, 3, 4) }),
    );
    let ds = deadlines(&w.state(case), &w.rules, at(2024, 3, 5, 9, 0));
    let review = ds.iter().find(|d| d.spec.kind == K::PlacementReview(home)).unwrap();
    assert_eq!(review.spec.last_day, date(2024, 9, 4));
    let custody = ds.iter().find(|d| d.spec.kind == K::CustodyTransfer(home)).unwrap();
    assert_eq!(custody.spec.last_day, date(2026, 3, 4));
    // After a review the next one is 6 months on.
    w.cmd(
        case,
        ("lina", Role::Handler),
        at(2024, 8, 20, 9, 0),
        C::ReviewPlacement(PlacementReviewed {
            intervention: home,
            reviewed_on: date(2024, 8, 20),
            conclusion: "Vården fortsätter.".into(),
        }),
    );
    let ds = deadlines(&w.state(case), &w.rules, at(2024, 8, 21, 9, 0));
    assert_eq!(ds.iter().find(|d| d.spec.kind == K::PlacementReview(home)).unwrap().spec.last_day, date(2025, 2, 20));
}
