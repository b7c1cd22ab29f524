//! A small hand-built municipality with known answers (year 2025, reporting date
//! 2025-12-31). Every figure the tests expect is computed by hand in the comments here.
//!
//! Units: forvaltning → mottagning; forvaltning → utredning → utredning-team-a;
//! forvaltning → ungdom.
//!
//! | case | child (sex, born, age band at receipt) | what happens |
//! |---|---|---|
//! | A | girl G1, 2015-06-01, 0–12 | report (school) received **2025-04-30 23:59** local; protection 2025-05-01 23:58 (in 24 h); not opened by team leader 2025-05-14 (day 14: in time); feedback given |
//! | B | boy B1, 2010-03-01, 13–17 | report (police) received **2025-05-01 00:30** local (= 30 April 22:30 UTC); protection 2025-05-02 01:00 (24.5 h: late); not opened by a *handler* 2025-05-20 (19 days: late; outside delegation) |
//! | C | boy B2, 2012-05-10, 0–12 (**turns 13 during the case**) | report (private person, serious crime) 2025-02-03; opened 2025-02-20 (17 days: late); allocated to team A 02-21; closed **2025-06-20 = exactly 4 months**; grants I1 (family treatment, 06-20…09-30), started 07-01, ended 09-15 |
//! | D | girl G2, 2009-01-01, 13–17 | report (health care, violence) 2025-01-10; opened 01-15; allocated to team A 01-16; **extension** decided 05-10 to 07-15; closed 07-01 (late for U4M, in time with the extension); grants I2 (foster home, placement, by unit manager) started 10-10 (after 3 months), ended 12-01 by **breakdown**, and I3 (contact person) never started; feedback given |
//! | E | boy B3, 2008-08-08, 13–17 | **application** 2025-03-10 at mottagning, opened 03-10, allocated to team A 03-11, **transferred** to ungdom 04-01, closed 05-05 (transfer to other municipality) |
//! | F | girl G2 again | report (school) 2025-06-02 **joins D's open investigation** 06-04 |
//! | G | girl G3, 2020-01-01 | report 2025-11-20, undecided at 12-31 (41 days) |
//! | H | boy B4, 2019-01-01 | report 2025-12-28, undecided, no protection assessment |

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use skyndsam_domain::calendar::TZ;
use skyndsam_domain::events::*;
use skyndsam_domain::ids::{ActualisationId, CaseId, InterventionId, PersonId, StaffId, UnitId};
use skyndsam_domain::org::{Role, UnitFunction, UnitKind};
use skyndsam_domain::personnummer::Sex;

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// Local (Europe/Stockholm) wall-clock time as UTC.
pub fn local(y: i32, m: u32, day: u32, h: u32, min: u32) -> DateTime<Utc> {
    TZ.from_local_datetime(&d(y, m, day).and_hms_opt(h, min, 0).unwrap()).single().unwrap().with_timezone(&Utc)
}

pub const CASE_A: u128 = 0xA;
pub const CASE_B: u128 = 0xB;
pub const CASE_C: u128 = 0xC;
pub const CASE_D: u128 = 0xD;
pub const CASE_E: u128 = 0xE;
pub const CASE_F: u128 = 0xF;
pub const CASE_G: u128 = 0x10;
pub const CASE_H: u128 = 0x11;

pub fn case(n: u128) -> CaseId {
    CaseId::from_u128(n)
}

pub struct Fx {
    pub events: Vec<RecordedEvent>,
    seq: u64,
}

impl Fx {
    fn push(&mut self, stream: String, on: NaiveDate, role: Role, payload: Payload) {
        self.seq += 1;
        let version = self.events.iter().filter(|e| e.stream == stream).count() as u32 + 1;
        self.events.push(RecordedEvent {
            seq: self.seq,
            stream,
            version,
            meta: EventMeta {
                recorded_at: local(on.year_ce_i32(), on.month_u(), on.day_u(), 12, 0),
                effective_on: on,
                actor: StaffId::parse("person-1").unwrap(),
                role,
                unit: None,
                delegation: None,
                corrects: None,
            },
            schema: SCHEMA_VERSION,
            payload,
            prev_hash: String::new(),
            hash: String::new(),
        });
    }

    fn unit(&mut self, slug: &str, name: &str, parent: Option<&str>, kind: UnitKind) {
        self.push(
            ORG_STREAM.into(),
            d(2024, 1, 1),
            Role::System,
            Payload::UnitCreated(UnitCreated {
                unit: UnitId::parse(slug).unwrap(),
                name: name.into(),
                parent: parent.map(|p| UnitId::parse(p).unwrap()),
                kind,
                function: UnitFunction::Other,
            }),
        );
    }

    fn person(&mut self, n: u128, sex: Sex, born: NaiveDate) {
        let person = PersonId::from_u128(n);
        self.push(
            person.stream(),
            d(2024, 1, 1),
            Role::Registrar,
            Payload::PersonRegistered(PersonRegistered {
                person,
                id_number: None,
                name: format!("Barn {n}"),
                sex: Some(sex),
                birth_date: Some(born),
                municipality: None,
                protected_identity: false,
            }),
        );
    }

    fn ev(&mut self, c: u128, on: NaiveDate, role: Role, payload: Payload) {
        self.push(case(c).stream(), on, role, payload);
    }

    #[allow(clippy::too_many_arguments)]
    fn receive(
        &mut self,
        c: u128,
        child: u128,
        kind: ActualisationKind,
        at: DateTime<Utc>,
        category: ReporterCategory,
        reasons: Vec<Reason>,
    ) {
        let on = skyndsam_domain::calendar::local_date(at);
        self.ev(
            c,
            on,
            Role::Registrar,
            Payload::ActualisationRegistered(ActualisationRegistered {
                case: case(c),
                actualisation: ActualisationId::from_u128(c),
                child: PersonId::from_u128(child),
                siblings: vec![],
                kind,
                received_at: at,
                channel: Channel::EService,
                reporter: Reporter { category, name: Some("Anmälare".into()), organisation: None, contact: None },
                reasons,
                text: "fixture".into(),
                unit: UnitId::parse("mottagning").unwrap(),
                after_hours: false,
                receipt: None,
                submission: None,
            }),
        );
    }

    fn protect(&mut self, c: u128, at: DateTime<Utc>) {
        self.ev(
            c,
            skyndsam_domain::calendar::local_date(at),
            Role::Handler,
            Payload::ProtectionAssessmentRecorded(ProtectionAssessmentRecorded {
                assessed_at: at,
                assessor_name: "S".into(),
                assessor_title: "Socialsekreterare".into(),
                facts: "f".into(),
                immediate_need: false,
                protection_plan: None,
            }),
        );
    }

    fn prelim(&mut self, c: u128, on: NaiveDate, role: Role, outcome: PreliminaryOutcome) {
        self.ev(
            c,
            on,
            role,
            Payload::PreliminaryAssessmentDecided(PreliminaryAssessmentDecided {
                decided_on: on,
                outcome,
                earlier_knowledge: EarlierKnowledge { exists: false, description: None },
                child_view: ChildView::NotObtained { reason: "r".into() },
                late_reason: None,
                motivation: "m".into(),
            }),
        );
    }

    fn feedback(&mut self, c: u128, on: NaiveDate) {
        self.ev(
            c,
            on,
            Role::Handler,
            Payload::ReporterFeedbackGiven(ReporterFeedbackGiven { given_on: on, how: "brev".into() }),
        );
    }

    fn open(&mut self, c: u128, on: NaiveDate, basis: InvestigationBasis) {
        self.ev(c, on, Role::Handler, Payload::InvestigationOpened(InvestigationOpened { opened_on: on, basis }));
    }

    fn allocate(&mut self, c: u128, on: NaiveDate, unit: &str) {
        self.ev(
            c,
            on,
            Role::TeamLeader,
            Payload::Allocated(Allocated { unit: UnitId::parse(unit).unwrap(), handler: None }),
        );
    }

    fn close(&mut self, c: u128, on: NaiveDate, role: Role, outcome: InvestigationOutcome) {
        self.ev(
            c,
            on,
            role,
            Payload::InvestigationDecided(InvestigationDecided {
                decided_on: on,
                outcome,
                board_decision: None,
                motivation: "m".into(),
            }),
        );
    }

    fn start(&mut self, c: u128, iv: u128, on: NaiveDate) {
        self.ev(
            c,
            on,
            Role::Handler,
            Payload::InterventionStarted(InterventionStarted {
                intervention: InterventionId::from_u128(iv),
                started_on: on,
            }),
        );
    }

    fn end(&mut self, c: u128, iv: u128, on: NaiveDate, reason: InterventionEndReason) {
        self.ev(
            c,
            on,
            Role::Handler,
            Payload::InterventionEnded(InterventionEnded {
                intervention: InterventionId::from_u128(iv),
                ended_on: on,
                reason,
            }),
        );
    }
}

fn grant(iv: u128, kind: InterventionKind, from: NaiveDate, to: Option<NaiveDate>) -> GrantedIntervention {
    GrantedIntervention { intervention: InterventionId::from_u128(iv), kind, from, to, long_term_care: false }
}

trait Ymd {
    fn year_ce_i32(&self) -> i32;
    fn month_u(&self) -> u32;
    fn day_u(&self) -> u32;
}
impl Ymd for NaiveDate {
    fn year_ce_i32(&self) -> i32 {
        chrono::Datelike::year(self)
    }
    fn month_u(&self) -> u32 {
        chrono::Datelike::month(self)
    }
    fn day_u(&self) -> u32 {
        chrono::Datelike::day(self)
    }
}

pub const G1: u128 = 101;
pub const G2: u128 = 102;
pub const G3: u128 = 103;
pub const B1: u128 = 201;
pub const B2: u128 = 202;
pub const B3: u128 = 203;
pub const B4: u128 = 204;

/// The journal of the fixture, in journal order.
pub fn journal() -> Vec<RecordedEvent> {
    use ActualisationKind::{Application, Report};
    use ReporterCategory::*;
    let mut f = Fx { events: Vec::new(), seq: 0 };
    f.unit("forvaltning", "Socialförvaltningen", None, UnitKind::Administration);
    f.unit("mottagning", "Mottagningen", Some("forvaltning"), UnitKind::Unit);
    f.unit("utredning", "Utredningsenheten", Some("forvaltning"), UnitKind::Unit);
    f.unit("utredning-team-a", "Utredning team A", Some("utredning"), UnitKind::Team);
    f.unit("ungdom", "Ungdomsenheten", Some("forvaltning"), UnitKind::Unit);
    f.person(G1, Sex::Female, d(2015, 6, 1));
    f.person(G2, Sex::Female, d(2009, 1, 1));
    f.person(G3, Sex::Female, d(2020, 1, 1));
    f.person(B1, Sex::Male, d(2010, 3, 1));
    f.person(B2, Sex::Male, d(2012, 5, 10));
    f.person(B3, Sex::Male, d(2008, 8, 8));
    f.person(B4, Sex::Male, d(2019, 1, 1));

    // D: violence, opened, extended, closed late but within the extension.
    f.receive(CASE_D, G2, Report, local(2025, 1, 10, 9, 0), HealthCare, vec![Reason::ViolenceAgainstChild]);
    f.protect(CASE_D, local(2025, 1, 10, 10, 0));
    f.prelim(CASE_D, d(2025, 1, 15), Role::Handler, PreliminaryOutcome::Open);
    f.feedback(CASE_D, d(2025, 1, 16));
    f.open(CASE_D, d(2025, 1, 15), InvestigationBasis::PreliminaryAssessment);
    f.allocate(CASE_D, d(2025, 1, 16), "utredning-team-a");

    // C: serious crime, late preliminary assessment, closed exactly on the 4-month day.
    f.receive(CASE_C, B2, Report, local(2025, 2, 3, 10, 0), PrivatePerson, vec![Reason::SeriousCrime]);
    f.protect(CASE_C, local(2025, 2, 3, 11, 0));
    f.prelim(CASE_C, d(2025, 2, 20), Role::Handler, PreliminaryOutcome::Open);
    f.open(CASE_C, d(2025, 2, 20), InvestigationBasis::PreliminaryAssessment);
    f.allocate(CASE_C, d(2025, 2, 21), "utredning-team-a");

    // E: an application, transferred from team A to ungdom before it closes.
    f.receive(CASE_E, B3, Application, local(2025, 3, 10, 9, 0), PrivatePerson, vec![Reason::Crime]);
    f.open(CASE_E, d(2025, 3, 10), InvestigationBasis::Application);
    f.allocate(CASE_E, d(2025, 3, 11), "utredning-team-a");
    f.allocate(CASE_E, d(2025, 4, 1), "ungdom");

    // A: received one minute before midnight on the last day of delår 1.
    f.receive(CASE_A, G1, Report, local(2025, 4, 30, 23, 59), School, vec![Reason::NeglectOfCare]);
    // B: received half an hour after midnight, 1 May local — still 30 April in UTC.
    f.receive(CASE_B, B1, Report, local(2025, 5, 1, 0, 30), Police, vec![Reason::Crime]);
    f.protect(CASE_A, local(2025, 5, 1, 23, 58));
    f.protect(CASE_B, local(2025, 5, 2, 1, 0));
    f.close(
        CASE_E,
        d(2025, 5, 5),
        Role::UnitManager,
        InvestigationOutcome::TransferToMunicipality { municipality: "Provköping".into() },
    );
    f.ev(
        CASE_D,
        d(2025, 5, 10),
        Role::TeamLeader,
        Payload::ExtensionDecided(ExtensionDecided {
            decided_on: d(2025, 5, 10),
            new_end: d(2025, 7, 15),
            reason: "r".into(),
        }),
    );
    f.prelim(CASE_A, d(2025, 5, 14), Role::TeamLeader, PreliminaryOutcome::NotOpen);
    f.feedback(CASE_A, d(2025, 5, 15));
    // Outside delegation: a handler may not decide "inte inleda" (imported legacy decision).
    f.prelim(CASE_B, d(2025, 5, 20), Role::Handler, PreliminaryOutcome::NotOpen);

    // F: a new report about G2 joins D's open investigation.
    f.receive(CASE_F, G2, Report, local(2025, 6, 2, 8, 0), School, vec![Reason::ViolenceAgainstChild]);
    f.protect(CASE_F, local(2025, 6, 2, 9, 0));
    f.prelim(
        CASE_F,
        d(2025, 6, 4),
        Role::Handler,
        PreliminaryOutcome::JoinInvestigation { investigation_case: case(CASE_D) },
    );
    f.ev(
        CASE_D,
        d(2025, 6, 4),
        Role::Handler,
        Payload::ReportJoined(ReportJoined {
            report_case: case(CASE_F),
            received_at: local(2025, 6, 2, 8, 0),
            protection_assessed: true,
        }),
    );

    f.close(
        CASE_C,
        d(2025, 6, 20),
        Role::TeamLeader,
        InvestigationOutcome::GrantIntervention {
            interventions: vec![grant(1, InterventionKind::FamilyTreatment, d(2025, 6, 20), Some(d(2025, 9, 30)))],
        },
    );
    f.close(
        CASE_D,
        d(2025, 7, 1),
        Role::UnitManager,
        InvestigationOutcome::GrantIntervention {
            interventions: vec![
                grant(2, InterventionKind::FosterHome, d(2025, 7, 1), None),
                grant(3, InterventionKind::ContactPerson, d(2025, 7, 1), None),
            ],
        },
    );
    f.start(CASE_C, 1, d(2025, 7, 1));
    f.end(CASE_C, 1, d(2025, 9, 15), InterventionEndReason::Planned);
    f.start(CASE_D, 2, d(2025, 10, 10));
    f.receive(CASE_G, G3, Report, local(2025, 11, 20, 9, 0), Preschool, vec![Reason::NeglectOfCare]);
    f.protect(CASE_G, local(2025, 11, 20, 10, 0));
    f.end(CASE_D, 2, d(2025, 12, 1), InterventionEndReason::Breakdown);
    f.receive(CASE_H, B4, Report, local(2025, 12, 28, 9, 0), PrivatePerson, vec![Reason::Other]);
    f.events
}

pub fn as_of() -> NaiveDate {
    d(2025, 12, 31)
}
