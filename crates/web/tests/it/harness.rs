//! One test app per test: its own database (SQLite in a temp dir, or a PostgreSQL schema),
//! a seeded organisation with one member of staff per role, four children (one with a
//! protected identity) and their cases, an account per staff member, a clock the test
//! drives, and the server on port 0.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde_json::{json, Value};
use skyndsam_domain::calendar::TZ;
use skyndsam_domain::commands::{CaseCommand, RegisterActualisation};
use skyndsam_domain::events::*;
use skyndsam_domain::ids::*;
use skyndsam_domain::org::{Role, UnitFunction, UnitKind};
use skyndsam_domain::personnummer::{IdKind, PersonalIdentityNumber};
use skyndsam_domain::rules::RuleTable;
use skyndsam_store::security::SecurityStore;
use skyndsam_store::{AppendRequest, Store};
use skyndsam_web::{App, Clock};
use std::io::Write;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

pub fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    TZ.with_ymd_and_hms(y, m, d, h, 0, 0).earliest().unwrap().with_timezone(&Utc)
}
pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub struct TestClock(Mutex<DateTime<Utc>>);
impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}
impl TestClock {
    pub fn now_utc(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
    pub fn advance(&self, d: chrono::Duration) {
        *self.0.lock().unwrap() += d;
    }
}

// ------------------------------------------------------------------ log capture

/// Everything the server logs through `tracing`, for scanning (one subscriber per binary).
pub fn captured_logs() -> &'static Mutex<Vec<u8>> {
    static LOGS: OnceLock<Mutex<Vec<u8>>> = OnceLock::new();
    LOGS.get_or_init(|| Mutex::new(Vec::new()))
}

struct Capture;
impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        captured_logs().lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn init_tracing() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        // As in production (src/main.rs), at the most verbose level.
        let mut filter = tracing_subscriber::EnvFilter::new("debug");
        for d in skyndsam_store::LOG_DIRECTIVES {
            filter = filter.add_directive(d.parse().unwrap());
        }
        let _ = tracing::subscriber::set_global_default(
            tracing_subscriber::fmt().with_env_filter(filter).with_writer(|| Capture).with_ansi(false).finish(),
        );
    });
}

// ------------------------------------------------------------------ the fixture

pub const DORA: PersonId = PersonId(uuid::Uuid::from_u128(11));
pub const ELSA: PersonId = PersonId(uuid::Uuid::from_u128(12));
pub const CARL: PersonId = PersonId(uuid::Uuid::from_u128(13));
pub const NOAH: PersonId = PersonId(uuid::Uuid::from_u128(14));

/// The protected child's name and personnummer: must never reach an ungranted role.
pub const NOAH_NAME: &str = "Hemlig Skyddadsson";
pub fn noah_pnr() -> PersonalIdentityNumber {
    PersonalIdentityNumber::from_parts(date(2018, 4, 9), 135, IdKind::Personnummer).unwrap()
}

/// The four target cases of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A case at intake (mottagning), area 1.
    Intake,
    /// A case in utredning-1, allocated to the handler `hanna`.
    OwnUnit,
    /// A case in utredning-2, area 2.
    OtherUnit,
    /// A case in utredning-1 about a child with protected identity.
    Protected,
}

impl Target {
    pub const ALL: [Target; 4] = [Target::Intake, Target::OwnUnit, Target::OtherUnit, Target::Protected];
    pub fn case(self) -> CaseId {
        CaseId::from_u128(match self {
            Target::Intake => 101,
            Target::OwnUnit => 102,
            Target::OtherUnit => 103,
            Target::Protected => 104,
        })
    }
    pub fn child(self) -> PersonId {
        match self {
            Target::Intake => DORA,
            Target::OwnUnit => ELSA,
            Target::OtherUnit => CARL,
            Target::Protected => NOAH,
        }
    }
    pub fn pnr(self) -> PersonalIdentityNumber {
        match self {
            Target::Intake => PersonalIdentityNumber::from_parts(date(2015, 1, 2), 246, IdKind::Personnummer).unwrap(),
            Target::OwnUnit => PersonalIdentityNumber::from_parts(date(2016, 5, 4), 248, IdKind::Personnummer).unwrap(),
            Target::OtherUnit => {
                PersonalIdentityNumber::from_parts(date(2017, 7, 7), 133, IdKind::Personnummer).unwrap()
            }
            Target::Protected => noah_pnr(),
        }
    }
}

/// (username = staff id, role, unit)
pub const STAFF: &[(&str, Role, &str)] = &[
    ("rita", Role::Registrar, "mottagning"),
    ("hanna", Role::Handler, "utredning-1-team"),
    ("tove", Role::TeamLeader, "utredning-1-team"),
    ("ulf", Role::UnitManager, "utredning-1"),
    ("anna", Role::AreaManager, "omrade-1"),
    ("fred", Role::HeadOfAdministration, "forvaltning"),
    ("nils", Role::Board, "forvaltning"),
    ("ulla", Role::Committee, "forvaltning"),
    ("kim", Role::QualityDeveloper, "forvaltning"),
    ("rut", Role::Auditor, "forvaltning"),
    ("sam", Role::SystemAdministrator, "forvaltning"),
    ("hugo", Role::Handler, "utredning-2-team"),
    ("tage", Role::TeamLeader, "utredning-2-team"),
    // The intake's team leader: allocates what comes in (hands a case to an investigation
    // unit or one of its handlers). Listed after tove, so tove stays the matrix's team leader.
    ("maja", Role::TeamLeader, "mottagning-team"),
];

/// A report from the e-tjänst waiting in the mottagning's queue (about Dora, the Intake
/// target's child, from an anonymous neighbour, before office hours on Monday 2 March).
pub const SUBMISSION: SubmissionId = SubmissionId(uuid::Uuid::from_u128(0x5EED_0000_0000_0000_0000_0000_0000_0001));
pub const SUBMISSION_TEXT: &str = "Jag hör varje kväll skrik och slag från grannlägenheten där Dora bor.";

pub const PASSWORD: &str = "korrekt häst batteri häftapparat";

/// The staff id that acts in `role` in the matrix (the first in STAFF).
pub fn user_of(role: Role) -> &'static str {
    if role == Role::System {
        return "etjanst";
    }
    STAFF.iter().find(|(_, r, _)| *r == role).map(|(u, _, _)| *u).unwrap()
}

pub fn sys(payload: Payload, stream: &str, on: DateTime<Utc>) -> NewEvent {
    NewEvent {
        stream: stream.into(),
        meta: EventMeta {
            recorded_at: on,
            effective_on: skyndsam_domain::calendar::local_date(on),
            actor: StaffId::system(),
            role: Role::System,
            unit: None,
            delegation: None,
            corrects: None,
        },
        payload,
    }
}

fn uid(s: &str) -> UnitId {
    UnitId::parse(s).unwrap()
}
fn sid(s: &str) -> StaffId {
    StaffId::parse(s).unwrap()
}

pub fn seed(store: &Store) {
    let t0 = at(2026, 1, 2, 8);
    let mut org = Vec::new();
    for (id, parent, kind, function) in [
        ("forvaltning", None, UnitKind::Administration, UnitFunction::Management),
        ("omrade-1", Some("forvaltning"), UnitKind::Area, UnitFunction::Management),
        ("omrade-2", Some("forvaltning"), UnitKind::Area, UnitFunction::Management),
        ("mottagning", Some("omrade-1"), UnitKind::Unit, UnitFunction::Intake),
        ("mottagning-team", Some("mottagning"), UnitKind::Team, UnitFunction::Intake),
        ("utredning-1", Some("omrade-1"), UnitKind::Unit, UnitFunction::Investigation),
        ("utredning-1-team", Some("utredning-1"), UnitKind::Team, UnitFunction::Investigation),
        ("utredning-2", Some("omrade-2"), UnitKind::Unit, UnitFunction::Investigation),
        ("utredning-2-team", Some("utredning-2"), UnitKind::Team, UnitFunction::Investigation),
    ] {
        org.push(sys(
            Payload::UnitCreated(UnitCreated {
                unit: uid(id),
                name: id.into(),
                parent: parent.map(uid),
                kind,
                function,
            }),
            ORG_STREAM,
            t0,
        ));
    }
    for (id, role, unit) in STAFF {
        org.push(sys(
            Payload::StaffRegistered(StaffRegistered {
                staff: sid(id),
                name: format!("{id} Testberg"),
                title: role.label_sv().into(),
                qualified: true,
            }),
            ORG_STREAM,
            t0,
        ));
        org.push(sys(
            Payload::RoleGranted(RoleGranted {
                staff: sid(id),
                role: *role,
                unit: uid(unit),
                from: date(2026, 1, 1),
                to: None,
            }),
            ORG_STREAM,
            t0,
        ));
    }
    for (t, name) in [
        (Target::Intake, "Dora Mottagsson"),
        (Target::OwnUnit, "Elsa Exempelsson"),
        (Target::OtherUnit, "Carl Annansson"),
        (Target::Protected, NOAH_NAME),
    ] {
        org.push(sys(
            Payload::PersonRegistered(PersonRegistered {
                person: t.child(),
                id_number: Some(t.pnr()),
                name: name.into(),
                sex: None,
                birth_date: None,
                municipality: Some("Exempelstad".into()),
                protected_identity: t == Target::Protected,
            }),
            &t.child().stream(),
            t0,
        ));
    }
    store.append(AppendRequest::new(org)).unwrap();

    store
        .submit_web_report(
            SUBMISSION,
            &uid("mottagning"),
            &skyndsam_domain::submission::WebReport {
                reporter: Reporter {
                    category: ReporterCategory::Anonymous,
                    name: None,
                    organisation: None,
                    contact: None,
                },
                child_name: Some("Dora".into()),
                child_id_number: Some(Target::Intake.pnr()),
                child_details: None,
                other_children: None,
                text: SUBMISSION_TEXT.into(),
            },
            at(2026, 3, 2, 7),
        )
        .unwrap();

    let received = at(2026, 3, 2, 8);
    let rita = store.actor(&sid("rita"), Role::Registrar, received).unwrap();
    let tove = store.actor(&sid("tove"), Role::TeamLeader, received).unwrap();
    let tage = store.actor(&sid("tage"), Role::TeamLeader, received).unwrap();
    for t in Target::ALL {
        let text = if t == Target::Protected {
            format!("Förskolan oroar sig för {NOAH_NAME} ({}), som bor på skyddad adress.", noah_pnr().as_str())
        } else {
            "Skolan oroar sig för barnet.".to_owned()
        };
        store
            .register(
                &RegisterActualisation {
                    actualisation: ActualisationId::from_u128(t.case().0.as_u128() + 1000),
                    children: vec![(t.case(), t.child())],
                    kind: ActualisationKind::Report,
                    received_at: received,
                    channel: Channel::EService,
                    reporter: Reporter {
                        category: ReporterCategory::School,
                        name: Some("Lärare Lärarsson".into()),
                        organisation: Some("Skolan".into()),
                        contact: None,
                    },
                    reasons: vec![Reason::NeglectOfCare],
                    text,
                    unit: uid("mottagning"),
                    receipt: None,
                },
                &rita,
                received,
            )
            .unwrap();
        let (actor, unit, handler) = match t {
            Target::Intake => continue,
            Target::OwnUnit => (&tove, "utredning-1", Some(sid("hanna"))),
            Target::Protected => (&tove, "utredning-1", None),
            Target::OtherUnit => (&tage, "utredning-2", Some(sid("hugo"))),
        };
        store
            .execute(t.case(), Some(1), &CaseCommand::Allocate(Allocated { unit: uid(unit), handler }), actor, received)
            .unwrap();
    }
}

// ------------------------------------------------------------------ the app

static N: AtomicU32 = AtomicU32::new(0);

pub struct TestApp {
    pub base: String,
    pub app: Arc<App>,
    pub clock: Arc<TestClock>,
    pub client: reqwest::Client,
    _dir: Option<tempfile::TempDir>,
}

impl TestApp {
    /// On SQLite.
    pub async fn spawn() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:{}", dir.path().join("t.sqlite").display());
        Self::spawn_at(url, Some(dir), None).await
    }

    /// On SQLite, sending mail through `mail`.
    pub async fn spawn_with_mail(mail: skyndsam_web::mail::Outgoing) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:{}", dir.path().join("t.sqlite").display());
        Self::spawn_at(url, Some(dir), Some(mail)).await
    }

    /// On SQLite, believing X-Forwarded-For from `proxies`.
    pub async fn spawn_behind_proxy(proxies: Vec<ipnet::IpNet>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:{}", dir.path().join("t.sqlite").display());
        Self::spawn_configured(url, Some(dir), None, proxies).await
    }

    /// On PostgreSQL (a schema of its own), when DATABASE_URL is set.
    pub async fn spawn_postgres() -> Option<Self> {
        match std::env::var("DATABASE_URL") {
            Ok(url) if !url.is_empty() => {
                let schema = format!(
                    "w{}_{}_{}",
                    std::process::id(),
                    N.fetch_add(1, Ordering::SeqCst),
                    &uuid::Uuid::new_v4().simple().to_string()[..8]
                );
                let sep = if url.contains('?') { '&' } else { '?' };
                Some(Self::spawn_at(format!("{url}{sep}schema={schema}"), None, None).await)
            }
            _ => {
                let _ = writeln!(std::io::stderr(), "PostgreSQL-testet hoppades över: DATABASE_URL är inte satt");
                None
            }
        }
    }

    async fn spawn_at(url: String, dir: Option<tempfile::TempDir>, mail: Option<skyndsam_web::mail::Outgoing>) -> Self {
        Self::spawn_configured(url, dir, mail, Vec::new()).await
    }

    async fn spawn_configured(
        url: String,
        dir: Option<tempfile::TempDir>,
        mail: Option<skyndsam_web::mail::Outgoing>,
        proxies: Vec<ipnet::IpNet>,
    ) -> Self {
        init_tracing();
        let clock = Arc::new(TestClock(Mutex::new(at(2026, 3, 3, 9))));
        let u = url.clone();
        let c2 = clock.clone();
        let app = tokio::task::spawn_blocking(move || {
            let store = Arc::new(Store::open(&u, Arc::new(RuleTable::defaults().unwrap())).unwrap());
            seed(&store);
            let security = Arc::new(SecurityStore::open(&u).unwrap());
            let mut app = App::new(store, security.clone(), c2.clone()).unwrap().with_trusted_proxies(proxies);
            if let Some(m) = mail {
                app = app.with_mail(m);
            }
            let app = Arc::new(app);
            let now = c2.now();
            for (id, _, _) in STAFF {
                app.auth.add_account(&security, id, sid(id), PASSWORD, now, "test").unwrap();
            }
            app.auth.add_account(&security, "etjanst", StaffId::system(), PASSWORD, now, "test").unwrap();
            app
        })
        .await
        .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(skyndsam_web::serve_on(app.clone(), listener));
        Self { base, app, clock, client: reqwest::Client::new(), _dir: dir }
    }

    /// Logs in `user`; returns the bearer token.
    pub async fn login(&self, user: &str) -> String {
        let r = self.post(None, "/api/auth/login", &json!({"username": user, "password": PASSWORD})).await;
        assert_eq!(r.status, 200, "login {user}: {}", r.body);
        r.json["token"].as_str().unwrap().to_owned()
    }

    /// A bearer token acting in `role` (System: an integration token of the e-tjänst).
    pub async fn token_for(&self, role: Role) -> String {
        if role == Role::System {
            let app = self.app.clone();
            let now = self.clock.now();
            return tokio::task::spawn_blocking(move || {
                let privacy = app.store.rules().privacy.clone();
                let scopes = skyndsam_web::auth::SCOPES.iter().map(|(s, _)| s.to_string()).collect();
                app.auth
                    .issue_integration(
                        &app.security,
                        "etjanst",
                        Role::System,
                        uid("mottagning"),
                        scopes,
                        "e-tjänst",
                        now + chrono::Duration::days(30),
                        now,
                        &privacy,
                        "test",
                        "test",
                    )
                    .unwrap()
                    .secret
            })
            .await
            .unwrap();
        }
        self.login(user_of(role)).await
    }

    pub async fn send(&self, method: reqwest::Method, token: Option<&str>, path: &str, body: Option<&Value>) -> Resp {
        let mut rb = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            rb = rb.bearer_auth(t);
        }
        if let Some(b) = body {
            rb = rb.json(b);
        }
        Resp::from(rb.send().await.unwrap()).await
    }

    pub async fn get(&self, token: Option<&str>, path: &str) -> Resp {
        self.send(reqwest::Method::GET, token, path, None).await
    }

    pub async fn post(&self, token: Option<&str>, path: &str, body: &Value) -> Resp {
        self.send(reqwest::Method::POST, token, path, Some(body)).await
    }

    pub async fn raw(&self, token: &str, path: &str, content_type: &str, body: Vec<u8>) -> Resp {
        let rb = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .header("content-type", content_type)
            .body(body);
        Resp::from(rb.send().await.unwrap()).await
    }

    pub fn journal_count(&self) -> u64 {
        self.app.store.count().unwrap()
    }

    pub fn access_log(&self) -> Vec<skyndsam_store::security::AccessRecord> {
        self.app.security.with(|b| b.access_log(&Default::default())).unwrap()
    }

    pub fn security_log(&self) -> Vec<skyndsam_store::security::SecurityRecord> {
        self.app.security.with(|b| b.security_log(at(2000, 1, 1, 0), at(2100, 1, 1, 0))).unwrap()
    }
}

pub struct Resp {
    pub status: u16,
    pub body: String,
    pub json: Value,
}

impl Resp {
    async fn from(r: reqwest::Response) -> Self {
        let status = r.status().as_u16();
        let body = r.text().await.unwrap();
        let json = serde_json::from_str(&body).unwrap_or(Value::Null);
        Self { status, body, json }
    }
    pub fn code(&self) -> &str {
        self.json["code"].as_str().unwrap_or("")
    }
}
