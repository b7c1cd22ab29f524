//! The quality-management system in the reports: a small quality fixture made through the
//! domain's own commands (`quality::commands::handle`, each at its own instant), on top of
//! the case fixture. Every figure the report shows is checked against
//! `skyndsam_domain::quality::stats` over the same matters (folded on their own, the way the
//! store's projection does), and a few are also worked out by hand below.
//!
//! | matter | unit | what happens |
//! |---|---|---|
//! | D0 | mottagning | internal, "registrering", reported 2024-12-10, never investigated (open at both year ends) |
//! | D1 | mottagning | internal, "registrering", linked to case A, reported 02-03; investigated, measure, feedback 02-20; locked 03-01 (in 6 weeks) |
//! | D2 | utredning | internal, "rutin", reported 03-10; investigated 05-05, feedback, locked 05-10 (late: the six weeks ended 04-21) |
//! | D3 | utredning | external from Region Exempellän, "samverkan", reported 11-25; open at year end, six weeks not over (not in AVV-6V) |
//! | D4 | mottagning | external to Polismyndigheten, "samverkan", reported 06-02, forwarded 06-04 (clock met), feedback, locked 06-10 |
//! | D5 | utredning-team-a | internal, "insats", linked to case D, reported 09-01, escalated to lex Sarah L1 09-15 |
//! | D6 | mottagning | system-detected (preliminary assessment late), reported 05-21, investigated and locked 06-10 |
//! | L1 | utredning-team-a | from D5: investigated 10-01, classified "påtaglig risk" 10-10, reported to IVO 10-20, closed 11-15 |
//! | L2 | ungdom | reported 04-01, investigated, classified "ej missförhållande" 05-01, closed 05-02 |
//! | C1 | mottagning | user, bemötande, complaint 03-03; answered 03-10, closed 03-11 |
//! | C2 | utredning | anonymous, handläggning, complaint 07-01; closed 07-02 |
//! | C3 | ungdom | relative, insats, suggestion 12-20; open |
//! | R1, R2, R3 | — | risks 3×4 = 12 (hög), 3×2 = 6 (medel), 1×2 = 2 (låg, retired 06-30) |
//! | P1 | — | plan 2025 adopted 02-15: moment 1 (R1) done 09-30 with remarks, moment 2 (R2) done 10-15 without; a measure decided 10-01, completed 11-20; reported to the board 12-10 |
//! | S1 | utredning, ungdom | survey 09-01…11-30, scale 1–10, three NKI questions and one other; 29 invited, 7 responses |
//! | A1 | utredning | file audit 2025 of cases C and D: C's preliminary assessment late (Nej), D's in time (Ja), D's child's view overridden Ja → Nej; analysed 11-03, one improvement action |

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use skyndsam_domain::case::CaseState;
use skyndsam_domain::commands::Context;
use skyndsam_domain::events::*;
use skyndsam_domain::ids::*;
use skyndsam_domain::org::{Actor, Organisation, Role};
use skyndsam_domain::personnummer::Sex;
use skyndsam_domain::quality::commands::{
    handle, ComplaintCommand, ControlPlanCommand, DeviationCommand, FileAuditCommand, LexSarahCommand, Lookup,
    MatterCommand, QualityCommand, SurveyCommand,
};
use skyndsam_domain::quality::stats::{self, Window};
use skyndsam_domain::quality::Matter;
use skyndsam_domain::rules::RuleTable;
use skyndsam_report::catalogue::IndicatorTable;
use skyndsam_report::compute::{Filter, SexFilter};
use skyndsam_report::documents::{self, Block, Narratives};
use skyndsam_report::period::{Month, MonthRange};
use skyndsam_report::{FactTable, FactsBuilder, Ind, Period, Report, ValueState};

use crate::fixture::*;

/// The quality events made through the commands, sealed as the store would (seq after the
/// case fixture's), with the matters folded as they went.
struct Q {
    rules: RuleTable,
    org: Organisation,
    cases: HashMap<CaseId, CaseState>,
    matters: BTreeMap<String, Matter>,
    events: Vec<RecordedEvent>,
    seq: u64,
}

impl Lookup for Q {
    fn matter(&self, stream: &str) -> Option<&Matter> {
        self.matters.get(stream)
    }
    fn case(&self, id: &CaseId) -> Option<&CaseState> {
        self.cases.get(id)
    }
}

fn staff(s: &str) -> StaffId {
    StaffId::parse(s).unwrap()
}

fn unit(s: &str) -> UnitId {
    UnitId::parse(s).unwrap()
}

/// Who acts: (staff, role, unit).
const STAFF: [(&str, Role, &str); 7] = [
    ("handlaggare-m", Role::Handler, "mottagning"),
    ("chef-m", Role::UnitManager, "mottagning"),
    ("chef-u", Role::UnitManager, "utredning"),
    ("chef-ung", Role::UnitManager, "ungdom"),
    ("kvalitet", Role::QualityDeveloper, "forvaltning"),
    ("forvaltningschef", Role::HeadOfAdministration, "forvaltning"),
    ("teamledare-u", Role::TeamLeader, "utredning-team-a"),
];

fn actor(s: &str) -> Actor {
    let (id, role, u) = STAFF.iter().find(|x| x.0 == s).copied().unwrap();
    Actor { staff: staff(id), role, unit: Some(unit(u)), qualified: true }
}

impl Q {
    fn seal(&mut self, stream: String, meta: EventMeta, payload: Payload) -> RecordedEvent {
        self.seq += 1;
        let version = self.events.iter().filter(|e| e.stream == stream).count() as u32 + 1;
        RecordedEvent {
            seq: self.seq,
            stream,
            version,
            meta,
            schema: SCHEMA_VERSION,
            payload,
            prev_hash: String::new(),
            hash: String::new(),
        }
    }

    fn new() -> Q {
        let rules = RuleTable::defaults().unwrap();
        let base = journal();
        let mut org = Organisation::default();
        let mut by_case: HashMap<CaseId, Vec<RecordedEvent>> = HashMap::new();
        for e in &base {
            if e.payload.is_organisation() {
                org.apply(e);
            } else if let Some(id) = e.stream.strip_prefix("case/").and_then(|s| CaseId::parse(s).ok()) {
                by_case.entry(id).or_default().push(e.clone());
            }
        }
        let cases =
            by_case.into_iter().filter_map(|(id, evs)| CaseState::from_events(evs.iter()).map(|s| (id, s))).collect();
        let seq = base.last().unwrap().seq;
        let mut q = Q { rules, org, cases, matters: BTreeMap::new(), events: base, seq };
        let meta = |on: NaiveDate| EventMeta {
            recorded_at: local(2024, 1, 1, 8, 0),
            effective_on: on,
            actor: StaffId::system(),
            role: Role::System,
            unit: None,
            delegation: None,
            corrects: None,
        };
        for (s, role, u) in STAFF {
            for payload in [
                Payload::StaffRegistered(StaffRegistered {
                    staff: staff(s),
                    name: format!("Person {s}"),
                    title: "Titel".into(),
                    qualified: true,
                }),
                Payload::RoleGranted(RoleGranted {
                    staff: staff(s),
                    role,
                    unit: unit(u),
                    from: d(2024, 1, 1),
                    to: None,
                }),
            ] {
                let e = q.seal(ORG_STREAM.into(), meta(d(2024, 1, 1)), payload);
                q.org.apply(&e);
                q.events.push(e);
            }
        }
        q
    }

    /// Runs one command at noon on `on` (Stockholm), as `who`; the events are sealed and folded.
    fn run(&mut self, on: NaiveDate, who: &str, cmd: QualityCommand) {
        let a = if who == "system" { Actor::system() } else { actor(who) };
        self.run_as(local(on.year(), on.month(), on.day(), 12, 0), &a, cmd);
    }

    fn run_as(&mut self, now: DateTime<Utc>, a: &Actor, cmd: QualityCommand) {
        let out = {
            let ctx = Context { now, rules: &self.rules, org: &self.org, actor: a };
            handle(&cmd, &ctx, self).unwrap_or_else(|e| panic!("{cmd:?}: {}", e.message))
        };
        for ev in out.events {
            let e = self.seal(ev.stream, ev.meta, ev.payload);
            match self.matters.get_mut(&e.stream) {
                Some(m) => m.apply(&e),
                None => {
                    self.matters.insert(e.stream.clone(), Matter::start(&e).unwrap());
                }
            }
            self.events.push(e);
        }
    }
}

use chrono::Datelike;

fn dev(n: u128) -> DeviationId {
    DeviationId::from_u128(0xde00 + n)
}

#[allow(clippy::too_many_arguments)]
fn report_deviation(
    q: &mut Q,
    n: u128,
    on: NaiveDate,
    who: &str,
    u: &str,
    category: &str,
    direction: DeviationDirection,
    case: Option<u128>,
) {
    let external_body = match direction {
        DeviationDirection::Internal => None,
        DeviationDirection::ExternalIncoming => Some("Region Exempellän".to_owned()),
        DeviationDirection::ExternalOutgoing => Some("Polismyndigheten".to_owned()),
    };
    q.run(
        on,
        who,
        QualityCommand::ReportDeviation(DeviationReported {
            deviation: dev(n),
            unit: unit(u),
            assignee: None,
            occurred_on: on,
            category: category.into(),
            direction,
            external_body,
            case: case.map(crate::fixture::case),
            description: "Beskrivning av händelsen.".into(),
            immediate_action: None,
            source: DeviationSource::Staff,
            risk: None,
        }),
    );
}

fn investigate(q: &mut Q, n: u128, on: NaiveDate, who: &str) {
    q.run(
        on,
        who,
        QualityCommand::Deviation(
            dev(n),
            DeviationCommand::Investigate(DeviationInvestigated {
                what_happened: "Förlopp.".into(),
                failures: "Fel.".into(),
                causes: "Orsaker.".into(),
                measures: "Åtgärder.".into(),
                recurrence_prevented: true,
                risk: None,
            }),
        ),
    );
}

fn feedback(q: &mut Q, n: u128, on: NaiveDate, who: &str) {
    q.run(
        on,
        who,
        QualityCommand::Deviation(
            dev(n),
            DeviationCommand::Feedback(FeedbackGiven { text: "Tack.".into(), channel: FeedbackChannel::InApp }),
        ),
    );
}

fn lock(q: &mut Q, n: u128, on: NaiveDate, who: &str) {
    q.run(on, who, QualityCommand::Deviation(dev(n), DeviationCommand::Lock(MatterLocked { summary: "Klar.".into() })));
}

fn lex(n: u128) -> LexSarahId {
    LexSarahId::from_u128(0x1e00 + n)
}

fn lex_investigated() -> LexSarahInvestigated {
    LexSarahInvestigated {
        course_of_events: "Förlopp.".into(),
        consequences: "Konsekvenser.".into(),
        causes: "Orsaker.".into(),
        immediate_measures: "Åtgärder.".into(),
        users_view: "Synpunkter.".into(),
        staff_view: "Synpunkter.".into(),
        analysis: "Analys.".into(),
    }
}

fn complaint(n: u128) -> ComplaintId {
    ComplaintId::from_u128(0xc000 + n)
}

fn risk(n: u128) -> RiskId {
    RiskId::from_u128(0x7000 + n)
}

fn build() -> Q {
    use DeviationDirection::*;
    let mut q = Q::new();
    // D0: last year, never investigated.
    report_deviation(&mut q, 0, d(2024, 12, 10), "handlaggare-m", "mottagning", "registrering", Internal, None);
    // D1: in time.
    report_deviation(&mut q, 1, d(2025, 2, 3), "handlaggare-m", "mottagning", "registrering", Internal, Some(CASE_A));
    investigate(&mut q, 1, d(2025, 2, 20), "chef-m");
    q.run(
        d(2025, 2, 20),
        "chef-m",
        QualityCommand::Deviation(
            dev(1),
            DeviationCommand::Matter(MatterCommand::DecideMeasure(MeasureDecided {
                measure: 0,
                description: "Reservläsare varje dag.".into(),
                owner: staff("chef-m"),
                due: d(2025, 3, 6),
            })),
        ),
    );
    feedback(&mut q, 1, d(2025, 2, 20), "chef-m");
    lock(&mut q, 1, d(2025, 3, 1), "chef-m");
    // The measure is completed after the lock (a locked deviation still takes this).
    q.run(
        d(2025, 3, 5),
        "chef-m",
        QualityCommand::Deviation(
            dev(1),
            DeviationCommand::Matter(MatterCommand::CompleteMeasure(MeasureCompleted {
                measure: 1,
                completed_on: d(2025, 3, 5),
                comment: None,
            })),
        ),
    );
    // D2: late.
    report_deviation(&mut q, 2, d(2025, 3, 10), "teamledare-u", "utredning", "rutin", Internal, None);
    investigate(&mut q, 2, d(2025, 5, 5), "chef-u");
    feedback(&mut q, 2, d(2025, 5, 5), "chef-u");
    lock(&mut q, 2, d(2025, 5, 10), "chef-u");
    // D3: from another body, open at the year's end.
    report_deviation(&mut q, 3, d(2025, 11, 25), "chef-u", "utredning", "samverkan", ExternalIncoming, None);
    // D4: concerns the police; forwarded, then locked.
    report_deviation(&mut q, 4, d(2025, 6, 2), "handlaggare-m", "mottagning", "samverkan", ExternalOutgoing, None);
    q.run(
        d(2025, 6, 4),
        "chef-m",
        QualityCommand::Deviation(
            dev(4),
            DeviationCommand::Forward(DeviationForwarded {
                to_body: "Polismyndigheten".into(),
                contact: "registrator@polisen.example".into(),
                sent_on: d(2025, 6, 4),
            }),
        ),
    );
    feedback(&mut q, 4, d(2025, 6, 4), "chef-m");
    lock(&mut q, 4, d(2025, 6, 10), "chef-m");
    // D5 → L1: escalated, classified as serious, reported to IVO, closed.
    report_deviation(&mut q, 5, d(2025, 9, 1), "teamledare-u", "utredning-team-a", "insats", Internal, Some(CASE_D));
    q.run(
        d(2025, 9, 15),
        "kvalitet",
        QualityCommand::Deviation(
            dev(5),
            DeviationCommand::Escalate {
                lex_sarah: lex(1),
                reason: "Möjligt missförhållande.".into(),
                risk: RiskScore { severity: 4, probability: 2 },
                assignee: None,
            },
        ),
    );
    q.run(
        d(2025, 10, 1),
        "kvalitet",
        QualityCommand::LexSarah(lex(1), LexSarahCommand::Investigate(lex_investigated())),
    );
    q.run(
        d(2025, 10, 10),
        "forvaltningschef",
        QualityCommand::LexSarah(
            lex(1),
            LexSarahCommand::Classify(LexSarahClassified {
                classification: LexSarahClassification::SubstantialRiskOfSerious,
                motivation: "Motivering.".into(),
                decided_on: d(2025, 10, 10),
            }),
        ),
    );
    q.run(
        d(2025, 10, 20),
        "forvaltningschef",
        QualityCommand::LexSarah(
            lex(1),
            LexSarahCommand::ReportToIvo(LexSarahReportedToIvo {
                sent_on: d(2025, 10, 20),
                ivo_reference: None,
                summary: "Anmälan.".into(),
            }),
        ),
    );
    q.run(
        d(2025, 11, 15),
        "forvaltningschef",
        QualityCommand::LexSarah(lex(1), LexSarahCommand::Close(MatterLocked { summary: "Klar.".into() })),
    );
    // D6: found by the system.
    q.run(
        d(2025, 5, 21),
        "system",
        QualityCommand::ReportDeviation(DeviationReported {
            deviation: dev(6),
            unit: unit("mottagning"),
            assignee: None,
            occurred_on: d(2025, 5, 15),
            category: "tidsfrister".into(),
            direction: Internal,
            external_body: None,
            case: Some(crate::fixture::case(CASE_B)),
            description: "Förhandsbedömningen beslutades efter sista dagen.".into(),
            immediate_action: None,
            source: DeviationSource::System {
                detection: DetectionKind::PreliminaryLateWithoutReason,
                key: "preliminary_late_without_reason/b".into(),
            },
            risk: None,
        }),
    );
    investigate(&mut q, 6, d(2025, 6, 10), "chef-m");
    lock(&mut q, 6, d(2025, 6, 10), "chef-m");
    // L2: reported directly, no impropriety.
    q.run(
        d(2025, 4, 1),
        "chef-ung",
        QualityCommand::ReportLexSarah(LexSarahReported {
            lex_sarah: lex(2),
            unit: unit("ungdom"),
            assignee: None,
            occurred_on: d(2025, 3, 30),
            case: None,
            description: "Rapport.".into(),
            immediate_action: None,
            from_deviation: None,
            risk: None,
        }),
    );
    q.run(
        d(2025, 4, 20),
        "kvalitet",
        QualityCommand::LexSarah(lex(2), LexSarahCommand::Investigate(lex_investigated())),
    );
    q.run(
        d(2025, 5, 1),
        "forvaltningschef",
        QualityCommand::LexSarah(
            lex(2),
            LexSarahCommand::Classify(LexSarahClassified {
                classification: LexSarahClassification::NoImpropriety,
                motivation: "Motivering.".into(),
                decided_on: d(2025, 5, 1),
            }),
        ),
    );
    q.run(
        d(2025, 5, 2),
        "forvaltningschef",
        QualityCommand::LexSarah(lex(2), LexSarahCommand::Close(MatterLocked { summary: "Klar.".into() })),
    );
    // Complaints.
    let receive = |q: &mut Q, n: u128, on: NaiveDate, u: &str, kind, source, subject| {
        let contact = (source != ComplaintSource::Anonymous).then(|| "070-000 00 00".to_owned());
        q.run(
            on,
            "handlaggare-m",
            QualityCommand::ReceiveComplaint(ComplaintReceived {
                complaint: complaint(n),
                kind,
                source,
                subject,
                received_on: on,
                unit: unit(u),
                assignee: None,
                case: None,
                description: "Synpunkt.".into(),
                contact,
            }),
        );
    };
    receive(
        &mut q,
        1,
        d(2025, 3, 3),
        "mottagning",
        ComplaintKind::Complaint,
        ComplaintSource::User,
        ComplaintSubject::Treatment,
    );
    q.run(
        d(2025, 3, 10),
        "chef-m",
        QualityCommand::Complaint(
            complaint(1),
            ComplaintCommand::Answer(ComplaintAnswered { on: d(2025, 3, 10), text: "Svar.".into() }),
        ),
    );
    q.run(
        d(2025, 3, 11),
        "chef-m",
        QualityCommand::Complaint(complaint(1), ComplaintCommand::Close(MatterLocked { summary: "Klar.".into() })),
    );
    receive(
        &mut q,
        2,
        d(2025, 7, 1),
        "utredning",
        ComplaintKind::Complaint,
        ComplaintSource::Anonymous,
        ComplaintSubject::Handling,
    );
    q.run(
        d(2025, 7, 2),
        "chef-u",
        QualityCommand::Complaint(complaint(2), ComplaintCommand::Close(MatterLocked { summary: "Klar.".into() })),
    );
    receive(
        &mut q,
        3,
        d(2025, 12, 20),
        "ungdom",
        ComplaintKind::Suggestion,
        ComplaintSource::Relative,
        ComplaintSubject::Intervention,
    );
    // Internal control.
    for (n, title, severity, probability) in [
        (1, "Kö till nämndens insatser", 3, 4),
        (2, "Efterlevnad av riktlinjer", 3, 2),
        (3, "Uppsägning av extern dygnsvård", 1, 2),
    ] {
        q.run(
            d(2025, 1, 20),
            "kvalitet",
            QualityCommand::RegisterRisk(RiskRegistered {
                risk: risk(n),
                title: title.into(),
                description: "Beskrivning.".into(),
                process: "Verkställighet".into(),
                unit: None,
                score: RiskScore { severity, probability },
            }),
        );
    }
    q.run(
        d(2025, 6, 30),
        "kvalitet",
        QualityCommand::Risk(
            risk(3),
            skyndsam_domain::quality::commands::RiskCommand::Retire(RiskRetired { reason: "Hanterad.".into() }),
        ),
    );
    let plan = ControlPlanId::from_u128(0x9000);
    let moment = |risk_id: RiskId, control: &str, due: NaiveDate| ControlMoment {
        moment: 0,
        risk: risk_id,
        control: control.into(),
        method: "Stickprov".into(),
        owner: staff("kvalitet"),
        due,
    };
    q.run(
        d(2025, 2, 15),
        "kvalitet",
        QualityCommand::AdoptControlPlan(ControlPlanAdopted {
            plan,
            year: 2025,
            adopted_on: d(2025, 2, 15),
            board_reference: "SN 2025-02-12 § 14".into(),
            moments: vec![
                moment(risk(1), "Väntetid till insats", d(2025, 9, 30)),
                moment(risk(2), "Riktlinjernas efterlevnad", d(2025, 10, 31)),
            ],
        }),
    );
    for (m, on, remarks) in [(1, d(2025, 9, 30), true), (2, d(2025, 10, 15), false)] {
        q.run(
            on,
            "kvalitet",
            QualityCommand::ControlPlan(
                plan,
                ControlPlanCommand::RecordResult(ControlResultRecorded {
                    moment: m,
                    on,
                    result: "Resultat.".into(),
                    remarks,
                }),
            ),
        );
    }
    q.run(
        d(2025, 10, 1),
        "kvalitet",
        QualityCommand::ControlPlan(
            plan,
            ControlPlanCommand::DecideMeasure(MeasureDecided {
                measure: 0,
                description: "Veckovis genomgång av kön.".into(),
                owner: staff("kvalitet"),
                due: d(2025, 11, 30),
            }),
        ),
    );
    q.run(
        d(2025, 11, 20),
        "kvalitet",
        QualityCommand::ControlPlan(
            plan,
            ControlPlanCommand::CompleteMeasure(MeasureCompleted {
                measure: 1,
                completed_on: d(2025, 11, 20),
                comment: None,
            }),
        ),
    );
    q.run(
        d(2025, 12, 10),
        "kvalitet",
        QualityCommand::ControlPlan(
            plan,
            ControlPlanCommand::SubmitReport(ControlReportSubmitted { on: d(2025, 12, 10), text: "Rapport.".into() }),
        ),
    );
    // The year's file audit of the investigation unit: two files, one answer overridden.
    let audit = FileAuditId::from_u128(0xa0d1);
    q.run(
        d(2025, 10, 6),
        "kvalitet",
        QualityCommand::OpenFileAudit(FileAuditOpened {
            audit,
            unit: unit("utredning"),
            year: 2025,
            seed: 42,
            method: "Stratifierat urval".into(),
            population: 2,
            files: [CASE_C, CASE_D]
                .map(|c| AuditedFile { case: crate::fixture::case(c), stratum: "alla".into(), handler: None })
                .to_vec(),
            drop_outs: vec![],
            questions: vec![],
        }),
    );
    let answer = |c: u128, section, question: &str, reply, automatic, comment: Option<&str>| AuditAnswer {
        case: crate::fixture::case(c),
        section,
        question: question.into(),
        reply,
        automatic,
        comment: comment.map(str::to_owned),
    };
    use skyndsam_domain::checks::{Reply, Section};
    q.run(
        d(2025, 10, 20),
        "chef-u",
        QualityCommand::FileAudit(
            audit,
            FileAuditCommand::Answer(FileAuditAnswersRecorded {
                answers: vec![
                    answer(
                        CASE_C,
                        Section::PreliminaryAssessment,
                        "preliminary_timely",
                        Reply::No,
                        Some(Reply::No),
                        None,
                    ),
                    answer(
                        CASE_D,
                        Section::PreliminaryAssessment,
                        "preliminary_timely",
                        Reply::Yes,
                        Some(Reply::Yes),
                        None,
                    ),
                    answer(
                        CASE_D,
                        Section::Investigation,
                        "child_view",
                        Reply::No,
                        Some(Reply::Yes),
                        Some("Inställningen saknas."),
                    ),
                ],
                source: "manuell".into(),
            }),
        ),
    );
    q.run(
        d(2025, 11, 3),
        "chef-u",
        QualityCommand::FileAudit(
            audit,
            FileAuditCommand::Analyse(FileAuditAnalysed {
                keep_doing: "Skyndsamhet.".into(),
                improve: "Barnets röst.".into(),
            }),
        ),
    );
    q.run(
        d(2025, 11, 3),
        "chef-u",
        QualityCommand::FileAudit(
            audit,
            FileAuditCommand::Matter(MatterCommand::DecideMeasure(MeasureDecided {
                measure: 0,
                description: "Barnsamtal i varje utredning.".into(),
                owner: staff("teamledare-u"),
                due: d(2026, 1, 31),
            })),
        ),
    );
    // A user survey.
    let survey = SurveyId::from_u128(0x5000);
    q.run(
        d(2025, 8, 20),
        "kvalitet",
        QualityCommand::DefineSurvey(SurveyDefined {
            survey,
            name: "Brukarundersökning 2025".into(),
            units: vec![unit("utredning"), unit("ungdom")],
            from: d(2025, 9, 1),
            to: d(2025, 11, 30),
            scale_max: 10,
            questions: (0..4).map(|i| SurveyQuestion { text: format!("Fråga {i}"), nki: i < 3 }).collect(),
        }),
    );
    let inv = |u: &str, sex, count| SurveyInvited { unit: unit(u), sex: Some(sex), count };
    q.run(
        d(2025, 12, 1),
        "kvalitet",
        QualityCommand::Survey(
            survey,
            SurveyCommand::RecordInvitations(SurveyInvitationsRecorded {
                invited: vec![
                    inv("utredning", Sex::Female, 10),
                    inv("utredning", Sex::Male, 8),
                    inv("ungdom", Sex::Female, 5),
                    inv("ungdom", Sex::Male, 6),
                ],
            }),
        ),
    );
    let resp = |u: &str, sex, a: [Option<u8>; 4]| SurveyResponse { unit: unit(u), sex: Some(sex), answers: a.to_vec() };
    q.run(
        d(2025, 12, 1),
        "kvalitet",
        QualityCommand::Survey(
            survey,
            SurveyCommand::RecordResponses(SurveyResponsesRecorded {
                responses: vec![
                    resp("utredning", Sex::Female, [Some(10), Some(10), Some(10), Some(3)]),
                    resp("utredning", Sex::Female, [Some(1), Some(1), Some(1), None]),
                    resp("utredning", Sex::Male, [Some(7), Some(8), Some(9), Some(5)]),
                    resp("utredning", Sex::Male, [Some(4), None, Some(4), Some(5)]),
                    resp("ungdom", Sex::Female, [Some(6), Some(6), Some(6), Some(6)]),
                    resp("ungdom", Sex::Male, [Some(10), Some(7), Some(4), Some(1)]),
                    resp("ungdom", Sex::Male, [Some(5), Some(5), Some(5), Some(5)]),
                ],
                source: "manuell".into(),
            }),
        ),
    );
    q
}

struct Env {
    q: Q,
    table: IndicatorTable,
    facts: FactTable,
}

fn env() -> Env {
    let q = build();
    let mut b = FactsBuilder::new(&q.rules);
    for e in &q.events {
        b.push(e.clone());
    }
    Env { facts: b.finish(), table: IndicatorTable::defaults().unwrap(), q }
}

fn year() -> MonthRange {
    MonthRange { first: Month::new(2025, 1), last: Month::new(2025, 12) }
}

fn w(from: NaiveDate, to: NaiveDate, units: Option<&[UnitId]>) -> Window<'_> {
    Window { from, to, units }
}

#[test]
fn the_reports_counts_are_stats_counts_for_every_unit_and_period() {
    let e = env();
    let r = Report::new(&e.facts, &e.q.rules, &e.table, as_of());
    assert_eq!(r.quality.matters.len(), e.q.matters.len(), "every matter folded");
    let all: Vec<&Matter> = e.q.matters.values().collect();
    let periods = [Period::Year { year: 2025 }, Period::Tertial1 { year: 2025 }, Period::Tertial2 { year: 2025 }];
    let mut units: Vec<Option<u16>> = vec![None];
    units.extend((0..e.facts.units.len() as u16).map(Some));
    for p in periods {
        let range = p.months(as_of());
        for u in &units {
            let ids = r.subtree_ids(*u);
            let want = stats::counts(all.iter().copied(), w(range.start(), range.end(), ids.as_deref()), &e.q.rules);
            assert_eq!(r.quality_counts(range, *u), want, "{p:?} {u:?}");
            let trend = stats::trend(all.iter().copied(), w(range.start(), range.end(), ids.as_deref()));
            assert_eq!(r.quality_trend(range, *u), trend, "{p:?} {u:?}");
            // AVV-6V is stats' within / due.
            let v = r.value_in(Ind::Avv6v, range, &Filter { unit: *u, ..Filter::all() });
            assert_eq!(v.numerator, Some(u64::from(want.deviations_within_6_weeks)));
            assert_eq!(v.denominator, Some(u64::from(want.deviations_6_weeks_due)));
            assert_eq!(v.value, want.avv_6v().map(|x| skyndsam_report::round1(100.0 * x)));
            let listed = r.avv_6v_deviations(range, *u, true).len() as u32;
            assert_eq!(listed, want.deviations_within_6_weeks);
            assert_eq!(r.avv_6v_deviations(range, *u, false).len() as u32, want.deviations_6_weeks_due);
        }
    }

    // Worked out by hand (the table at the top of this file), for the year:
    let c = r.quality_counts(year(), None);
    assert_eq!(c.deviations_reported, 6); // D1–D6 (D0 is 2024's)
    assert_eq!((c.deviations_internal, c.deviations_external_incoming, c.deviations_external_outgoing), (4, 1, 1));
    assert_eq!(c.deviations_closed_at_end, 5); // all but D3
    assert_eq!(c.deviations_open_at_end, 2); // D0 and D3
    assert_eq!(c.deviations_escalated, 1);
    // AVV-6V: D3's six weeks are not over; D1, D4, D5, D6 in time, D2 late → 4 of 5.
    assert_eq!((c.deviations_within_6_weeks, c.deviations_6_weeks_due), (4, 5));
    assert_eq!(c.lex_sarah_reported, 2);
    assert_eq!(c.lex_sarah_reported_to_ivo, 1);
    assert_eq!(c.complaints_received, 3);
    assert_eq!((c.control_moments_done, c.control_moments_with_remarks), (2, 1));
    // A unit's figure covers its subtree: utredning holds D2, D3 and team A's D5.
    let utredning = r.unit("utredning").unwrap();
    assert_eq!(r.quality_counts(year(), Some(utredning)).deviations_reported, 3);
    let girls = r.value_in(Ind::Avv6v, year(), &Filter { sex: SexFilter::Girls, ..Filter::all() });
    assert_eq!(girls.state, ValueState::NotBrokenDown);
}

#[test]
fn nothing_recorded_after_the_reporting_date_counts() {
    let e = env();
    // On 30 April: D2 (reported 03-10) is not locked yet and its six weeks are over (late).
    let r = Report::new(&e.facts, &e.q.rules, &e.table, d(2025, 4, 30));
    let c = r.quality_counts(year(), None);
    assert_eq!(c.deviations_reported, 2, "D1 and D2 only");
    assert_eq!(c.deviations_open_at_end, 2, "D0 and D2 on the reporting date");
    assert_eq!((c.deviations_within_6_weeks, c.deviations_6_weeks_due), (1, 2));
    // The same as stats over the matters folded from the events recorded by then.
    let cut = skyndsam_domain::calendar::end_of_local_day(d(2025, 4, 30));
    let mut seen: BTreeMap<String, Matter> = BTreeMap::new();
    for ev in e.q.events.iter().filter(|x| x.payload.is_quality() && x.meta.recorded_at < cut) {
        match seen.get_mut(&ev.stream) {
            Some(m) => m.apply(ev),
            None => {
                seen.insert(ev.stream.clone(), Matter::start(ev).unwrap());
            }
        }
    }
    let want = stats::counts(seen.values(), w(d(2025, 1, 1), d(2025, 4, 30), None), &e.q.rules);
    assert_eq!(c, want);
}

#[test]
fn surveys_and_the_risk_register_are_the_domains() {
    let e = env();
    let r = Report::new(&e.facts, &e.q.rules, &e.table, as_of());
    let surveys = r.surveys(year(), None);
    assert_eq!(surveys.len(), 1);
    let Some(Matter::Survey(s)) = e.q.matters.values().find(|m| matches!(m, Matter::Survey(_))) else { panic!() };
    assert_eq!(surveys[0].rows, stats::survey_results(s));
    let total = surveys[0].rows.last().unwrap();
    assert_eq!((total.invited, total.responses), (29, 7));
    // One unit: only its rows, and a total over that unit alone.
    let ungdom = r.unit("ungdom").unwrap();
    let part = r.surveys(year(), Some(ungdom));
    let rows = &part[0].rows;
    assert!(rows.iter().all(|x| x.unit.as_ref().is_none_or(|u| u.as_str() == "ungdom")));
    let t = rows.last().unwrap();
    assert_eq!((t.invited, t.responses), (11, 3));
    let own = rows.iter().find(|x| x.unit.is_some() && x.sex.is_none()).unwrap();
    assert_eq!((own.invited, own.responses, own.nki), (t.invited, t.responses, t.nki));
    // The register at the year's end: R3 retired; highest value first.
    let risks = r.risks(year(), None);
    let got: Vec<(&str, u8, &str)> = risks.iter().map(|x| (x.title.as_str(), x.value, x.level)).collect();
    assert_eq!(got, vec![("Kö till nämndens insatser", 12, "hög"), ("Efterlevnad av riktlinjer", 6, "medel")]);
    // In May, R3 was still in it.
    let may = MonthRange { first: Month::new(2025, 5), last: Month::new(2025, 5) };
    assert_eq!(r.risks(may, None).len(), 3);
}

/// The paragraphs of a .docx (table cells are paragraphs), read back with roxmltree.
fn docx_paragraphs(bytes: &[u8]) -> Vec<String> {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    z.by_name("word/document.xml").unwrap().read_to_string(&mut xml).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    doc.descendants()
        .filter(|n| n.tag_name().name() == "p")
        .map(|p| p.descendants().filter(|n| n.tag_name().name() == "t").filter_map(|t| t.text()).collect::<String>())
        .collect()
}

fn pdf_text(bytes: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(bytes).unwrap();
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    doc.extract_text(&pages).unwrap()
}

/// The cells after a row's first cell, in the first table whose caption starts with
/// `caption` (a table's caption is the paragraph before it in the .docx).
fn row<'a>(paragraphs: &'a [String], caption: &str, first: &str, n: usize) -> &'a [String] {
    let start = paragraphs.iter().position(|p| p.starts_with(caption)).unwrap_or_else(|| panic!("no table {caption}"));
    let at = start
        + paragraphs[start..].iter().position(|p| p == first).unwrap_or_else(|| panic!("no row {first} in {caption}"));
    &paragraphs[at + 1..at + 1 + n]
}

#[test]
fn the_kvalitetsberattelse_read_back_holds_every_count_of_the_year() {
    let e = env();
    let r = Report::new(&e.facts, &e.q.rules, &e.table, as_of());
    let doc = documents::quality_report(&r, 2025, &Filter::all(), &Narratives::default());
    let c = r.quality_counts(year(), None);
    let p = docx_paragraphs(&skyndsam_report::docx::to_docx(&doc).unwrap());

    // Deviations per unit and category: the header is the categories used, in the rule
    // table's order; each unit's row and the total are stats' figures.
    let cats = [
        "Handläggning och tidsfrister",
        "Samverkan",
        "Rutin eller riktlinje inte följd",
        "Insats och verkställighet",
        "Registrering och skanning av handlingar",
    ];
    let codes = ["tidsfrister", "samverkan", "rutin", "insats", "registrering"];
    let caption = "Avvikelser per enhet och kategori";
    let header_at = p.iter().position(|x| x.starts_with(caption)).unwrap() + 1;
    assert_eq!(p[header_at], "Enhet");
    assert_eq!(&p[header_at + 1..header_at + 1 + cats.len()], &cats.map(str::to_owned));
    for (unit_id, name) in
        [("mottagning", "Mottagningen"), ("utredning", "Utredningsenheten"), ("utredning-team-a", "Utredning team A")]
    {
        let per = &c.deviations_by_unit_category[unit_id];
        let mut want: Vec<String> = codes.iter().map(|k| per.get(*k).copied().unwrap_or(0).to_string()).collect();
        want.push(per.values().sum::<u32>().to_string());
        assert_eq!(row(&p, caption, name, want.len()), want.as_slice(), "{name}");
    }
    // Summary figures.
    for (label, v) in [
        ("Rapporterade under perioden", c.deviations_reported),
        ("Interna", c.deviations_internal),
        ("Externa — från annan förvaltning eller aktör", c.deviations_external_incoming),
        ("Externa — gäller annan förvaltning eller aktör", c.deviations_external_outgoing),
        ("Upptäckta av systemet", c.deviations_system_detected.values().sum()),
        ("Lyfta till lex Sarah", c.deviations_escalated),
    ] {
        assert_eq!(row(&p, "Avvikelser, år 2025", label, 1), [v.to_string()], "{label}");
    }
    let t = "Avvikelser, år 2025";
    assert_eq!(row(&p, t, "Avslutade vid periodens slut (2025-12-31) (av periodens)", 1), ["5"]);
    assert_eq!(row(&p, t, "Öppna vid periodens slut (2025-12-31) (alla rapporterade till dess)", 1), ["2"]);
    // AVV-6V as an indicator row: value, numerator, denominator.
    let avv = "AVV-6V Andel avvikelser utredda inom 6 veckor";
    assert_eq!(row(&p, "Utredningstid för avvikelser", avv, 3), ["80,0 %", "4", "5"]);
    // Lex Sarah per classification and to IVO.
    for k in LexSarahClassification::ALL {
        let want = c.lex_sarah_by_classification.get(&k).copied().unwrap_or(0).to_string();
        assert_eq!(row(&p, "Lex Sarah — beslutade", &format!("Bedömda: {}", k.label_sv().to_lowercase()), 1), [want]);
    }
    assert_eq!(row(&p, "Lex Sarah — beslutade", "Anmälda till IVO under perioden", 1), ["1"]);
    // Complaints by source and subject.
    for s in ComplaintSource::ALL {
        let want = c.complaints_by_source.get(&s).copied().unwrap_or(0).to_string();
        assert_eq!(row(&p, "Synpunkter och klagomål per avsändare, år", s.label_sv(), 1), [want], "{s:?}");
    }
    for s in ComplaintSubject::ALL {
        let want = c.complaints_by_subject.get(&s).copied().unwrap_or(0).to_string();
        assert_eq!(row(&p, "Synpunkter och klagomål per ämne", s.label_sv(), 1), [want], "{s:?}");
    }
    // Internal control: the register and the plan's moments.
    assert_eq!(row(&p, "Riskregistret", "Kö till nämndens insatser", 5), ["Verkställighet", "3", "4", "12", "hög"]);
    assert!(p.iter().any(|x| x.contains("2 av 2 kontrollmoment är genomförda, 1 med anmärkning")));
    // Surveys: the total row of the survey.
    let t = r.surveys(year(), None)[0].rows.last().unwrap().clone();
    let got = row(&p, "Brukarundersökning 2025", "Alla enheter", 6);
    assert_eq!(&got[..4], &["totalt".to_owned(), "29".into(), "7".into(), "24,1 %".into()]);
    assert_eq!(got[4], skyndsam_report::documents::num1(t.nki.unwrap()));
    // The file audit: the unit's sample and answers, and per question (1 Ja of 3 Ja/Nej; the
    // child's view overridden from the record's Ja).
    let got = row(&p, "Aktgranskning 2025 per enhet", "Utredningsenheten", 8);
    assert_eq!(got, ["2", "2", "0", "2 av 2", "33,3 %", "1", "2025-11-03", "1 (0 genomförda)"]);
    let t = "Aktgranskning 2025 per fråga";
    assert_eq!(row(&p, t, "preliminary_timely", 6)[1..], ["1", "1", "0", "50,0 %", "0"]);
    assert_eq!(row(&p, t, "child_view", 6)[1..], ["0", "1", "0", "0,0 %", "1"]);
    // The trend: twelve months, each month's counts as stats::trend gives them.
    let trend = r.quality_trend(year(), None);
    assert_eq!(trend.len(), 12);
    for m in &trend {
        let got = row(&p, "Kvalitetsarbetet månad för månad", &m.month, 5);
        assert_eq!(got[0], m.deviations.to_string(), "{}", m.month);
        assert_eq!(got[2], m.lex_sarah.to_string());
        assert_eq!(got[3], m.complaints.to_string());
    }
    // No data-missing block for deviations, lex Sarah, complaints, control or surveys: only
    // the narratives not written, the self-inspection (not asked for) and the file audit.
    for b in &doc.blocks {
        if let Block::Missing { text } = b {
            let ok =
                text.contains("inte skrivet ännu") || text.contains("Egenkontroll") || text.contains("Aktgranskning");
            assert!(ok, "still missing: {text}");
        }
    }

    // The PDF holds the same tables (lopdf's own text extraction).
    let text = pdf_text(&skyndsam_report::pdf::to_pdf(&doc));
    for needle in ["Avvikelser per enhet och kategori", "Lex Sarah", "Bedömda: påtaglig risk", "Riskregistret", "NKI"]
    {
        assert!(text.contains(needle), "{needle} not in the PDF");
    }
    // The HTML's charts carry their data tables.
    let html = skyndsam_report::html::page_html(&doc);
    let charts = doc.blocks.iter().filter(|b| matches!(b, Block::Chart(_))).count();
    assert!(charts >= 5, "{charts} charts");
    assert_eq!(html.matches("<caption>Data i diagrammet").count(), charts);
}

#[test]
fn the_delarsrapport_has_the_tertials_quality_figures() {
    let e = env();
    let r = Report::new(&e.facts, &e.q.rules, &e.table, as_of());
    let doc = documents::interim_report(&r, 2025, 1, &Filter::all());
    let p = docx_paragraphs(&skyndsam_report::docx::to_docx(&doc).unwrap());
    let t1 = Period::Tertial1 { year: 2025 }.months(as_of());
    let c = r.quality_counts(t1, None);
    assert_eq!(c.deviations_reported, 2);
    let t = "Kvalitetsarbetet, delår 1";
    assert_eq!(row(&p, t, "Avvikelser rapporterade", 1), [c.deviations_reported.to_string()]);
    assert_eq!(row(&p, t, "Lex Sarah rapporterade", 1), [c.lex_sarah_reported.to_string()]);
    assert_eq!(row(&p, t, "Avvikelser utredda inom 6 veckor (AVV-6V)", 1), ["1 av 2 (50,0 %)"]);
    // AVV-6V is in the indicator table too, with its numerator and denominator.
    let avv = "AVV-6V Andel avvikelser utredda inom 6 veckor";
    assert_eq!(row(&p, "Indikatorer", avv, 3), ["50,0 %", "1", "2"]);
}

#[test]
fn dok_per_question_is_the_self_inspection_summary_of_the_cases_received_in_the_period() {
    use skyndsam_domain::checks::{inspect, summarise, Questionnaire};
    let e = env();
    let questions = Questionnaire::defaults().unwrap();
    let mut b = FactsBuilder::new(&e.q.rules).with_self_inspection(questions.clone(), as_of());
    for ev in &e.q.events {
        b.push(ev.clone());
    }
    let facts = b.finish();
    let r = Report::new(&facts, &e.q.rules, &e.table, as_of());
    let rows = r.dok(year(), &Filter::all()).unwrap();
    // The same answers as `skyndsam audit`: inspect every case received in 2025, summarise.
    let mut by_case: BTreeMap<String, Vec<RecordedEvent>> = BTreeMap::new();
    for ev in e.q.events.iter().filter(|x| x.stream.starts_with("case/")) {
        by_case.entry(ev.stream.clone()).or_default().push(ev.clone());
    }
    let inspections: Vec<_> =
        by_case.values().filter_map(|evs| inspect(evs, &e.q.rules, &e.q.org, &questions, as_of())).collect();
    let summary = summarise(&questions, inspections.iter().filter(|i| i.received_on.year() == 2025));
    let auto: Vec<_> = summary.questions.iter().filter(|q| q.auto).collect();
    assert_eq!(rows.len(), auto.len());
    let (mut yes, mut no) = (0, 0);
    for (row, want) in rows.iter().zip(auto) {
        assert_eq!((row.question.as_str(), row.yes, row.no), (want.question.as_str(), want.yes as u64, want.no as u64));
        assert_eq!(row.not_applicable, want.not_applicable as u64);
        yes += row.yes;
        no += row.no;
    }
    assert!(yes > 0 && no > 0);
    // The trend's self-inspection series (decision 0014): month by month the same answers,
    // each case in the month it was received; the year's months add up to DOK's totals.
    let months = r.quality_trend(year(), None);
    let mut sum = (0u64, 0u64);
    for m in &months {
        let t = m.self_inspection.unwrap();
        let (mut y, mut n) = (0u64, 0u64);
        for i in inspections.iter().filter(|i| i.received_on.format("%Y-%m").to_string() == m.month) {
            for a in i.answers.iter().filter(|a| a.auto) {
                match a.answer {
                    skyndsam_domain::checks::Reply::Yes => y += 1,
                    skyndsam_domain::checks::Reply::No => n += 1,
                    skyndsam_domain::checks::Reply::NotApplicable => {}
                }
            }
        }
        assert_eq!((u64::from(t.yes), u64::from(t.no)), (y, n), "{}", m.month);
        let by_unit: u64 = m.self_inspection_by_unit.values().map(|t| u64::from(t.no)).sum();
        assert_eq!(by_unit, n, "the units add up: {}", m.month);
        sum = (sum.0 + y, sum.1 + n);
    }
    assert_eq!(sum, (yes, no));
    // The indicator DOK is the share of Ja over every answer.
    let v = r.value_in(Ind::Dok, year(), &Filter::all());
    assert_eq!((v.numerator, v.denominator), (Some(yes), Some(yes + no)));
    assert!(rows.iter().any(|x| x.id == "DOK-FB-preliminary_timely"));
    // And the kvalitetsberättelse has the table instead of "missing".
    let doc = documents::quality_report(&r, 2025, &Filter::all(), &Narratives::default());
    let p = docx_paragraphs(&skyndsam_report::docx::to_docx(&doc).unwrap());
    let timely = rows.iter().find(|x| x.id == "DOK-FB-preliminary_timely").unwrap();
    let got = row(&p, "Egenkontroll (DOK-*)", "DOK-FB-preliminary_timely", 4);
    assert_eq!(got[1..], [timely.yes.to_string(), timely.no.to_string(), timely.not_applicable.to_string()]);
}
