//! Self-inspection against the auditors' sample table (Eskilstuna 2023, Bilaga A): the
//! situations the auditors found are rebuilt, and the engine answers as they did — for
//! every question both Ja and Nej are reached (only "vem/vilka utredningen avser" can
//! never be Nej: a case always concerns its child).

use std::collections::{BTreeMap, BTreeSet};

use crate::delegation::{not_open, redelegate, redelegation};
use crate::harness::*;
use skyndsam_domain::checks::{inspect, summarise, CaseInspection, Questionnaire, Reply, Section};
use skyndsam_domain::commands::CaseCommand as C;
use skyndsam_domain::events::*;
use skyndsam_domain::ids::*;
use skyndsam_domain::org::Role;

const PA: Section = Section::PreliminaryAssessment;
const IV: Section = Section::Investigation;

fn q() -> Questionnaire {
    Questionnaire::defaults().unwrap()
}

fn ins(w: &World, case: CaseId, as_of: chrono::NaiveDate) -> CaseInspection {
    inspect(&w.events(case), &w.rules, &w.org, &q(), as_of).unwrap()
}

fn a(i: &CaseInspection, s: Section, id: &str) -> Reply {
    i.answer(s, id).unwrap_or_else(|| panic!("no answer to {id}")).answer
}

fn protection(at_: chrono::DateTime<chrono::Utc>) -> C {
    C::RecordProtectionAssessment(ProtectionAssessmentRecorded {
        assessed_at: at_,
        assessor_name: "Amira Exempelsson".into(),
        assessor_title: "socialsekreterare".into(),
        facts: "Blåmärken på armen; styvpappan bortrest till fredag.".into(),
        immediate_need: false,
        protection_plan: None,
    })
}

fn prelim(
    on: chrono::NaiveDate,
    outcome: PreliminaryOutcome,
    described: bool,
    late: bool,
) -> PreliminaryAssessmentDecided {
    PreliminaryAssessmentDecided {
        decided_on: on,
        outcome,
        earlier_knowledge: EarlierKnowledge {
            exists: true,
            description: described.then(|| "Två anmälningar 2021 och 2022 om omsorgsbrist; mönstret väger in.".into()),
        },
        child_view: ChildView::Obtained { summary: "Elsa vill att mamma får hjälp.".into() },
        late_reason: late.then(|| LateReason {
            kind: ExceptionalReasonKind::PendingPoliceInterview,
            text: "Polisförhör inväntades.".into(),
        }),
        motivation: "Bedömning.".into(),
    }
}

fn part(p: InvestigationPart) -> C {
    C::RecordInvestigationPart(InvestigationPartRecorded { part: p })
}

fn text(t: &str) -> String {
    t.into()
}

/// Scenario 1 and 4 done right: every applicable answer is Ja.
fn good_file(w: &mut World) -> CaseId {
    let c = w.register(ActualisationKind::Report, at(2024, 3, 4, 8, 10), vec![Reason::ViolenceAgainstChild], 1)[0];
    let amira = ("amira", Role::Handler);
    let lina = ("lina", Role::Handler);
    w.cmd(c, amira, at(2024, 3, 4, 9, 30), protection(at(2024, 3, 4, 9, 30)));
    w.cmd(
        c,
        amira,
        at(2024, 3, 4, 15, 0),
        C::DecidePreliminaryAssessment(prelim(date(2024, 3, 4), PreliminaryOutcome::Open, true, false)),
    );
    w.cmd(
        c,
        amira,
        at(2024, 3, 5, 9, 0),
        C::RecordReporterFeedback(ReporterFeedbackGiven { given_on: date(2024, 3, 5), how: text("Telefon") }),
    );
    w.cmd(
        c,
        ("karin", Role::TeamLeader),
        at(2024, 3, 5, 10, 0),
        C::Allocate(Allocated {
            unit: UnitId::parse("utredning").unwrap(),
            handler: Some(StaffId::parse("lina").unwrap()),
        }),
    );
    let t = at(2024, 4, 2, 10, 0);
    for p in [
        InvestigationPart::Plan { family_invited: true, family_took_part: true, text: text("Plan med mamma.") },
        InvestigationPart::ChildHeard { heard: true, reason_not_heard: None, text: text("Elsa hörd ensam.") },
        InvestigationPart::Consent { consent: false, contacts: Some(text("Skolan och BVC kontaktade, 11 kap. 2 §.")) },
        InvestigationPart::AssessmentMethod { methods: vec![text("FREDA")] },
        InvestigationPart::ViolenceRiskAssessment {
            method: text("FREDA-farlighetsbedömning"),
            conclusion: text("Risk"),
        },
        InvestigationPart::PoliceReportDecision { reported: true, motivation: text("Skolan har redan anmält.") },
        InvestigationPart::Facts { text: text("Fakta.") },
        InvestigationPart::NeedsAssessment { text: text("Behov.") },
        InvestigationPart::OwnCapacityAssessment { text: text("Egen förmåga.") },
        InvestigationPart::ProposedGoals { text: text("Mål: tryggt hem.") },
        InvestigationPart::Conduct { text: text("Samtal, hembesök.") },
        InvestigationPart::Communication { communicated_on: date(2024, 4, 2), to_whom: text("Mamma") },
    ] {
        w.cmd(c, lina, t, part(p));
    }
    w.cmd(
        c,
        ("tove", Role::TeamLeader),
        at(2024, 5, 20, 10, 0),
        C::DecideInvestigation(InvestigationDecided {
            decided_on: date(2024, 5, 20),
            outcome: InvestigationOutcome::GrantIntervention {
                interventions: vec![GrantedIntervention {
                    intervention: InterventionId::from_u128(77),
                    kind: InterventionKind::ContactFamily,
                    from: date(2024, 6, 1),
                    to: Some(date(2024, 12, 31)),
                    long_term_care: false,
                }],
            },
            board_decision: None,
            motivation: text("Kontaktfamilj."),
        }),
    );
    // A new report during the investigation, protection-assessed.
    w.push(
        c.stream(),
        lina,
        at(2024, 4, 10, 9, 0),
        Payload::ReportJoined(ReportJoined {
            report_case: CaseId::from_u128(999),
            received_at: at(2024, 4, 9, 9, 0),
            protection_assessed: true,
        }),
        None,
    );
    c
}

/// The auditors' findings in one file: no protection assessment, late preliminary
/// assessment with reason, earlier knowledge listed but not described, no feedback, an
/// investigation over time with nothing documented, violence without risk assessment or
/// police-report decision, a new report not protection-assessed.
fn bad_file(w: &mut World) -> CaseId {
    let c = w.register(ActualisationKind::Report, at(2024, 3, 4, 8, 10), vec![Reason::ViolenceAgainstChild], 1)[0];
    w.cmd(
        c,
        ("amira", Role::Handler),
        at(2024, 3, 20, 9, 0),
        C::DecidePreliminaryAssessment(prelim(date(2024, 3, 20), PreliminaryOutcome::Open, false, true)),
    );
    w.cmd(
        c,
        ("tove", Role::TeamLeader),
        at(2024, 8, 15, 9, 0),
        C::DecideInvestigation(InvestigationDecided {
            decided_on: date(2024, 8, 15),
            outcome: InvestigationOutcome::CloseWithoutIntervention,
            board_decision: None,
            motivation: text("Avslutas."),
        }),
    );
    w.push(
        c.stream(),
        ("lina", Role::Handler),
        at(2024, 5, 10, 9, 0),
        Payload::InvestigationPartRecorded(InvestigationPartRecorded {
            part: InvestigationPart::Consent { consent: false, contacts: None },
        }),
        None,
    );
    w.push(
        c.stream(),
        ("lina", Role::Handler),
        at(2024, 5, 10, 9, 0),
        Payload::InvestigationPartRecorded(InvestigationPartRecorded {
            part: InvestigationPart::ChildHeard { heard: false, reason_not_heard: None, text: text("") },
        }),
        None,
    );
    w.push(
        c.stream(),
        ("lina", Role::Handler),
        at(2024, 4, 10, 9, 0),
        Payload::ReportJoined(ReportJoined {
            report_case: CaseId::from_u128(998),
            received_at: at(2024, 4, 9, 9, 0),
            protection_assessed: false,
        }),
        None,
    );
    c
}

/// A legacy file imported from another system, with what the commands would refuse.
fn legacy_file(w: &mut World) -> CaseId {
    let c = CaseId::from_u128(4242);
    let s = c.stream();
    let rita = ("rita", Role::Registrar);
    w.push(
        s.clone(),
        rita,
        at(2024, 3, 4, 8, 10),
        Payload::ActualisationRegistered(ActualisationRegistered {
            case: c,
            actualisation: ActualisationId::from_u128(4242),
            child: PersonId::from_u128(42),
            siblings: vec![],
            kind: ActualisationKind::Report,
            received_at: at(2024, 3, 4, 8, 10),
            channel: Channel::Phone,
            reporter: Reporter {
                category: ReporterCategory::PrivatePerson,
                name: None,
                organisation: None,
                contact: None,
            },
            reasons: vec![],
            text: text(""),
            unit: UnitId::parse("mottagning").unwrap(),
            after_hours: false,
            receipt: None,
            submission: None,
        }),
        None,
    );
    w.push(
        s.clone(),
        ("omar.unq", Role::Handler),
        at(2024, 3, 5, 14, 0),
        Payload::ProtectionAssessmentRecorded(ProtectionAssessmentRecorded {
            assessed_at: at(2024, 3, 5, 14, 0),
            assessor_name: text("Omar"),
            assessor_title: text(""),
            facts: text(" "),
            immediate_need: false,
            protection_plan: None,
        }),
        None,
    );
    let mut p = prelim(date(2024, 3, 25), PreliminaryOutcome::Open, true, false);
    p.child_view = ChildView::NotObtained { reason: text("") };
    w.push(
        s.clone(),
        ("omar.unq", Role::Handler),
        at(2024, 3, 25, 9, 0),
        Payload::PreliminaryAssessmentDecided(p),
        None,
    );
    w.push(
        s.clone(),
        ("omar.unq", Role::Handler),
        at(2024, 3, 25, 9, 0),
        Payload::InvestigationOpened(InvestigationOpened {
            opened_on: date(2024, 3, 25),
            basis: InvestigationBasis::PreliminaryAssessment,
        }),
        None,
    );
    w.push(
        s,
        ("omar.unq", Role::Handler),
        at(2024, 4, 1, 9, 0),
        Payload::InvestigationPartRecorded(InvestigationPartRecorded {
            part: InvestigationPart::Facts { text: text("Fakta.") },
        }),
        None,
    );
    c
}

/// A decision entered as it stands (imported), recorded on its date.
fn decide_as(w: &mut World, c: CaseId, who: (&str, Role), on: chrono::NaiveDate, d: Payload) {
    w.push(c.stream(), who, start(on), d, None);
}

fn start(d: chrono::NaiveDate) -> chrono::DateTime<chrono::Utc> {
    skyndsam_domain::calendar::start_of_local_day(d) + chrono::Duration::hours(10)
}

#[test]
fn a_file_done_right_is_ja_on_every_applicable_question() {
    let mut w = World::new();
    let c = good_file(&mut w);
    let i = ins(&w, c, date(2024, 12, 31));
    assert_eq!(i.answers.len(), q().question.len());
    for ans in &i.answers {
        assert_ne!(ans.answer, Reply::No, "{:?} {} — {}", ans.section, ans.question, ans.evidence.note);
    }
    assert_eq!(a(&i, PA, "extension_reason"), Reply::NotApplicable);
    assert_eq!(a(&i, PA, "protection_timely"), Reply::Yes);
    assert_eq!(a(&i, IV, "police_report"), Reply::Yes);
    assert_eq!(a(&i, IV, "authorised_delegate"), Reply::Yes);
    // Evidence names the entry and the rule.
    let e = &i.answer(PA, "protection_author").unwrap().evidence;
    assert!(e.seq.is_some());
    assert!(e.rule.contains("11 kap. 1 a §"), "{}", e.rule);
}

#[test]
fn the_auditors_findings_are_nej_with_their_evidence() {
    let mut w = World::new();
    let c = bad_file(&mut w);
    let i = ins(&w, c, date(2024, 12, 31));
    for (s, id, want) in [
        (PA, "protection_timely", Reply::No),
        (PA, "protection_author", Reply::No),
        (PA, "protection_time", Reply::No),
        (PA, "protection_facts", Reply::No),
        (PA, "preliminary_timely", Reply::No),
        (PA, "extension_reason", Reply::Yes),
        (PA, "earlier_knowledge", Reply::No),
        (PA, "reporter_feedback", Reply::No),
        (PA, "authorised_delegate", Reply::Yes),
        (IV, "timely", Reply::No),
        (IV, "family_invited", Reply::No),
        (IV, "child_heard", Reply::No),
        (IV, "child_view", Reply::No),
        (IV, "contacts_11_2", Reply::No),
        (IV, "facts", Reply::No),
        (IV, "needs_assessment", Reply::No),
        (IV, "how_conducted", Reply::No),
        (IV, "own_capacity", Reply::No),
        (IV, "insats_goals", Reply::NotApplicable),
        (IV, "structured_method", Reply::No),
        (IV, "new_reports_assessed", Reply::No),
        (IV, "kommunicering", Reply::No),
        (IV, "violence_risk", Reply::No),
        (IV, "police_report", Reply::No),
    ] {
        assert_eq!(a(&i, s, id), want, "{id}: {}", i.answer(s, id).unwrap().evidence.note);
    }
    // Earlier knowledge listed but not described (the auditors' footnote *).
    assert!(i.answer(PA, "earlier_knowledge").unwrap().evidence.note.contains("bara listad"));
    assert!(!i.answer(PA, "earlier_knowledge").unwrap().auto);
    // Violence with no police-report decision.
    assert!(i.answer(IV, "police_report").unwrap().evidence.note.contains("varken polisanmälan"));
    assert!(i.answer(PA, "preliminary_timely").unwrap().evidence.note.contains("skäl dokumenterat"));
}

#[test]
fn a_legacy_file_answers_nej_where_the_commands_would_have_refused() {
    let mut w = World::new();
    let c = legacy_file(&mut w);
    let i = ins(&w, c, date(2024, 12, 31));
    for (s, id, want) in [
        (PA, "reporter_documented", Reply::No),
        (PA, "reason_documented", Reply::No),
        (PA, "protection_timely", Reply::No),
        (PA, "protection_author", Reply::No),
        (PA, "protection_time", Reply::Yes),
        (PA, "protection_facts", Reply::No),
        (PA, "preliminary_timely", Reply::No),
        (PA, "extension_reason", Reply::No),
        (PA, "child_view", Reply::No),
        (PA, "handler_qualified", Reply::No),
        (PA, "reporter_feedback", Reply::NotApplicable),
        (IV, "reason", Reply::No),
        (IV, "handler_qualified", Reply::No),
        (IV, "facts", Reply::Yes),
        (IV, "needs_assessment", Reply::NotApplicable),
        (IV, "police_report", Reply::NotApplicable),
    ] {
        assert_eq!(a(&i, s, id), want, "{id}: {}", i.answer(s, id).unwrap().evidence.note);
    }
}

#[test]
fn not_open_under_a_redelegation_by_email_is_nej_and_under_a_written_one_ja() {
    let mut w = World::new();
    // Re-delegated "by e-mail": nothing in the journal but the handler's decision.
    let c1 = w.register(ActualisationKind::Report, at(2024, 3, 4, 9, 0), vec![Reason::SchoolAbsence], 1)[0];
    let C::DecidePreliminaryAssessment(p) = not_open(date(2024, 3, 6)) else { unreachable!() };
    decide_as(&mut w, c1, ("amira", Role::Handler), date(2024, 3, 6), Payload::PreliminaryAssessmentDecided(p.clone()));
    let i = ins(&w, c1, date(2024, 12, 31));
    assert_eq!(a(&i, PA, "authorised_delegate"), Reply::No);
    let note = &i.answer(PA, "authorised_delegate").unwrap().evidence.note;
    assert!(note.contains("ingen skriftlig vidaredelegering"), "{note}");
    assert!(note.contains("teamledare eller enhetschef"), "{note}");
    // Re-delegated by a team leader (not authorised to re-delegate): still Nej.
    w.push(
        ORG_STREAM.into(),
        ("karin", Role::TeamLeader),
        at(2024, 3, 1, 9, 0),
        Payload::RedelegationDecided(RedelegationDecided {
            redelegation: "E-POST".into(),
            ..redelegation("x", date(2024, 3, 1), date(2024, 5, 31))
        }),
        None,
    );
    assert_eq!(a(&ins(&w, c1, date(2024, 12, 31)), PA, "authorised_delegate"), Reply::No);
    // A written re-delegation by the förvaltningschef covering the date: Ja.
    redelegate(&mut w, &redelegation("VD-2024-1", date(2024, 3, 1), date(2024, 5, 31)));
    let i = ins(&w, c1, date(2024, 12, 31));
    assert_eq!(a(&i, PA, "authorised_delegate"), Reply::Yes);
    assert!(i.answer(PA, "authorised_delegate").unwrap().evidence.note.contains("VD-2024-1"));
}

fn long_term_care(board: Option<BoardDecision>) -> InvestigationDecided {
    InvestigationDecided {
        decided_on: date(2024, 6, 20),
        outcome: InvestigationOutcome::GrantIntervention {
            interventions: vec![GrantedIntervention {
                intervention: InterventionId::from_u128(5),
                kind: InterventionKind::FosterHome,
                from: date(2024, 7, 1),
                to: None,
                long_term_care: true,
            }],
        },
        board_decision: board,
        motivation: text("Stadigvarande vård och fostran i familjehem."),
    }
}

#[test]
fn a_long_term_care_decision_by_an_official_is_nej_and_the_committees_is_ja() {
    let mut w = World::new();
    let c = w.register(ActualisationKind::Application, at(2024, 3, 4, 9, 0), vec![Reason::NeglectOfCare], 1)[0];
    decide_as(
        &mut w,
        c,
        ("ulla", Role::UnitManager),
        date(2024, 6, 20),
        Payload::InvestigationDecided(long_term_care(None)),
    );
    let i = ins(&w, c, date(2024, 12, 31));
    assert_eq!(a(&i, IV, "authorised_delegate"), Reply::No);
    assert!(i.answer(IV, "authorised_delegate").unwrap().evidence.note.contains("får inte delegeras"));
    // An application has no preliminary assessment.
    assert_eq!(a(&i, PA, "preliminary_timely"), Reply::NotApplicable);
    // No goals for the proposed insats in a decided grant: Nej.
    assert_eq!(a(&i, IV, "insats_goals"), Reply::No);

    let mut w = World::new();
    let c = w.register(ActualisationKind::Application, at(2024, 3, 4, 9, 0), vec![Reason::NeglectOfCare], 1)[0];
    let board = BoardDecision { body: Role::Committee, meeting_on: date(2024, 6, 20), paragraph: text("§ 47") };
    w.cmd(c, ("lina", Role::Handler), at(2024, 6, 20, 15, 0), C::DecideInvestigation(long_term_care(Some(board))));
    let i = ins(&w, c, date(2024, 12, 31));
    assert_eq!(a(&i, IV, "authorised_delegate"), Reply::Yes);
    assert!(i.answer(IV, "authorised_delegate").unwrap().evidence.note.contains("biståndsutskott 2024-06-20 § 47"));
}

#[test]
fn an_underrattelse_registered_as_anmalan_without_protection_assessment_is_nej_until_the_kind_is_corrected() {
    let mut w = World::new();
    let c = w.register(ActualisationKind::Report, at(2024, 3, 4, 9, 0), vec![Reason::Crime], 1)[0];
    // Within the 24 hours: not yet answerable.
    let i = ins(&w, c, date(2024, 3, 4));
    assert_eq!(a(&i, PA, "protection_timely"), Reply::NotApplicable);
    assert_eq!(a(&i, PA, "decision_taken"), Reply::NotApplicable);
    let i = ins(&w, c, date(2024, 3, 25));
    for id in ["protection_timely", "protection_author", "protection_time", "protection_facts", "decision_taken"] {
        assert_eq!(a(&i, PA, id), Reply::No, "{id}");
    }
    // The kind chosen deliberately: a correction of the registration to underrättelse.
    let mut reg = match &w.events(c)[0].payload {
        Payload::ActualisationRegistered(r) => r.clone(),
        _ => unreachable!(),
    };
    reg.kind = ActualisationKind::Notification;
    let first = w.events(c)[0].seq;
    w.push(
        c.stream(),
        ("karin", Role::TeamLeader),
        at(2024, 3, 20, 9, 0),
        Payload::ActualisationRegistered(reg),
        Some(first),
    );
    let i = ins(&w, c, date(2024, 3, 25));
    for id in ["protection_timely", "protection_author", "protection_time", "protection_facts"] {
        assert_eq!(a(&i, PA, id), Reply::NotApplicable, "{id}");
    }
    assert!(i.answer(PA, "protection_timely").unwrap().evidence.note.contains("underrättelse"));
    // As of a date before the correction, the file still showed the finding.
    assert_eq!(a(&ins(&w, c, date(2024, 3, 10)), PA, "protection_timely"), Reply::No);
}

#[test]
fn every_question_reaches_both_ja_and_nej_and_the_unit_summary_drills_to_the_cases() {
    let mut w = World::new();
    let files = [good_file(&mut w), bad_file(&mut w), legacy_file(&mut w)];
    let c = w.register(ActualisationKind::Report, at(2024, 3, 4, 9, 0), vec![Reason::SchoolAbsence], 1)[0];
    let C::DecidePreliminaryAssessment(p) = not_open(date(2024, 3, 6)) else { unreachable!() };
    decide_as(&mut w, c, ("amira", Role::Handler), date(2024, 3, 6), Payload::PreliminaryAssessmentDecided(p));
    let lt = w.register(ActualisationKind::Application, at(2024, 3, 4, 9, 0), vec![Reason::NeglectOfCare], 1)[0];
    decide_as(
        &mut w,
        lt,
        ("ulla", Role::UnitManager),
        date(2024, 6, 20),
        Payload::InvestigationDecided(long_term_care(None)),
    );
    let none = w.register(ActualisationKind::Report, at(2024, 3, 4, 9, 0), vec![Reason::SchoolAbsence], 1)[0];
    let mut all: Vec<CaseId> = files.to_vec();
    all.extend([c, lt, none]);
    let inspections: Vec<CaseInspection> = all.iter().map(|c| ins(&w, *c, date(2024, 12, 31))).collect();
    let mut seen: BTreeMap<(Section, String), BTreeSet<Reply>> = BTreeMap::new();
    for i in &inspections {
        for ans in &i.answers {
            seen.entry((ans.section, ans.question.clone())).or_default().insert(ans.answer);
        }
    }
    for ((s, id), replies) in &seen {
        if *s == IV && id == "whom" {
            continue;
        }
        assert!(replies.contains(&Reply::Yes) && replies.contains(&Reply::No), "{s:?} {id}: {replies:?}");
    }
    let sum = summarise(&q(), &inspections);
    assert_eq!(sum.cases, 6);
    let row = sum.questions.iter().find(|r| r.section == PA && r.question == "authorised_delegate").unwrap();
    assert_eq!((row.yes, row.no), (3, 1));
    assert_eq!(row.cases_no, vec![c]);
    assert_eq!(row.share_yes, Some(0.75));
    let json = serde_json::to_value(&inspections[1]).unwrap();
    assert_eq!(json["answers"][0]["answer"], "Ja");
    assert!(json.to_string().contains("Ej tillämpligt"));
}
