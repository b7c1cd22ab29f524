use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use skyndsam_domain::calendar::TZ;
use skyndsam_domain::commands::{CaseCommand, RegisterActualisation};
use skyndsam_domain::events::*;
use skyndsam_domain::ids::*;
use skyndsam_domain::org::{Role, UnitFunction, UnitKind};
use skyndsam_domain::personnummer::{IdKind, PersonalIdentityNumber};
use skyndsam_domain::rules::RuleTable;
use skyndsam_store::{AppendRequest, Store};
use std::io::Write;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

pub fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    TZ.with_ymd_and_hms(y, m, d, h, 0, 0).earliest().unwrap().with_timezone(&Utc)
}
pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A fresh database: keeps its temp dir alive.
pub struct Db {
    pub label: &'static str,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

static N: AtomicU32 = AtomicU32::new(0);

/// Fresh databases on every backend available.
pub fn backends() -> Vec<Db> {
    let dir = tempfile::tempdir().unwrap();
    let mut out =
        vec![Db { label: "sqlite", url: format!("sqlite:{}", dir.path().join("t.sqlite").display()), _dir: Some(dir) }];
    match std::env::var("DATABASE_URL") {
        Ok(url) if !url.is_empty() => {
            let schema = format!("t{}_{}_{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst), rand_suffix());
            let sep = if url.contains('?') { '&' } else { '?' };
            out.push(Db { label: "postgres", url: format!("{url}{sep}schema={schema}"), _dir: None });
        }
        _ => {
            // Written to the real stderr so the test harness does not swallow it.
            let _ = writeln!(std::io::stderr(), "PostgreSQL-testet hoppades över: DATABASE_URL är inte satt");
        }
    }
    out
}

fn rand_suffix() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..8].to_owned()
}

pub fn open(db: &Db) -> Store {
    Store::open(&db.url, Arc::new(RuleTable::defaults().unwrap())).unwrap()
}

fn sys(payload: Payload, stream: &str) -> NewEvent {
    NewEvent {
        stream: stream.into(),
        meta: EventMeta {
            recorded_at: at(2025, 1, 1, 8),
            effective_on: date(2025, 1, 1),
            actor: StaffId::system(),
            role: Role::System,
            unit: None,
            delegation: None,
            corrects: None,
        },
        payload,
    }
}

pub const ELSA: PersonId = PersonId(uuid::Uuid::from_u128(1));
pub const NOAH: PersonId = PersonId(uuid::Uuid::from_u128(2));

/// Organisation, two children (siblings), and their cases walked through the Store API.
/// Returns the case ids.
pub fn seed(store: &Store) -> Vec<CaseId> {
    let mut org = Vec::new();
    for (id, parent, function) in [
        ("forvaltning", None, UnitFunction::Management),
        ("mottagning", Some("forvaltning"), UnitFunction::Intake),
        ("utredning", Some("forvaltning"), UnitFunction::Investigation),
    ] {
        org.push(sys(
            Payload::UnitCreated(UnitCreated {
                unit: UnitId::parse(id).unwrap(),
                name: id.into(),
                parent: parent.map(|p| UnitId::parse(p).unwrap()),
                kind: if parent.is_none() { UnitKind::Administration } else { UnitKind::Unit },
                function,
            }),
            ORG_STREAM,
        ));
    }
    for (id, role, unit) in [
        ("rita", Role::Registrar, "mottagning"),
        ("amira", Role::Handler, "mottagning"),
        ("karin", Role::TeamLeader, "utredning"),
        ("lina", Role::Handler, "utredning"),
    ] {
        org.push(sys(
            Payload::StaffRegistered(StaffRegistered {
                staff: StaffId::parse(id).unwrap(),
                name: format!("{id} Testberg"),
                title: role.label_sv().into(),
                qualified: true,
            }),
            ORG_STREAM,
        ));
        org.push(sys(
            Payload::RoleGranted(RoleGranted {
                staff: StaffId::parse(id).unwrap(),
                role,
                unit: UnitId::parse(unit).unwrap(),
                from: date(2025, 1, 1),
                to: None,
            }),
            ORG_STREAM,
        ));
    }
    for (p, name, serial, protected) in
        [(ELSA, "Elsa Exempelsson", 246u16, false), (NOAH, "Noah Exempelsson", 135, true)]
    {
        let birth = if p == ELSA { date(2016, 5, 4) } else { date(2019, 8, 21) };
        org.push(sys(
            Payload::PersonRegistered(PersonRegistered {
                person: p,
                id_number: Some(PersonalIdentityNumber::from_parts(birth, serial, IdKind::Personnummer).unwrap()),
                name: name.into(),
                sex: None,
                birth_date: None,
                municipality: Some("Exempelstad".into()),
                protected_identity: protected,
            }),
            &p.stream(),
        ));
    }
    store.append(AppendRequest::new(org)).unwrap();

    let received = at(2026, 3, 2, 8);
    let rita = store.actor(&StaffId::parse("rita").unwrap(), Role::Registrar, received).unwrap();
    let cases = vec![CaseId::from_u128(100), CaseId::from_u128(101)];
    store
        .register(
            &RegisterActualisation {
                actualisation: ActualisationId::from_u128(5),
                children: vec![(cases[0], ELSA), (cases[1], NOAH)],
                kind: ActualisationKind::Report,
                received_at: received,
                channel: Channel::EService,
                reporter: Reporter {
                    category: ReporterCategory::School,
                    name: Some("Lärare".into()),
                    organisation: Some("Skolan".into()),
                    contact: None,
                },
                reasons: vec![Reason::ViolenceAgainstChild],
                text: "Elsa berättar att styvpappan slår henne.".into(),
                unit: UnitId::parse("mottagning").unwrap(),
                receipt: Some("OA-1".into()),
            },
            &rita,
            received,
        )
        .unwrap();
    let amira = store.actor(&StaffId::parse("amira").unwrap(), Role::Handler, received).unwrap();
    let now = at(2026, 3, 2, 10);
    store
        .execute(
            cases[0],
            Some(1),
            &CaseCommand::RecordProtectionAssessment(ProtectionAssessmentRecorded {
                assessed_at: now,
                assessor_name: "Amira Testberg".into(),
                assessor_title: "socialsekreterare".into(),
                facts: "Styvpappan är bortrest.".into(),
                immediate_need: false,
                protection_plan: None,
            }),
            &amira,
            now,
        )
        .unwrap();
    store
        .execute(
            cases[0],
            None,
            &CaseCommand::DecidePreliminaryAssessment(PreliminaryAssessmentDecided {
                decided_on: date(2026, 3, 2),
                outcome: PreliminaryOutcome::Open,
                earlier_knowledge: EarlierKnowledge { exists: false, description: None },
                child_view: ChildView::Obtained { summary: "Elsa vill vara hos mamma.".into() },
                late_reason: None,
                motivation: "Våld mot barn.".into(),
            }),
            &amira,
            now,
        )
        .unwrap();
    cases
}
