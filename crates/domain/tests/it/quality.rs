//! The quality-management system's rules (DOMAIN §5, SCENARIOS 6–7), driven with a
//! simulated clock through the pure commands.

use crate::harness::*;
use chrono::{DateTime, Utc};
use skyndsam_domain::case::CaseState;
use skyndsam_domain::clock::DeadlineState as S;
use skyndsam_domain::commands::Context;
use skyndsam_domain::events::*;
use skyndsam_domain::ids::*;
use skyndsam_domain::org::Role;
use skyndsam_domain::quality::commands::{
    handle, ComplaintCommand, ControlPlanCommand, DeviationCommand as D, LexSarahCommand as L, Lookup,
    MatterCommand as M, QualityCommand as Q, SurveyCommand,
};
use skyndsam_domain::quality::rules::{QualityRules, Recommendation};
use skyndsam_domain::quality::{
    deadlines, detect, stats, DeviationStatus, LexSarahStatus, Matter, QualityDeadlineKind as QK,
};
use skyndsam_domain::rules::{RuleTable, DEFAULT_RULES_TOML};
use skyndsam_domain::{DomainError, ErrorCode};
use std::collections::HashMap;

/// The world plus the quality matters folded so far.
struct Q6 {
    w: World,
    matters: HashMap<String, Matter>,
    cases: HashMap<CaseId, CaseState>,
}

impl Lookup for Q6 {
    fn matter(&self, stream: &str) -> Option<&Matter> {
        self.matters.get(stream)
    }
    fn case(&self, id: &CaseId) -> Option<&CaseState> {
        self.cases.get(id)
    }
}

impl Q6 {
    fn new() -> Self {
        let mut w = World::new();
        // A unit manager for the intake unit and a quality developer for the administration.
        for (id, role, unit) in
            [("maja", Role::UnitManager, "mottagning"), ("kvalle", Role::QualityDeveloper, "forvaltning")]
        {
            let t = at(2020, 1, 1, 9, 0);
            w.push(
                ORG_STREAM.into(),
                ("system", Role::System),
                t,
                Payload::StaffRegistered(StaffRegistered {
                    staff: StaffId::parse(id).unwrap(),
                    name: format!("{id} Exempelsson"),
                    title: role.label_sv().into(),
                    qualified: true,
                }),
                None,
            );
            w.push(
                ORG_STREAM.into(),
                ("system", Role::System),
                t,
                Payload::RoleGranted(RoleGranted {
                    staff: StaffId::parse(id).unwrap(),
                    role,
                    unit: UnitId::parse(unit).unwrap(),
                    from: date(2020, 1, 1),
                    to: None,
                }),
                None,
            );
        }
        Self { w, matters: HashMap::new(), cases: HashMap::new() }
    }

    fn refresh_cases(&mut self) {
        self.cases = self
            .w
            .streams
            .iter()
            .filter(|(s, _)| s.starts_with("case/"))
            .filter_map(|(_, evs)| CaseState::from_events(evs.iter()))
            .map(|c| (c.case, c))
            .collect();
    }

    fn try_q(&mut self, who: (&str, Role), now: DateTime<Utc>, cmd: Q) -> Result<(), DomainError> {
        self.refresh_cases();
        let actor =
            if who.1 == Role::System { skyndsam_domain::org::Actor::system() } else { self.w.actor(who.0, who.1) };
        let out = {
            let ctx = Context { now, rules: &self.w.rules, org: &self.w.org, actor: &actor };
            handle(&cmd, &ctx, self)?
        };
        // The expected versions hold (the store would refuse otherwise).
        for (stream, v) in &out.expect {
            assert_eq!(self.matters.get(stream).map(|m| m.version()), *v, "expectation on {stream}");
        }
        for e in out.events {
            let stream = e.stream.clone();
            let seq = self.w.push(e.stream, (e.meta.actor.as_str(), e.meta.role), e.meta.recorded_at, e.payload, None);
            let rec = self.w.streams[&stream].iter().find(|r| r.seq == seq).unwrap().clone();
            match self.matters.get_mut(&stream) {
                Some(m) => m.apply(&rec),
                None => {
                    self.matters.insert(stream.clone(), Matter::start(&rec).unwrap());
                }
            }
        }
        Ok(())
    }

    fn q(&mut self, who: (&str, Role), now: DateTime<Utc>, cmd: Q) {
        if let Err(e) = self.try_q(who, now, cmd) {
            panic!("refused: {} {}", e.code.as_str(), e.message);
        }
    }

    fn refused(&mut self, who: (&str, Role), now: DateTime<Utc>, cmd: Q) -> ErrorCode {
        let before = self.w.streams.values().map(Vec::len).sum::<usize>();
        let e = self.try_q(who, now, cmd).expect_err("should be refused");
        assert_eq!(self.w.streams.values().map(Vec::len).sum::<usize>(), before, "nothing written");
        assert!(!e.message.is_empty());
        e.code
    }

    fn deviation(&self, id: DeviationId) -> &skyndsam_domain::quality::DeviationState {
        match &self.matters[&id.stream()] {
            Matter::Deviation(d) => d,
            other => panic!("not a deviation: {other:?}"),
        }
    }

    fn lex_sarah(&self, id: LexSarahId) -> &skyndsam_domain::quality::LexSarahState {
        match &self.matters[&id.stream()] {
            Matter::LexSarah(l) => l,
            other => panic!("not lex Sarah: {other:?}"),
        }
    }

    fn clock(
        &self,
        stream: &str,
        kind: QK,
        today: chrono::NaiveDate,
    ) -> Option<(chrono::NaiveDate, S, Option<StaffId>)> {
        deadlines(&self.matters[stream], &self.w.rules)
            .into_iter()
            .find(|d| d.kind == kind)
            .map(|d| (d.last_day, d.state(&self.w.rules, today), d.owner))
    }
}

const RITA: (&str, Role) = ("rita", Role::Registrar);
const MAJA: (&str, Role) = ("maja", Role::UnitManager);
const AMIRA: (&str, Role) = ("amira", Role::Handler);
const KARIN: (&str, Role) = ("karin", Role::TeamLeader);
const GRETA: (&str, Role) = ("greta", Role::HeadOfAdministration);
const KVALLE: (&str, Role) = ("kvalle", Role::QualityDeveloper);

fn staff(s: &str) -> StaffId {
    StaffId::parse(s).unwrap()
}

fn report(
    id: DeviationId,
    case: Option<CaseId>,
    on: chrono::NaiveDate,
    direction: DeviationDirection,
) -> DeviationReported {
    DeviationReported {
        deviation: id,
        unit: UnitId::parse("mottagning").unwrap(),
        assignee: None,
        occurred_on: on,
        category: "registrering".into(),
        direction,
        external_body: (direction != DeviationDirection::Internal).then(|| "Barn- och utbildningsförvaltningen".into()),
        case,
        description: "En inskannad anmälan låg okopplad till handläggare i sex dagar.".into(),
        immediate_action: Some("Kopplad samma dag som det upptäcktes.".into()),
        source: DeviationSource::Staff,
        risk: None,
    }
}

fn investigation() -> DeviationInvestigated {
    DeviationInvestigated {
        what_happened: "Anmälan skannades in men kopplades inte till handläggare.".into(),
        failures: "Ingen läste inkorgen under frånvaro.".into(),
        causes: "Högt inflöde och ingen rutin vid frånvaro.".into(),
        measures: "Daglig reservläsare.".into(),
        recurrence_prevented: true,
        risk: None,
    }
}

fn measure(due: chrono::NaiveDate) -> Q {
    Q::Deviation(
        DeviationId::from_u128(1),
        D::Matter(M::DecideMeasure(MeasureDecided {
            measure: 99,
            description: "En reservläsare av inkorgen varje dag.".into(),
            owner: staff("karin"),
            due,
        })),
    )
}

#[test]
fn scenario_7_a_deviation_from_report_to_locked_with_a_measure_a_follow_up_and_feedback() {
    let mut q = Q6::new();
    let received = at(2026, 3, 2, 10, 0);
    let case = q.w.register(ActualisationKind::Report, received, vec![Reason::ViolenceAgainstChild], 1)[0];
    let id = DeviationId::from_u128(1);
    let s = id.stream();

    // The administrator reports from the case page; it lands with the intake unit's manager.
    q.q(
        RITA,
        at(2026, 3, 9, 14, 0),
        Q::ReportDeviation(report(id, Some(case), date(2026, 3, 9), DeviationDirection::Internal)),
    );
    let d = q.deviation(id);
    assert_eq!(d.handling.assignee, Some(staff("maja")));
    assert_eq!(d.handling.case, Some(case));
    assert_eq!(d.status(), DeviationStatus::Reported);
    // The 6-week clock: last day six weeks after the report, on the manager's list.
    assert_eq!(
        q.clock(&s, QK::DeviationInvestigation, date(2026, 3, 9)),
        Some((date(2026, 4, 20), S::Ok, Some(staff("maja"))))
    );
    assert_eq!(q.clock(&s, QK::DeviationInvestigation, date(2026, 4, 18)).unwrap().1, S::DueSoon);
    assert_eq!(q.clock(&s, QK::DeviationInvestigation, date(2026, 4, 21)).unwrap().1, S::Overdue);

    // A handler with no part in it may not investigate; the manager may.
    assert_eq!(
        q.refused(AMIRA, at(2026, 3, 10, 9, 0), Q::Deviation(id, D::Investigate(investigation()))),
        ErrorCode::NotAuthorised
    );
    // The four questions are all required.
    let mut half = investigation();
    half.causes = " ".into();
    assert_eq!(q.refused(MAJA, at(2026, 3, 10, 9, 0), Q::Deviation(id, D::Investigate(half))), ErrorCode::InvalidInput);
    // A follow-up before any measure is refused.
    let fu = |text: &str| {
        Q::Deviation(
            id,
            D::Matter(M::FollowUp(FollowUpRecorded {
                text: text.into(),
                effect: Effect::Achieved,
                next_follow_up: None,
            })),
        )
    };
    assert_eq!(q.refused(MAJA, at(2026, 3, 10, 9, 0), fu("Följt upp.")), ErrorCode::Incomplete);

    q.q(MAJA, at(2026, 3, 10, 9, 0), Q::Deviation(id, D::Investigate(investigation())));
    assert_eq!(q.deviation(id).status(), DeviationStatus::UnderInvestigation);
    // A measure with an owner and a date, numbered by the domain; it is on the owner's list.
    q.q(MAJA, at(2026, 3, 10, 9, 5), measure(date(2026, 3, 24)));
    assert_eq!(q.deviation(id).handling.measures[0].measure, 1);
    assert_eq!(
        q.clock(&s, QK::Measure(1), date(2026, 3, 23)),
        Some((date(2026, 3, 24), S::DueSoon, Some(staff("karin"))))
    );
    // The owner marks it done.
    q.q(
        KARIN,
        at(2026, 3, 20, 9, 0),
        Q::Deviation(
            id,
            D::Matter(M::CompleteMeasure(MeasureCompleted {
                measure: 1,
                completed_on: date(2026, 3, 20),
                comment: None,
            })),
        ),
    );
    assert_eq!(q.clock(&s, QK::Measure(1), date(2026, 3, 25)).unwrap().1, S::Met);

    // Locking before the reporter has had feedback is refused.
    let lock = || Q::Deviation(id, D::Lock(MatterLocked { summary: "Rutin för reservläsare införd.".into() }));
    assert_eq!(q.refused(MAJA, at(2026, 4, 10, 9, 0), lock()), ErrorCode::Incomplete);
    // Follow-up after a month, feedback, lock.
    q.q(MAJA, at(2026, 4, 10, 9, 0), fu("Inga okopplade handlingar sedan rutinen infördes."));
    q.q(
        MAJA,
        at(2026, 4, 10, 9, 10),
        Q::Deviation(
            id,
            D::Feedback(FeedbackGiven {
                text: "Tack! Vi har infört en reservläsare.".into(),
                channel: FeedbackChannel::InApp,
            }),
        ),
    );
    q.q(MAJA, at(2026, 4, 10, 9, 20), lock());
    let d = q.deviation(id);
    assert_eq!(d.status(), DeviationStatus::Locked);
    assert_eq!(q.clock(&s, QK::DeviationInvestigation, date(2026, 5, 1)).unwrap().1, S::Met);

    // Locked: the investigation cannot change; a later addition is a new entry.
    assert_eq!(
        q.refused(MAJA, at(2026, 4, 11, 9, 0), Q::Deviation(id, D::Investigate(investigation()))),
        ErrorCode::Locked
    );
    assert_eq!(q.refused(MAJA, at(2026, 4, 11, 9, 0), measure(date(2026, 5, 1))), ErrorCode::Locked);
    q.q(
        RITA,
        at(2026, 4, 11, 9, 0),
        Q::Deviation(id, D::Matter(M::Note(QualityNoteWritten { text: "Tillägg: rutinen fungerar.".into() }))),
    );
    // An uninvolved handler may not write in it.
    let note = Q::Deviation(id, D::Matter(M::Note(QualityNoteWritten { text: "x".into() })));
    assert_eq!(q.refused(AMIRA, at(2026, 4, 11, 9, 0), note), ErrorCode::NotAuthorised);

    // Counted: reported and closed in the year, investigated within six weeks.
    let c = stats::counts(
        q.matters.values(),
        stats::Window { from: date(2026, 1, 1), to: date(2026, 12, 31), units: None },
        &q.w.rules,
    );
    assert_eq!((c.deviations_reported, c.deviations_closed_at_end, c.deviations_open_at_end), (1, 1, 0));
    assert_eq!(c.deviations_by_unit_category["mottagning"]["registrering"], 1);
    assert_eq!(c.avv_6v(), Some(1.0));
    // Seen on the day before it was locked, it was still open.
    let early = stats::counts(
        q.matters.values(),
        stats::Window { from: date(2026, 1, 1), to: date(2026, 4, 9), units: None },
        &q.w.rules,
    );
    assert_eq!((early.deviations_open_at_end, early.deviations_closed_at_end), (1, 0));
}

#[test]
fn bad_reports_are_refused_naming_the_field_and_nothing_is_written() {
    let mut q = Q6::new();
    let now = at(2026, 3, 9, 14, 0);
    let id = DeviationId::from_u128(2);
    let mut r = report(id, None, date(2026, 3, 9), DeviationDirection::Internal);
    r.category = "finns-inte".into();
    assert_eq!(q.refused(RITA, now, Q::ReportDeviation(r)), ErrorCode::InvalidInput);
    let r = report(id, None, date(2026, 3, 10), DeviationDirection::Internal);
    assert_eq!(q.refused(RITA, now, Q::ReportDeviation(r)), ErrorCode::DateInFuture);
    let mut r = report(id, None, date(2026, 3, 9), DeviationDirection::ExternalIncoming);
    r.external_body = None;
    assert_eq!(q.refused(RITA, now, Q::ReportDeviation(r)), ErrorCode::InvalidInput);
    let r = report(id, Some(CaseId::from_u128(999)), date(2026, 3, 9), DeviationDirection::Internal);
    assert_eq!(q.refused(RITA, now, Q::ReportDeviation(r)), ErrorCode::NotFound);
    // Staff may not pose as the system's detection, and auditors do not report.
    let mut r = report(id, None, date(2026, 3, 9), DeviationDirection::Internal);
    r.source = DeviationSource::System { detection: DetectionKind::UnlinkedDocument, key: "x".into() };
    assert_eq!(q.refused(RITA, now, Q::ReportDeviation(r)), ErrorCode::InvalidInput);
    let mut r = report(id, None, date(2026, 3, 9), DeviationDirection::Internal);
    r.risk = Some(RiskScore { severity: 5, probability: 1 });
    assert_eq!(q.refused(RITA, now, Q::ReportDeviation(r)), ErrorCode::InvalidInput);
}

#[test]
fn scenario_7_an_escalation_to_lex_sarah_keeps_the_deviations_history_and_ends_in_the_ivo_report() {
    let mut q = Q6::new();
    let id = DeviationId::from_u128(3);
    let ls = LexSarahId::from_u128(30);
    let mut r = report(id, None, date(2026, 5, 11), DeviationDirection::Internal);
    r.category = "tidsfrister".into();
    r.description = "Ett barn blev utan skyddsbedömning över en helg.".into();
    q.q(AMIRA, at(2026, 5, 11, 8, 30), Q::ReportDeviation(r));

    // The risk matrix: severity 4 recommends lex Sarah whatever the probability; 2 × 2 does not.
    let m = &q.w.rules.quality.risk_matrix;
    assert_eq!(m.recommend(RiskScore { severity: 4, probability: 1 }), Recommendation::LexSarah);
    assert_eq!(m.recommend(RiskScore { severity: 3, probability: 3 }), Recommendation::LexSarah);
    assert_eq!(m.recommend(RiskScore { severity: 2, probability: 2 }), Recommendation::Deviation);

    let escalate = Q::Deviation(
        id,
        D::Escalate {
            lex_sarah: ls,
            reason: "Barnet lämnades utan skyddsbedömning i 60 timmar: möjligt missförhållande.".into(),
            risk: RiskScore { severity: 4, probability: 2 },
            assignee: None,
        },
    );
    assert_eq!(q.refused(AMIRA, at(2026, 5, 12, 9, 0), escalate.clone()), ErrorCode::NotAuthorised);
    q.q(MAJA, at(2026, 5, 12, 9, 0), escalate);
    // Both streams moved in one append; the deviation is kept and points on.
    let d = q.deviation(id);
    assert_eq!((d.status(), d.escalated_to), (DeviationStatus::Escalated, Some(ls)));
    assert_eq!(q.w.streams[&id.stream()].len(), 2, "the deviation's history is kept");
    let l = q.lex_sarah(ls);
    assert_eq!(l.from_deviation, Some(id));
    assert_eq!(l.handling.assignee, Some(staff("kvalle")), "the lex Sarah investigator by the rule table");
    // The deviation's clock stopped at the escalation; further acts go to the lex Sarah.
    assert_eq!(q.clock(&id.stream(), QK::DeviationInvestigation, date(2026, 5, 13)).unwrap().1, S::Met);
    assert_eq!(
        q.refused(MAJA, at(2026, 5, 13, 9, 0), Q::Deviation(id, D::Investigate(investigation()))),
        ErrorCode::WrongState
    );

    // Classification needs the investigation first, and the delegate.
    let classify = |on| {
        Q::LexSarah(
            ls,
            L::Classify(LexSarahClassified {
                classification: LexSarahClassification::SubstantialRiskOfSerious,
                motivation: "Rutinen för helgbemanning brast; barnet kunde ha skadats.".into(),
                decided_on: on,
            }),
        )
    };
    assert_eq!(q.refused(GRETA, at(2026, 5, 20, 9, 0), classify(date(2026, 5, 20))), ErrorCode::Incomplete);
    q.q(
        KVALLE,
        at(2026, 5, 19, 9, 0),
        Q::LexSarah(
            ls,
            L::Investigate(LexSarahInvestigated {
                course_of_events: "Anmälan kom fredag 16.40 och lästes måndag.".into(),
                consequences: "Barnet var utan bedömd skyddsbehov i 60 timmar.".into(),
                causes: "Ingen överlämning till länsjouren.".into(),
                immediate_measures: "Överlämningsrutin fredagar.".into(),
                users_view: "Vårdnadshavaren har informerats och lämnat synpunkter.".into(),
                staff_view: "Personalen bekräftar att rutinen saknades.".into(),
                analysis: "Påtaglig risk för allvarligt missförhållande.".into(),
            }),
        ),
    );
    assert_eq!(q.refused(MAJA, at(2026, 5, 20, 9, 0), classify(date(2026, 5, 20))), ErrorCode::NotAuthorised);
    q.q(GRETA, at(2026, 5, 20, 9, 0), classify(date(2026, 5, 20)));
    // Serious: the IVO clock starts, on the investigator's list.
    let s = ls.stream();
    assert_eq!(q.clock(&s, QK::IvoReport, date(2026, 5, 20)), Some((date(2026, 6, 3), S::Ok, Some(staff("kvalle")))));
    let close = || Q::LexSarah(ls, L::Close(MatterLocked { summary: "Åtgärder vidtagna.".into() }));
    assert_eq!(q.refused(GRETA, at(2026, 5, 21, 9, 0), close()), ErrorCode::Incomplete);
    q.q(
        GRETA,
        at(2026, 5, 25, 9, 0),
        Q::LexSarah(
            ls,
            L::ReportToIvo(LexSarahReportedToIvo {
                sent_on: date(2026, 5, 25),
                ivo_reference: None,
                summary: "Anmälan enligt 14 kap. 7 § SoL.".into(),
            }),
        ),
    );
    assert_eq!(q.lex_sarah(ls).status(), LexSarahStatus::ReportedToIvo);
    assert_eq!(q.clock(&s, QK::IvoReport, date(2026, 6, 10)).unwrap().1, S::Met);
    q.q(GRETA, at(2026, 5, 26, 9, 0), close());
    assert_eq!(q.lex_sarah(ls).status(), LexSarahStatus::Closed);

    let c = stats::counts(
        q.matters.values(),
        stats::Window { from: date(2026, 1, 1), to: date(2026, 12, 31), units: None },
        &q.w.rules,
    );
    assert_eq!(c.lex_sarah_by_classification[&LexSarahClassification::SubstantialRiskOfSerious], 1);
    assert_eq!((c.lex_sarah_reported, c.lex_sarah_reported_to_ivo, c.deviations_escalated), (1, 1, 1));
}

#[test]
fn a_minor_classification_is_not_reported_to_ivo() {
    let mut q = Q6::new();
    let ls = LexSarahId::from_u128(40);
    q.q(
        AMIRA,
        at(2026, 5, 11, 8, 30),
        Q::ReportLexSarah(LexSarahReported {
            lex_sarah: ls,
            unit: UnitId::parse("mottagning").unwrap(),
            assignee: None,
            occurred_on: date(2026, 5, 8),
            case: None,
            description: "Bristande bemötande vid besök.".into(),
            immediate_action: None,
            from_deviation: None,
            risk: Some(RiskScore { severity: 2, probability: 2 }),
        }),
    );
    q.q(
        KVALLE,
        at(2026, 5, 12, 9, 0),
        Q::LexSarah(
            ls,
            L::Investigate(LexSarahInvestigated {
                course_of_events: "a".into(),
                consequences: "b".into(),
                causes: "c".into(),
                immediate_measures: "d".into(),
                users_view: "e".into(),
                staff_view: "f".into(),
                analysis: "g".into(),
            }),
        ),
    );
    q.q(
        GRETA,
        at(2026, 5, 13, 9, 0),
        Q::LexSarah(
            ls,
            L::Classify(LexSarahClassified {
                classification: LexSarahClassification::RiskOfImpropriety,
                motivation: "Risk, inte allvarlig.".into(),
                decided_on: date(2026, 5, 13),
            }),
        ),
    );
    assert_eq!(q.clock(&ls.stream(), QK::IvoReport, date(2026, 5, 13)), None, "no IVO clock");
    let ivo = Q::LexSarah(
        ls,
        L::ReportToIvo(LexSarahReportedToIvo { sent_on: date(2026, 5, 14), ivo_reference: None, summary: "x".into() }),
    );
    assert_eq!(q.refused(GRETA, at(2026, 5, 14, 9, 0), ivo), ErrorCode::WrongState);
    q.q(GRETA, at(2026, 5, 14, 9, 0), Q::LexSarah(ls, L::Close(MatterLocked { summary: "Avslutad.".into() })));
}

#[test]
fn an_external_deviation_is_sent_on_and_its_clock_stops_when_it_is_forwarded() {
    let mut q = Q6::new();
    let id = DeviationId::from_u128(5);
    let mut r = report(id, None, date(2026, 2, 2), DeviationDirection::ExternalOutgoing);
    r.description = "Skolans orosanmälan kom tre veckor efter händelsen.".into();
    q.q(RITA, at(2026, 2, 2, 10, 0), Q::ReportDeviation(r));
    let lock = || Q::Deviation(id, D::Lock(MatterLocked { summary: "Skickad vidare och besvarad.".into() }));
    assert_eq!(q.refused(MAJA, at(2026, 2, 3, 9, 0), lock()), ErrorCode::Incomplete);
    q.q(
        MAJA,
        at(2026, 2, 3, 9, 0),
        Q::Deviation(
            id,
            D::Forward(DeviationForwarded {
                to_body: "Barn- och utbildningsförvaltningen".into(),
                contact: "avvikelser.buf@kommun.example".into(),
                sent_on: date(2026, 2, 3),
            }),
        ),
    );
    assert_eq!(q.deviation(id).status(), DeviationStatus::Forwarded);
    assert_eq!(q.clock(&id.stream(), QK::DeviationInvestigation, date(2026, 4, 1)).unwrap().1, S::Met);
    q.q(
        MAJA,
        at(2026, 3, 1, 9, 0),
        Q::Deviation(
            id,
            D::ExternalAnswer(ExternalAnswerReceived {
                received_on: date(2026, 3, 1),
                text: "Rutinen ses över.".into(),
            }),
        ),
    );
    q.q(
        MAJA,
        at(2026, 3, 1, 9, 5),
        Q::Deviation(
            id,
            D::Feedback(FeedbackGiven { text: "BUF har svarat.".into(), channel: FeedbackChannel::InApp }),
        ),
    );
    q.q(MAJA, at(2026, 3, 1, 9, 10), lock());
    // Only outgoing ones are forwarded.
    let other = DeviationId::from_u128(6);
    q.q(
        RITA,
        at(2026, 3, 2, 10, 0),
        Q::ReportDeviation(report(other, None, date(2026, 3, 2), DeviationDirection::Internal)),
    );
    let fwd = Q::Deviation(
        other,
        D::Forward(DeviationForwarded { to_body: "x".into(), contact: "y".into(), sent_on: date(2026, 3, 2) }),
    );
    assert_eq!(q.refused(MAJA, at(2026, 3, 2, 11, 0), fwd), ErrorCode::WrongState);
    let c = stats::counts(
        q.matters.values(),
        stats::Window { from: date(2026, 1, 1), to: date(2026, 12, 31), units: None },
        &q.w.rules,
    );
    assert_eq!((c.deviations_external_outgoing, c.deviations_internal), (1, 1));
}

#[test]
fn a_named_complaint_is_answered_within_the_routines_days_and_an_anonymous_one_has_no_answer_clock() {
    let mut q = Q6::new();
    let named = ComplaintId::from_u128(7);
    let anon = ComplaintId::from_u128(8);
    let receive = |id, source, contact: Option<&str>| {
        Q::ReceiveComplaint(ComplaintReceived {
            complaint: id,
            kind: ComplaintKind::Complaint,
            source,
            subject: ComplaintSubject::Treatment,
            received_on: date(2026, 9, 1),
            unit: UnitId::parse("utredning").unwrap(),
            assignee: None,
            case: None,
            description: "Kände mig inte lyssnad på.".into(),
            contact: contact.map(str::to_owned),
        })
    };
    assert_eq!(
        q.refused(RITA, at(2026, 9, 1, 10, 0), receive(anon, ComplaintSource::Anonymous, Some("070-000"))),
        ErrorCode::InvalidInput
    );
    q.q(RITA, at(2026, 9, 1, 10, 0), receive(named, ComplaintSource::Relative, Some("070-000 00 00")));
    q.q(RITA, at(2026, 9, 1, 10, 5), receive(anon, ComplaintSource::Anonymous, None));
    let s = named.stream();
    assert_eq!(
        q.clock(&s, QK::ComplaintAnswer, date(2026, 9, 1)),
        Some((date(2026, 9, 15), S::Ok, Some(staff("ulla"))))
    );
    assert_eq!(q.clock(&anon.stream(), QK::ComplaintAnswer, date(2026, 9, 1)), None);
    let close = |id| Q::Complaint(id, ComplaintCommand::Close(MatterLocked { summary: "Klart.".into() }));
    assert_eq!(q.refused(("ulla", Role::UnitManager), at(2026, 9, 2, 9, 0), close(named)), ErrorCode::Incomplete);
    q.q(
        ("ulla", Role::UnitManager),
        at(2026, 9, 10, 9, 0),
        Q::Complaint(
            named,
            ComplaintCommand::Answer(ComplaintAnswered { on: date(2026, 9, 10), text: "Vi beklagar.".into() }),
        ),
    );
    q.q(("ulla", Role::UnitManager), at(2026, 9, 10, 9, 5), close(named));
    q.q(("ulla", Role::UnitManager), at(2026, 9, 10, 9, 6), close(anon));
    let c = stats::counts(
        q.matters.values(),
        stats::Window { from: date(2026, 1, 1), to: date(2026, 12, 31), units: None },
        &q.w.rules,
    );
    assert_eq!(c.complaints_by_source[&ComplaintSource::Relative], 1);
    assert_eq!(c.complaints_by_subject[&ComplaintSubject::Treatment], 2);
    assert_eq!((c.complaints_answered_in_time, c.complaints_closed_at_end), (1, 2));
}

#[test]
fn scenario_6_an_intervention_past_its_decision_is_detected_once_and_the_switch_turns_it_off() {
    let mut w = World::new();
    let case = w.register(ActualisationKind::Report, at(2026, 1, 5, 10, 0), vec![Reason::ViolenceAgainstChild], 1)[0];
    let iv = InterventionId::from_u128(77);
    w.push(
        case.stream(),
        ("ulla", Role::UnitManager),
        at(2026, 3, 1, 10, 0),
        Payload::InterventionGranted(InterventionGranted {
            decided_on: date(2026, 3, 1),
            granted: GrantedIntervention {
                intervention: iv,
                kind: InterventionKind::FamilyTreatment,
                from: date(2026, 3, 1),
                to: Some(date(2026, 8, 31)),
                long_term_care: false,
            },
            board_decision: None,
        }),
        None,
    );
    w.push(
        case.stream(),
        ("lina", Role::Handler),
        at(2026, 3, 2, 10, 0),
        Payload::InterventionStarted(InterventionStarted { intervention: iv, started_on: date(2026, 3, 2) }),
        None,
    );
    let state = w.state(case);
    let kinds = |now| detect::detect(&state, &w.rules, now).into_iter().map(|d| d.kind).collect::<Vec<_>>();
    // On its last day nothing; on 1 September "insats pågår utan beslut".
    assert!(!kinds(at(2026, 8, 31, 12, 0)).contains(&DetectionKind::InterventionWithoutDecision));
    let found = detect::detect(&state, &w.rules, at(2026, 9, 1, 8, 0));
    let d = found.iter().find(|d| d.kind == DetectionKind::InterventionWithoutDecision).unwrap();
    assert_eq!(d.occurred_on, date(2026, 9, 1));
    // The same finding tomorrow has the same deviation id: the sweep reports it once.
    let again = detect::detect(&state, &w.rules, at(2026, 9, 2, 8, 0));
    assert!(again.iter().any(|x| x.deviation_id() == d.deviation_id()));
    let r = d.report(&w.rules, Some(staff("ulla")));
    assert_eq!(r.category, "insats");
    assert!(!r.description.contains("Exempelsson"), "no personal data in the system's text");
    // Switched off per municipality.
    let mut rules = w.rules.clone();
    rules.quality.detection.intervention_without_decision = false;
    assert!(detect::detect(&state, &rules, at(2026, 9, 1, 8, 0))
        .iter()
        .all(|x| x.kind != DetectionKind::InterventionWithoutDecision));

    // The system files it through the same command as staff, as the system.
    let mut q = Q6 { w, matters: HashMap::new(), cases: HashMap::new() };
    q.q(("system", Role::System), at(2026, 9, 1, 8, 0), Q::ReportDeviation(r.clone()));
    assert_eq!(q.deviation(d.deviation_id()).detection, Some(DetectionKind::InterventionWithoutDecision));
    assert_eq!(q.refused(("system", Role::System), at(2026, 9, 2, 8, 0), Q::ReportDeviation(r)), ErrorCode::Conflict);
    // A system-found deviation is locked without feedback (no one reported it).
    let id = d.deviation_id();
    q.q(("ulla", Role::UnitManager), at(2026, 9, 3, 9, 0), Q::Deviation(id, D::Investigate(investigation())));
    q.q(
        ("ulla", Role::UnitManager),
        at(2026, 9, 3, 9, 5),
        Q::Deviation(id, D::Lock(MatterLocked { summary: "Nytt beslut fattat.".into() })),
    );
}

#[test]
fn a_late_preliminary_assessment_is_detected_and_a_flagged_decision_too() {
    let mut w = World::new();
    let case = w.register(ActualisationKind::Report, at(2026, 1, 5, 10, 0), vec![Reason::ViolenceAgainstChild], 1)[0];
    let state = w.state(case);
    let at_day =
        |d| detect::detect(&state, &w.rules, at(2026, 1, d, 9, 0)).into_iter().map(|x| x.kind).collect::<Vec<_>>();
    assert!(!at_day(19).contains(&DetectionKind::PreliminaryLateWithoutReason), "day 14 is in time");
    assert!(at_day(20).contains(&DetectionKind::PreliminaryLateWithoutReason));
    // The unlinked-document detection is off by default and on with a number of days.
    assert!(!at_day(20).contains(&DetectionKind::UnlinkedDocument));
    let mut rules = w.rules.clone();
    rules.quality.detection.unlinked_document_days = 3;
    assert!(detect::detect(&state, &rules, at(2026, 1, 9, 9, 0))
        .iter()
        .any(|x| x.kind == DetectionKind::UnlinkedDocument));
    assert!(detect::detect(&state, &rules, at(2026, 1, 8, 9, 0))
        .iter()
        .all(|x| x.kind != DetectionKind::UnlinkedDocument));
}

#[test]
fn internal_control_needs_its_risks_and_every_result_before_the_report_to_the_board() {
    let mut q = Q6::new();
    let risk = RiskId::from_u128(9);
    q.q(
        KVALLE,
        at(2026, 1, 10, 9, 0),
        Q::RegisterRisk(RiskRegistered {
            risk,
            title: "Förhandsbedömningar över 14 dagar".into(),
            description: "Hög inströmning ger sena beslut.".into(),
            process: "Förhandsbedömning".into(),
            unit: Some(UnitId::parse("mottagning").unwrap()),
            score: RiskScore { severity: 3, probability: 4 },
        }),
    );
    match &q.matters[&risk.stream()] {
        Matter::Risk(r) => assert_eq!((r.score.value(), q.w.rules.quality.risk_matrix.level_sv(r.score)), (12, "hög")),
        _ => panic!(),
    }
    let plan = ControlPlanId::from_u128(10);
    let moment = |r| ControlMoment {
        moment: 0,
        risk: r,
        control: "Andel förhandsbedömningar inom 14 dagar".into(),
        method: "Statistik per tertial".into(),
        owner: staff("maja"),
        due: date(2026, 9, 30),
    };
    let adopt = |r| {
        Q::AdoptControlPlan(ControlPlanAdopted {
            plan,
            year: 2026,
            adopted_on: date(2026, 2, 18),
            board_reference: "SN 2026-02-18 § 14".into(),
            moments: vec![moment(r)],
        })
    };
    assert_eq!(q.refused(KVALLE, at(2026, 2, 19, 9, 0), adopt(RiskId::from_u128(404))), ErrorCode::NotFound);
    assert_eq!(q.refused(AMIRA, at(2026, 2, 19, 9, 0), adopt(risk)), ErrorCode::NotAuthorised);
    q.q(KVALLE, at(2026, 2, 19, 9, 0), adopt(risk));
    let s = plan.stream();
    assert_eq!(
        q.clock(&s, QK::ControlMoment(1), date(2026, 9, 28)),
        Some((date(2026, 9, 30), S::DueSoon, Some(staff("maja"))))
    );
    let report = || {
        Q::ControlPlan(
            plan,
            ControlPlanCommand::SubmitReport(ControlReportSubmitted {
                on: date(2026, 12, 1),
                text: "Slutrapport.".into(),
            }),
        )
    };
    assert_eq!(q.refused(KVALLE, at(2026, 12, 1, 9, 0), report()), ErrorCode::Incomplete);
    q.q(
        MAJA,
        at(2026, 9, 20, 9, 0),
        Q::ControlPlan(
            plan,
            ControlPlanCommand::RecordResult(ControlResultRecorded {
                moment: 1,
                on: date(2026, 9, 20),
                result: "64 %.".into(),
                remarks: true,
            }),
        ),
    );
    q.q(KVALLE, at(2026, 12, 1, 9, 0), report());
    let c = stats::counts(
        q.matters.values(),
        stats::Window { from: date(2026, 1, 1), to: date(2026, 12, 31), units: None },
        &q.w.rules,
    );
    assert_eq!((c.control_moments_done, c.control_moments_with_remarks), (1, 1));
}

#[test]
fn a_surveys_response_rate_and_nki_per_unit_and_sex_follow_the_answers() {
    let mut q = Q6::new();
    let id = SurveyId::from_u128(11);
    let u = UnitId::parse("utredning").unwrap();
    q.q(
        KVALLE,
        at(2026, 10, 1, 9, 0),
        Q::DefineSurvey(SurveyDefined {
            survey: id,
            name: "Brukarundersökning avslutad utredning 2026".into(),
            units: vec![u.clone()],
            from: date(2026, 10, 1),
            to: date(2026, 11, 30),
            scale_max: 10,
            questions: vec![
                SurveyQuestion { text: "Hur nöjd är du sammantaget?".into(), nki: true },
                SurveyQuestion { text: "Blev du lyssnad på?".into(), nki: true },
                SurveyQuestion { text: "Fick du information i tid?".into(), nki: false },
            ],
        }),
    );
    let resp = |sex, a: [Option<u8>; 3]| SurveyResponse { unit: u.clone(), sex: Some(sex), answers: a.to_vec() };
    let bad = Q::Survey(
        id,
        SurveyCommand::RecordResponses(SurveyResponsesRecorded {
            responses: vec![resp(skyndsam_domain::personnummer::Sex::Female, [Some(11), None, None])],
            source: "manuell".into(),
        }),
    );
    assert_eq!(q.refused(KVALLE, at(2026, 11, 1, 9, 0), bad), ErrorCode::InvalidInput);
    use skyndsam_domain::personnummer::Sex::{Female as F, Male as Mm};
    q.q(
        KVALLE,
        at(2026, 11, 1, 9, 0),
        Q::Survey(
            id,
            SurveyCommand::RecordInvitations(SurveyInvitationsRecorded {
                invited: vec![
                    SurveyInvited { unit: u.clone(), sex: Some(F), count: 4 },
                    SurveyInvited { unit: u.clone(), sex: Some(Mm), count: 6 },
                ],
            }),
        ),
    );
    q.q(
        KVALLE,
        at(2026, 11, 1, 9, 5),
        Q::Survey(
            id,
            SurveyCommand::RecordResponses(SurveyResponsesRecorded {
                responses: vec![
                    resp(F, [Some(10), Some(10), Some(1)]),
                    resp(F, [Some(1), Some(10), None]),
                    resp(Mm, [Some(4), Some(7), Some(5)]),
                    // Missing one NKI answer: counts as a response, not towards NKI.
                    resp(Mm, [None, Some(9), Some(9)]),
                ],
                source: "enkat.csv".into(),
            }),
        ),
    );
    let Matter::Survey(s) = &q.matters[&id.stream()] else { panic!() };
    let rows = stats::survey_results(s);
    let row = |sex| rows.iter().find(|r| r.unit.as_ref() == Some(&u) && r.sex == sex).unwrap();
    // Girls: respondents 100 and 50 → 75; boys: (33.3 + 66.7)/2 = 50 → 50 (one respondent).
    assert_eq!((row(Some(F)).responses, row(Some(F)).response_rate), (2, Some(0.5)));
    assert!((row(Some(F)).nki.unwrap() - 75.0).abs() < 1e-9);
    assert!((row(Some(Mm)).nki.unwrap() - 50.0).abs() < 1e-9);
    assert_eq!(row(Some(Mm)).nki_respondents, 1);
    let total = rows.last().unwrap();
    assert_eq!((total.invited, total.responses), (10, 4));
    assert!((total.nki.unwrap() - (100.0 + 50.0 + 50.0) / 3.0).abs() < 1e-9);
}

#[test]
fn the_quality_defaults_in_code_equal_the_shipped_rule_table() {
    let shipped = RuleTable::from_toml(DEFAULT_RULES_TOML).unwrap();
    assert_eq!(shipped.quality, QualityRules::default());
    // A rule file from before the section existed still loads, with the defaults.
    let start = DEFAULT_RULES_TOML.find("\n[quality]").unwrap();
    let old = RuleTable::from_toml(&DEFAULT_RULES_TOML[..start]).unwrap();
    assert_eq!(old.quality, QualityRules::default());
    // A broken section is refused with a Swedish message.
    let broken = DEFAULT_RULES_TOML.replace("deviation_investigation_weeks = 6", "deviation_investigation_weeks = 0");
    assert!(RuleTable::from_toml(&broken).unwrap_err().message.contains("kvalitet"));
}

#[test]
fn quality_events_fit_only_their_own_streams() {
    let mut q = Q6::new();
    let id = DeviationId::from_u128(12);
    q.q(
        RITA,
        at(2026, 3, 9, 14, 0),
        Q::ReportDeviation(report(id, None, date(2026, 3, 9), DeviationDirection::Internal)),
    );
    let e = q.w.streams[&id.stream()][0].clone();
    assert!(skyndsam_domain::quality::fits_stream(&e));
    let mut moved = e.clone();
    moved.stream = DeviationId::from_u128(13).stream();
    assert!(!skyndsam_domain::quality::fits_stream(&moved));
    let mut in_case = e;
    in_case.stream = CaseId::from_u128(1).stream();
    assert!(!skyndsam_domain::quality::fits_stream(&in_case));
}

#[test]
fn the_trends_self_inspection_counts_each_case_in_its_month_of_receipt_and_unit() {
    use skyndsam_domain::checks::Reply::{No, NotApplicable as Na, Yes};
    let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day).unwrap();
    let tally = |rs: &[skyndsam_domain::checks::Reply]| {
        let mut t = stats::Tally::default();
        for r in rs {
            t.add(*r);
        }
        t
    };
    let (a, b, c) = (UnitId::parse("a").unwrap(), UnitId::parse("b").unwrap(), UnitId::parse("c").unwrap());
    let units = [a.clone(), b.clone()];
    let w = stats::Window { from: d(2026, 1, 1), to: d(2026, 3, 31), units: Some(&units) };
    let mut months = stats::trend(std::iter::empty(), w);
    let cases = vec![
        (d(2026, 1, 5), &a, tally(&[Yes, Yes, No, Na])),
        (d(2026, 1, 31), &a, tally(&[Yes, No])),
        (d(2026, 1, 20), &b, tally(&[No, No])),
        // Outside the window or the units: not counted.
        (d(2025, 12, 31), &a, tally(&[Yes])),
        (d(2026, 4, 1), &a, tally(&[Yes])),
        (d(2026, 2, 3), &c, tally(&[No])),
        (d(2026, 3, 3), &b, tally(&[Yes, Yes, Yes])),
    ];
    stats::add_self_inspection(&mut months, w, cases);
    let jan = &months[0];
    let total = jan.self_inspection.unwrap();
    assert_eq!((total.yes, total.no, total.not_applicable), (3, 4, 1));
    assert_eq!(total.share_yes, Some(3.0 / 7.0));
    let ua = jan.self_inspection_by_unit["a"];
    assert_eq!((ua.yes, ua.no, ua.share_yes), (3, 2, Some(0.6)));
    assert_eq!(jan.self_inspection_by_unit["b"].share_yes, Some(0.0));
    // February: a month with no answers has a total of zero and no share.
    assert_eq!(months[1].self_inspection, Some(stats::Tally::default()));
    assert!(months[1].self_inspection_by_unit.is_empty());
    assert_eq!(months[2].self_inspection.unwrap().share_yes, Some(1.0));
    assert_eq!(months[2].self_inspection_by_unit.len(), 1);
    // Without answers given, the series is absent (not zero).
    assert_eq!(stats::trend(std::iter::empty(), w)[0].self_inspection, None);
}

#[test]
fn the_trends_file_audits_count_in_the_month_they_were_analysed_without_drop_outs() {
    use skyndsam_domain::checks::{Reply, Section};
    use skyndsam_domain::quality::model::{AuditDropOut, AuditedFile};
    use skyndsam_domain::quality::{AnswerState, FileAuditState, Handling};
    let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day).unwrap();
    let case = |n| CaseId::from_u128(n);
    let audit = |n: u128, unit: &str, analysed_on: Option<chrono::NaiveDate>, answers: &[(u128, &str, Reply)]| {
        let id = FileAuditId::from_u128(n);
        Matter::FileAudit(FileAuditState {
            id,
            handling: Handling {
                stream: id.stream(),
                version: 1,
                last_seq: 1,
                unit: UnitId::parse(unit).unwrap(),
                assignee: None,
                reported_by: staff("kvalle"),
                reported_role: Role::QualityDeveloper,
                reported_at: at(2025, 12, 1, 9, 0),
                reported_on: d(2025, 12, 1),
                case: None,
                measures: vec![],
                follow_ups: vec![],
                next_follow_up: None,
                locked_on: None,
                notes: 0,
            },
            year: 2025,
            seed: 1,
            method: "slump".into(),
            population: 10,
            files: (1..=3).map(|c| AuditedFile { case: case(c), stratum: "alla".into(), handler: None }).collect(),
            drop_outs: vec![AuditDropOut { case: case(3), reason: "Akten saknas".into() }],
            questions: skyndsam_domain::checks::Questionnaire { question: vec![] },
            answers: answers
                .iter()
                .map(|(c, q, r)| {
                    (
                        (case(*c), Section::PreliminaryAssessment, (*q).to_owned()),
                        AnswerState { reply: *r, automatic: None, overridden: false },
                    )
                })
                .collect(),
            analysed_on,
        })
    };
    let answers = [(1, "q1", Reply::Yes), (1, "q2", Reply::No), (2, "q1", Reply::Yes), (3, "q1", Reply::No)];
    let matters = [
        // Started in December, analysed in February: counts in February, drop-out left out.
        audit(1, "a", Some(d(2026, 2, 10)), &answers),
        // Another unit's audit, and one not yet analysed: not counted.
        audit(2, "c", Some(d(2026, 2, 11)), &answers),
        audit(3, "a", None, &answers),
        // Analysed after the window.
        audit(4, "a", Some(d(2026, 4, 1)), &answers),
    ];
    let units = [UnitId::parse("a").unwrap()];
    let w = stats::Window { from: d(2026, 1, 1), to: d(2026, 3, 31), units: Some(&units) };
    let months = stats::trend(&matters, w);
    assert!(months[0].file_audits.is_empty());
    let feb = months[1].file_audits["a"];
    assert_eq!((feb.yes, feb.no, feb.not_applicable), (2, 1, 0));
    assert_eq!(feb.share_yes, Some(2.0 / 3.0));
    assert_eq!(months[1].file_audits.len(), 1);
    assert!(months[2].file_audits.is_empty());
    // A file audit is no deviation, lex Sarah or complaint: not in the per-unit counts.
    assert!(months.iter().all(|m| m.by_unit.is_empty()));
}

// ------------------------------------------------------------------ file-audit templates

mod audit_templates {
    use super::*;
    use skyndsam_domain::checks::{inspect, AuditTemplate, ExtraQuestion, QuestionRef, Questionnaire, Reply, Section};
    use skyndsam_domain::org::UnitFunction;
    use skyndsam_domain::quality::commands::FileAuditCommand as F;

    fn catalogue() -> Questionnaire {
        Questionnaire::defaults().unwrap()
    }

    fn pick(ids: &[&str]) -> Vec<QuestionRef> {
        let c = catalogue();
        ids.iter()
            .map(|id| {
                let q = c.question.iter().find(|q| q.id == *id).unwrap();
                QuestionRef { section: q.applies_to, id: q.id.clone() }
            })
            .collect()
    }

    fn extra(id: &str, text: &str) -> ExtraQuestion {
        ExtraQuestion { section: Section::PreliminaryAssessment, id: id.into(), text: text.into() }
    }

    fn intake_template() -> AuditTemplate {
        AuditTemplate {
            function: UnitFunction::Intake,
            include: pick(&["reporter_documented", "protection_timely"]),
            extra: vec![extra("barnsamtal_mottagning", "Har barnet fått ett eget samtal i mottagningen?")],
        }
    }

    fn set(q: &mut Q6, who: (&str, Role), t: &AuditTemplate) -> Result<u64, DomainError> {
        let actor = q.w.actor(who.0, who.1);
        let e = {
            let ctx = Context { now: at(2026, 1, 10, 9, 0), rules: &q.w.rules, org: &q.w.org, actor: &actor };
            skyndsam_domain::commands::set_audit_template(t, &catalogue(), &ctx)?
        };
        Ok(q.w.org_event(e))
    }

    fn open(id: FileAuditId, case: CaseId, questions: Vec<skyndsam_domain::checks::Question>) -> Q {
        Q::OpenFileAudit(FileAuditOpened {
            audit: id,
            unit: UnitId::parse("mottagning").unwrap(),
            year: 2025,
            seed: 7,
            method: "slump".into(),
            population: 1,
            files: vec![AuditedFile { case, stratum: "alla".into(), handler: None }],
            drop_outs: vec![],
            questions,
        })
    }

    fn audit(q: &Q6, id: FileAuditId) -> &skyndsam_domain::quality::FileAuditState {
        match &q.matters[&id.stream()] {
            Matter::FileAudit(a) => a,
            other => panic!("not an audit: {other:?}"),
        }
    }

    fn answer(case: CaseId, section: Section, question: &str, automatic: Option<Reply>) -> Q {
        Q::FileAudit(
            FileAuditId::from_u128(1),
            F::Answer(FileAuditAnswersRecorded {
                answers: vec![AuditAnswer {
                    case,
                    section,
                    question: question.into(),
                    reply: Reply::Yes,
                    automatic,
                    comment: None,
                }],
                source: "manuell".into(),
            }),
        )
    }

    #[test]
    fn a_template_is_checked_against_the_catalogue_with_swedish_messages() {
        let c = catalogue();
        let ok = intake_template();
        assert!(ok.validate(&c).is_ok());
        let refused = |t: AuditTemplate| {
            let e = t.validate(&c).expect_err("should be refused");
            assert_eq!(e.code, ErrorCode::InvalidInput);
            e.message
        };
        let mut t = ok.clone();
        t.include.push(QuestionRef { section: Section::Investigation, id: "finns_inte".into() });
        assert_eq!(refused(t), "Frågan finns_inte finns inte i frågekatalogen.");
        let mut t = ok.clone();
        t.include.push(t.include[0].clone());
        assert_eq!(refused(t), "Frågan reporter_documented är vald två gånger.");
        let mut t = ok.clone();
        t.extra.push(extra("barnsamtal_mottagning", "En annan text"));
        assert!(refused(t).contains("finns två gånger"));
        let mut t = ok.clone();
        t.extra.push(extra("child_view", "Samma id som katalogen"));
        assert!(refused(t).contains("används redan av en fråga i katalogen"));
        let mut t = ok.clone();
        t.extra.push(extra("tom_fraga", "   "));
        assert!(refused(t).contains("saknar frågetext"));
        let mut t = ok.clone();
        t.extra.push(extra("Ogiltigt Id", "Text"));
        assert!(refused(t).contains("id ska vara 1–40 tecken"));
        let t = AuditTemplate { function: UnitFunction::Intake, include: vec![], extra: vec![] };
        assert_eq!(refused(t), "Mallen måste ha minst en fråga.");
        let t = AuditTemplate { function: UnitFunction::Management, ..ok.clone() };
        assert!(refused(t).contains("Ledningen granskas inte"));
        // Catalogue questions keep the catalogue's order, the unit type's own come last.
        let asked = ok.questionnaire(&c);
        let ids: Vec<&str> = asked.question.iter().map(|q| q.id.as_str()).collect();
        assert_eq!(ids, ["reporter_documented", "protection_timely", "barnsamtal_mottagning"]);
        assert!(asked.question[2].extra && !asked.question[2].auto);
    }

    #[test]
    fn only_the_quality_developer_sets_a_template() {
        let mut q = Q6::new();
        let e = set(&mut q, ("maja", Role::UnitManager), &intake_template()).unwrap_err();
        assert_eq!(e.code, ErrorCode::NotAuthorised);
        assert!(q.w.org.audit_templates.is_empty());
        set(&mut q, KVALLE, &intake_template()).unwrap();
        assert_eq!(q.w.org.audit_templates[&UnitFunction::Intake], intake_template());
    }

    #[test]
    fn an_audit_asks_its_unit_types_template_keeps_it_and_refuses_answers_to_other_questions() {
        let mut q = Q6::new();
        let case =
            q.w.register(ActualisationKind::Report, at(2025, 3, 3, 10, 0), vec![Reason::ViolenceAgainstChild], 1)[0];
        // Without a template the whole catalogue is asked (today's behaviour).
        let before = FileAuditId::from_u128(9);
        q.q(KVALLE, at(2026, 1, 9, 9, 0), open(before, case, vec![]));
        assert_eq!(audit(&q, before).questions, catalogue());

        set(&mut q, KVALLE, &intake_template()).unwrap();
        let id = FileAuditId::from_u128(1);
        q.q(KVALLE, at(2026, 1, 10, 10, 0), open(id, case, vec![]));
        let expected = intake_template().questionnaire(&catalogue());
        assert_eq!(audit(&q, id).questions, expected);
        // The event itself records the questions (reproducible after the template changes).
        let recorded = &q.w.streams[&id.stream()][0];
        match &recorded.payload {
            Payload::FileAuditOpened(o) => assert_eq!(o.questions, expected.question),
            other => panic!("{other:?}"),
        }
        // The audit opened before the template still asks the whole catalogue.
        assert_eq!(audit(&q, before).questions, catalogue());

        // An auditor from another unit answers: an excluded question is refused, nothing written.
        let lina = ("lina", Role::Handler);
        let code =
            q.refused(lina, at(2026, 1, 11, 9, 0), answer(case, Section::PreliminaryAssessment, "child_view", None));
        assert_eq!(code, ErrorCode::InvalidInput);
        // Included and own questions are taken; the own question has no automatic answer.
        q.q(lina, at(2026, 1, 11, 9, 0), answer(case, Section::PreliminaryAssessment, "barnsamtal_mottagning", None));
        let a = audit(&q, id);
        assert_eq!(a.answers.len(), 1);

        // A later template does not change the open audit; a caller holding the old questions is refused.
        let mut later = intake_template();
        later.include = pick(&["reporter_documented"]);
        set(&mut q, KVALLE, &later).unwrap();
        assert_eq!(audit(&q, id).questions, expected);
        let stale = FileAuditId::from_u128(2);
        let code = q.refused(KVALLE, at(2026, 1, 12, 9, 0), open(stale, case, expected.question.clone()));
        assert_eq!(code, ErrorCode::Conflict);

        // The record answers the catalogue's questions; the own one is left to the auditor.
        let insp = inspect(
            &q.w.events(case),
            &q.w.rules,
            &q.w.org,
            &expected,
            chrono::NaiveDate::from_ymd_opt(2026, 1, 11).unwrap(),
        )
        .unwrap();
        assert_eq!(insp.answers.len(), 3);
        let own = insp.answer(Section::PreliminaryAssessment, "barnsamtal_mottagning").unwrap();
        assert_eq!(
            (own.answer, own.auto, own.evidence.rule.as_str()),
            (Reply::NotApplicable, false, "Enhetstypens egen fråga")
        );
    }

    #[test]
    fn an_audit_opened_before_templates_folds_to_the_default_questionnaire() {
        let mut q = Q6::new();
        let case =
            q.w.register(ActualisationKind::Report, at(2025, 3, 3, 10, 0), vec![Reason::ViolenceAgainstChild], 1)[0];
        // The event as an old journal holds it: no `questions` field.
        let old = serde_json::json!({
            "type": "file_audit_opened",
            "data": {
                "audit": FileAuditId::from_u128(5),
                "unit": "mottagning",
                "year": 2024,
                "seed": 1,
                "method": "slump",
                "population": 1,
                "files": [{"case": case, "stratum": "alla", "handler": null}],
                "drop_outs": []
            }
        });
        let payload: Payload = serde_json::from_value(old).unwrap();
        let stream = FileAuditId::from_u128(5).stream();
        q.w.push(stream.clone(), KVALLE, at(2025, 1, 10, 9, 0), payload, None);
        let m = Matter::start(&q.w.streams[&stream][0]).unwrap();
        match m {
            Matter::FileAudit(a) => assert_eq!(a.questions, catalogue()),
            other => panic!("{other:?}"),
        }
    }
}
