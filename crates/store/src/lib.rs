//! Storage: the journal behind one small trait (SQLite embedded, PostgreSQL production),
//! a single appender thread that commits in groups, and the projections kept current
//! from it. Picked by URL: `sqlite:PATH` or `postgres://…`.

pub mod access_blocks;
pub mod backend;
pub mod error;
pub mod migrations;
pub mod postgres;
pub mod projections;
pub mod security;
pub mod sqlite;
pub mod submissions;

use std::io::{BufRead, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, TryLockError};
use std::thread::JoinHandle;

use chrono::{DateTime, Utc};
use serde::Serialize;
use skyndsam_domain::commands::{self, CaseCommand, Context};
use skyndsam_domain::events::{Payload, PreliminaryOutcome, RecordedEvent};
use skyndsam_domain::ids::{CaseId, SubmissionId, UnitId};
use skyndsam_domain::journal::{BrokenLink, ChainVerifier};
use skyndsam_domain::org::Actor;
use skyndsam_domain::quality::commands::QualityCommand;
use skyndsam_domain::rules::RuleTable;
use skyndsam_domain::submission::{self, WebReport};

pub use backend::{AppendRequest, Backend, Expected};
pub use error::StoreError;
pub use projections::Projections;

/// Log directives every subscriber must add: the PostgreSQL driver logs statement
/// parameters (record contents) at DEBUG, which must never reach a log.
pub const LOG_DIRECTIVES: &[&str] = &["tokio_postgres=info", "postgres=info"];

/// Parses a stored body into an event and attaches its stored hash.
pub fn parse_body(body: &[u8], hash: &str) -> Result<RecordedEvent, StoreError> {
    #[derive(serde::Deserialize)]
    struct Body {
        seq: u64,
        stream: String,
        version: u32,
        meta: skyndsam_domain::events::EventMeta,
        schema: u16,
        payload: Payload,
        prev_hash: String,
    }
    let b: Body = serde_json::from_slice(body).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(RecordedEvent {
        seq: b.seq,
        stream: b.stream,
        version: b.version,
        meta: b.meta,
        schema: b.schema,
        payload: b.payload,
        prev_hash: b.prev_hash,
        hash: hash.to_owned(),
    })
}

/// Where a database URL points: `sqlite:PATH`, `sqlite://PATH` or a bare path, or
/// `postgres://…`. The journal and the security store read it the same way.
pub(crate) enum Location<'a> {
    Sqlite(&'a str),
    Postgres(&'a str),
}

pub(crate) fn locate(url: &str) -> Result<Location<'_>, StoreError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Location::Postgres(url))
    } else if let Some(path) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
        if path.is_empty() {
            return Err(StoreError::BadUrl);
        }
        Ok(Location::Sqlite(path))
    } else if !url.contains("://") && !url.is_empty() {
        Ok(Location::Sqlite(url))
    } else {
        Err(StoreError::BadUrl)
    }
}

/// Opens a backend from a URL (see [`locate`]).
pub fn open_backend(url: &str) -> Result<Box<dyn Backend>, StoreError> {
    Ok(match locate(url)? {
        Location::Postgres(u) => Box::new(postgres::PostgresBackend::open(u)?),
        Location::Sqlite(path) => Box::new(sqlite::SqliteBackend::open(path)?),
    })
}

struct Job {
    req: AppendRequest,
    reply: SyncSender<backend::AppendResult>,
}

/// Most requests committed together in one transaction.
const MAX_GROUP: usize = 1024;

/// Longest an appender waits for the writers it expects (well under one fsync).
const GROUP_WAIT: std::time::Duration = std::time::Duration::from_micros(300);

static GROUPS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
static GROUPED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// (transactions committed, requests in them) by the appenders of this process.
pub fn appender_stats() -> (u64, u64) {
    use std::sync::atomic::Ordering::Relaxed;
    (GROUPS.load(Relaxed), GROUPED.load(Relaxed))
}

/// The single appender: the hash chain needs one writer, so it owns the writing
/// connection and commits whatever has queued up in one transaction (group commit).
/// After each commit it applies the new events to the projections, in order.
fn run_appender(mut backend: Box<dyn Backend>, rx: Receiver<Job>, projections: Arc<RwLock<Projections>>) {
    // Adaptive group commit: when the last group held N requests, N writers are likely
    // waiting to send their next one; give them a moment to arrive so they share one
    // fsync. A lone writer (N = 1) never waits.
    let mut expected = 1usize;
    while let Ok(first) = rx.recv() {
        let mut jobs = vec![first];
        while jobs.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        if jobs.len() < expected {
            let deadline = std::time::Instant::now() + GROUP_WAIT;
            while jobs.len() < expected {
                let left = deadline.saturating_duration_since(std::time::Instant::now());
                match rx.recv_timeout(left) {
                    Ok(j) => jobs.push(j),
                    Err(_) => break,
                }
            }
        }
        expected = jobs.len().min(MAX_GROUP);
        GROUPS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        GROUPED.fetch_add(jobs.len() as u64, std::sync::atomic::Ordering::Relaxed);
        let reqs: Vec<&AppendRequest> = jobs.iter().map(|j| &j.req).collect();
        let _span = tracing::debug_span!("append_group", requests = reqs.len()).entered();
        match backend.append_group(&reqs) {
            Ok(results) => {
                apply_to_projections(&mut *backend, &projections, &results);
                for (job, res) in jobs.into_iter().zip(results) {
                    let _ = job.reply.send(res);
                }
            }
            Err(e) => {
                tracing::error!(error = %internal(&e), "append failed; nothing written");
                for job in jobs {
                    let _ = job.reply.send(Err(e.clone()));
                }
            }
        }
    }
}

fn internal(e: &StoreError) -> String {
    match e {
        StoreError::Backend(s) | StoreError::Corrupt(s) => s.clone(),
        other => other.code().to_owned(),
    }
}

fn apply_to_projections(
    backend: &mut dyn Backend,
    projections: &RwLock<Projections>,
    results: &[backend::AppendResult],
) {
    let Ok(mut p) = projections.write() else { return };
    let mut refold = Vec::new();
    for events in results.iter().flatten() {
        for e in events {
            if let Some(projections::Refold(id)) = p.apply(e) {
                refold.push(id);
            }
        }
    }
    for id in refold {
        match backend.read_stream(&id.stream()) {
            Ok(events) => p.refold(&events),
            Err(e) => tracing::error!(error = %internal(&e), "refold after correction failed"),
        }
    }
}

/// Result of `verify`.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    pub checked: u64,
    pub head: Option<String>,
    pub broken: Option<BrokenAt>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BrokenAt {
    pub seq: u64,
    pub link: BrokenLink,
    pub message: String,
}

/// Result of `import`.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub events: u64,
    pub head: Option<String>,
}

/// Reading connections per store: reads (a case's events for the API) run side by side
/// instead of queueing behind one connection. Small: each is a database connection.
pub const READERS: usize = 4;

/// A few reading connections. A read takes a free one (try_lock, starting round-robin)
/// and only waits when all are busy.
struct ReaderPool {
    conns: Vec<Mutex<Box<dyn Backend>>>,
    next: AtomicUsize,
}

impl ReaderPool {
    fn open(url: &str, n: usize) -> Result<Self, StoreError> {
        let conns = (0..n.max(1)).map(|_| open_backend(url).map(Mutex::new)).collect::<Result<Vec<_>, _>>()?;
        Ok(Self { conns, next: AtomicUsize::new(0) })
    }

    fn lock(m: &Mutex<Box<dyn Backend>>) -> MutexGuard<'_, Box<dyn Backend>> {
        match m.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// The connection at `i` (waits for it): for work that must stay on one connection.
    fn at(&self, i: usize) -> MutexGuard<'_, Box<dyn Backend>> {
        Self::lock(&self.conns[i % self.conns.len()])
    }

    /// A free connection if there is one, else waits for the next in turn.
    fn any(&self) -> MutexGuard<'_, Box<dyn Backend>> {
        let n = self.conns.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed) % n;
        for k in 0..n {
            match self.conns[(start + k) % n].try_lock() {
                Ok(g) => return g,
                Err(TryLockError::Poisoned(p)) => return p.into_inner(),
                Err(TryLockError::WouldBlock) => {}
            }
        }
        Self::lock(&self.conns[start])
    }
}

/// The journal with its projections.
pub struct Store {
    tx: Option<SyncSender<Job>>,
    appender: Option<JoinHandle<()>>,
    readers: ReaderPool,
    projections: Arc<RwLock<Projections>>,
    rules: Arc<RuleTable>,
}

impl Store {
    /// Opens the database at `url`, runs migrations, rebuilds the projections from the
    /// journal and starts the appender.
    pub fn open(url: &str, rules: Arc<RuleTable>) -> Result<Self, StoreError> {
        let writer = open_backend(url)?;
        let readers = ReaderPool::open(url, READERS)?;
        let mut p = Projections::new(rules.clone());
        rebuild(&mut **readers.at(0), &mut p)?;
        let projections = Arc::new(RwLock::new(p));
        let (tx, rx) = mpsc::sync_channel::<Job>(4096);
        let pj = projections.clone();
        let appender = std::thread::Builder::new()
            .name("journal-appender".into())
            .spawn(move || run_appender(writer, rx, pj))
            .map_err(|e| StoreError::Backend(e.to_string()))?;
        Ok(Self { tx: Some(tx), appender: Some(appender), readers, projections, rules })
    }

    /// The configured rule table, without the delegation-order versions recorded in the
    /// journal (`delegation_order_versioned`): judge decisions with `projections().rules()`.
    pub fn rules(&self) -> &RuleTable {
        &self.rules
    }

    /// Appends atomically; returns the recorded events once they are durable.
    pub fn append(&self, req: AppendRequest) -> Result<Vec<RecordedEvent>, StoreError> {
        let (reply, rx) = mpsc::sync_channel(1);
        let tx = self.tx.as_ref().ok_or_else(|| StoreError::Backend("store closed".into()))?;
        tx.send(Job { req, reply }).map_err(|_| StoreError::Backend("appender stopped".into()))?;
        rx.recv().map_err(|_| StoreError::Backend("appender stopped".into()))?
    }

    /// Read access to the projections.
    pub fn projections(&self) -> RwLockReadGuard<'_, Projections> {
        match self.projections.read() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    fn with_reader<T>(&self, f: impl FnOnce(&mut dyn Backend) -> Result<T, StoreError>) -> Result<T, StoreError> {
        f(&mut **self.readers.any())
    }

    /// Runs `f` on the first reading connection, always the same one.
    fn with_first_reader<T>(&self, f: impl FnOnce(&mut dyn Backend) -> Result<T, StoreError>) -> Result<T, StoreError> {
        f(&mut **self.readers.at(0))
    }

    /// A case's events from the journal (with free text).
    pub fn read_stream(&self, stream: &str) -> Result<Vec<RecordedEvent>, StoreError> {
        self.with_reader(|b| b.read_stream(stream))
    }

    /// Reads the whole journal from `from_seq` on, in seq order, on a reading connection:
    /// for folds the projections do not keep (the indicators' fact table).
    pub fn scan(
        &self,
        from_seq: u64,
        f: &mut dyn FnMut(RecordedEvent) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.with_reader(|b| b.scan(from_seq, &mut |body, hash| f(parse_body(body, hash)?)))
    }

    pub fn count(&self) -> Result<u64, StoreError> {
        self.with_reader(|b| b.count())
    }

    /// Resolves the actor for `staff` acting as `role` on `now`'s date.
    pub fn actor(
        &self,
        staff: &skyndsam_domain::ids::StaffId,
        role: skyndsam_domain::org::Role,
        now: DateTime<Utc>,
    ) -> Option<Actor> {
        self.projections().org.actor(staff, role, skyndsam_domain::calendar::local_date(now))
    }

    /// Runs a case command: validated by the domain against the current state, appended
    /// only if the case is still at the version the caller saw (`seen_version`) and the
    /// version the domain judged.
    pub fn execute(
        &self,
        case: CaseId,
        seen_version: Option<u32>,
        cmd: &CaseCommand,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let (events, expect) = {
            let p = self.projections();
            let state = p.case(&case).ok_or_else(|| {
                StoreError::Domain(skyndsam_domain::DomainError::new(
                    skyndsam_domain::ErrorCode::NotFound,
                    "Ärendet hittades inte.",
                ))
            })?;
            if let Some(v) = seen_version {
                if v != state.version {
                    return Err(StoreError::Conflict { stream: case.stream(), actual: state.version });
                }
            }
            let other = join_target(cmd).and_then(|id| p.case(&id));
            let ctx = Context { now, rules: p.rules(), org: &p.org, actor };
            let events = commands::handle(state, cmd, &ctx, other)?;
            let mut expect = vec![(case.stream(), Expected::Exactly(state.version))];
            if let Some(o) = other {
                expect.push((o.case.stream(), Expected::Exactly(o.version)));
            }
            (events, expect)
        };
        self.append(AppendRequest { expect, events })
    }

    /// Runs a correction of event `target` in a case.
    pub fn correct(
        &self,
        case: CaseId,
        target: u64,
        cmd: &CaseCommand,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let events = self.read_stream(&case.stream())?;
        let version = events.last().map(|e| e.version).unwrap_or(0);
        let new = {
            let p = self.projections();
            let ctx = Context { now, rules: &self.rules, org: &p.org, actor };
            let other = join_target(cmd).and_then(|id| p.case(&id));
            commands::correct(&events, target, cmd, &ctx, other)?
        };
        self.append(AppendRequest { expect: vec![(case.stream(), Expected::Exactly(version))], events: new })
    }

    /// Registers an actualisation (one new case per child).
    pub fn register(
        &self,
        cmd: &commands::RegisterActualisation,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let events = {
            let p = self.projections();
            check_children(&p, cmd)?;
            let ctx = Context { now, rules: &self.rules, org: &p.org, actor };
            commands::register_actualisation(cmd, &ctx)?
        };
        let expect = cmd.children.iter().map(|(c, _)| (c.stream(), Expected::NoStream)).collect();
        self.append(AppendRequest { expect, events })
    }

    /// Runs a quality-management command (deviation, lex Sarah, complaint, internal control,
    /// survey). For a command on an existing matter, `seen_version` is the version the
    /// caller saw; a stale one is a `Conflict`.
    pub fn execute_quality(
        &self,
        cmd: &QualityCommand,
        seen_version: Option<u32>,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let outcome = {
            let p = self.projections();
            // A stale version is answered first, before the domain judges the command.
            if let (Some(seen), Some(stream)) = (seen_version, cmd.target_stream()) {
                if let Some(actual) = p.matter(&stream).map(|m| m.version()).filter(|v| *v != seen) {
                    return Err(StoreError::Conflict { stream, actual });
                }
            }
            let ctx = Context { now, rules: p.rules(), org: &p.org, actor };
            skyndsam_domain::quality::commands::handle(cmd, &ctx, &*p)?
        };
        let expect =
            outcome.expect.into_iter().map(|(s, v)| (s, v.map_or(Expected::NoStream, Expected::Exactly))).collect();
        self.append(AppendRequest { expect, events: outcome.events })
    }

    /// Opens a deviation for every enabled detection (insats pågår utan beslut, late
    /// preliminary assessment, decision outside delegation, unlinked document) not reported
    /// before. Idempotent: a detection's deviation id follows from its key, so running the
    /// sweep again reports nothing new. Returns the deviations opened.
    pub fn sweep_detections(&self, now: DateTime<Utc>) -> Result<Vec<skyndsam_domain::ids::DeviationId>, StoreError> {
        use skyndsam_domain::quality::{commands as q, detect};
        let today = skyndsam_domain::calendar::local_date(now);
        let found: Vec<(detect::Detection, Option<skyndsam_domain::ids::StaffId>)> = {
            let p = self.projections();
            p.all_cases()
                .filter(|c| c.is_open() || !c.delegation_flags.is_empty())
                .flat_map(|c| detect::detect(c, &self.rules, now))
                .filter(|d| p.matter(&d.deviation_id().stream()).is_none())
                .map(|d| {
                    let assignee = q::responsible(&p.org, &d.unit, &[skyndsam_domain::org::Role::UnitManager], today);
                    (d, assignee)
                })
                .collect()
        };
        let system = Actor::system();
        let mut opened = Vec::new();
        for (d, assignee) in found {
            let report = d.report(&self.rules, assignee);
            match self.execute_quality(&QualityCommand::ReportDeviation(report), None, &system, now) {
                Ok(_) => opened.push(d.deviation_id()),
                // Reported meanwhile (another sweep): nothing to do.
                Err(StoreError::Conflict { .. }) => {}
                Err(StoreError::Domain(e)) if e.code == skyndsam_domain::ErrorCode::Conflict => {}
                Err(e) => return Err(e),
            }
        }
        Ok(opened)
    }

    /// Receives a report through the public e-tjänst as submission `id` (the system acts).
    /// A receipt number already given is refused with `RECEIPT_TAKEN`: the caller draws a
    /// new id. Nothing is looked up about the child.
    pub fn submit_web_report(
        &self,
        id: SubmissionId,
        unit: &UnitId,
        report: &WebReport,
        now: DateTime<Utc>,
    ) -> Result<RecordedEvent, StoreError> {
        let event = {
            let p = self.projections();
            let actor = Actor::system();
            let ctx = Context { now, rules: &self.rules, org: &p.org, actor: &actor };
            let e = submission::submit_web_report(id, unit, report, &ctx)?;
            if let skyndsam_domain::events::Payload::WebReportSubmitted(w) = &e.payload {
                if p.submissions.receipt_taken(&w.receipt) {
                    return Err(StoreError::Domain(skyndsam_domain::DomainError::new(
                        skyndsam_domain::ErrorCode::Conflict,
                        "Kvittensnumret är redan använt.",
                    )));
                }
            }
            e
        };
        let mut out = self.append(AppendRequest::new(vec![event]).expect(id.stream(), Expected::NoStream))?;
        out.pop().ok_or_else(|| StoreError::Backend("append returned no event".into()))
    }

    /// Registers an aktualisering from an open submission: the cases and the submission's
    /// "registered" event in one append, the submission at the version judged (so two
    /// registrars cannot both register it).
    pub fn register_from_submission(
        &self,
        cmd: &commands::RegisterActualisation,
        id: SubmissionId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let (events, version) = {
            let p = self.projections();
            let sub = p.submissions.get(&id).ok_or_else(|| {
                StoreError::Domain(skyndsam_domain::DomainError::new(
                    skyndsam_domain::ErrorCode::NotFound,
                    "Anmälan från e-tjänsten hittades inte.",
                ))
            })?;
            check_children(&p, cmd)?;
            let ctx = Context { now, rules: &self.rules, org: &p.org, actor };
            (submission::register_from_submission(cmd, sub, &ctx)?, sub.version)
        };
        let mut expect: Vec<(String, Expected)> =
            cmd.children.iter().map(|(c, _)| (c.stream(), Expected::NoStream)).collect();
        expect.push((id.stream(), Expected::Exactly(version)));
        self.append(AppendRequest { expect, events })
    }

    /// Closes an open submission without registering it (reason required).
    pub fn dismiss_submission(
        &self,
        id: SubmissionId,
        reason: &str,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<RecordedEvent, StoreError> {
        let (event, version) = {
            let p = self.projections();
            let sub = p.submissions.get(&id).ok_or_else(|| {
                StoreError::Domain(skyndsam_domain::DomainError::new(
                    skyndsam_domain::ErrorCode::NotFound,
                    "Anmälan från e-tjänsten hittades inte.",
                ))
            })?;
            let ctx = Context { now, rules: &self.rules, org: &p.org, actor };
            (submission::dismiss_submission(sub, reason, &ctx)?, sub.version)
        };
        let mut out = self.append(AppendRequest::new(vec![event]).expect(id.stream(), Expected::Exactly(version)))?;
        out.pop().ok_or_else(|| StoreError::Backend("append returned no event".into()))
    }

    /// Walks the whole chain and reports the first broken link.
    pub fn verify(&self) -> Result<VerifyReport, StoreError> {
        self.with_reader(verify_backend)
    }

    /// Writes the journal as JSON Lines (one event per line, see docs/import-format.md).
    pub fn export(&self, out: &mut dyn Write) -> Result<u64, StoreError> {
        self.with_reader(|b| export_backend(b, out))
    }

    /// Imports a JSON Lines file, all or nothing. Lines with `seq`/`hash` must continue
    /// the chain exactly (an export); lines without them (a conversion from another case
    /// system) are sealed here.
    pub fn import(&self, input: impl BufRead) -> Result<ImportReport, StoreError> {
        let lines = read_import_lines(input)?;
        let sealed = self.with_first_reader(|b| {
            let head = b.head()?;
            let mut sealed =
                import::seal_lines(lines, head, |s| Ok(b.read_stream(s)?.last().map(|e| e.version).unwrap_or(0)))?;
            import::validate(&mut sealed, &self.rules)?;
            Ok(sealed)
        })?;
        let events: Vec<RecordedEvent> = sealed.into_iter().map(|(_, e)| e).collect();
        let n = events.len() as u64;
        let head = events.last().map(|e| e.hash.clone());
        // One transaction on the same reading connection that sealed them; the backend
        // re-checks inside it that the events still continue the chain (an append may
        // have come in meanwhile).
        self.with_first_reader(|b| b.insert_sealed(&events))?;
        {
            let mut p = match self.projections.write() {
                Ok(g) => g,
                Err(poisoned) => poisoned.into_inner(),
            };
            for e in &events {
                if let Some(projections::Refold(id)) = p.apply(e) {
                    let stream = self.read_stream(&id.stream())?;
                    p.refold(&stream);
                }
            }
        }
        Ok(ImportReport { events: n, head })
    }

    /// Stops the appender after the queued appends are written.
    pub fn close(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.tx.take();
        if let Some(h) = self.appender.take() {
            let _ = h.join();
        }
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Every child of an aktualisering must be a registered person.
fn check_children(p: &Projections, cmd: &commands::RegisterActualisation) -> Result<(), StoreError> {
    for (_, child) in &cmd.children {
        if p.person(child).is_none() {
            return Err(StoreError::Domain(
                skyndsam_domain::DomainError::new(skyndsam_domain::ErrorCode::NotFound, "Barnet är inte registrerat.")
                    .field("children"),
            ));
        }
    }
    Ok(())
}

fn join_target(cmd: &CaseCommand) -> Option<CaseId> {
    match cmd {
        CaseCommand::DecidePreliminaryAssessment(p) => match &p.outcome {
            PreliminaryOutcome::JoinInvestigation { investigation_case } => Some(*investigation_case),
            _ => None,
        },
        _ => None,
    }
}

/// Folds the whole journal into fresh projections.
pub fn rebuild(backend: &mut dyn Backend, p: &mut Projections) -> Result<(), StoreError> {
    p.begin_rebuild();
    let mut refold = Vec::new();
    backend.scan(1, &mut |body, hash| {
        let e = parse_body(body, hash)?;
        if let Some(projections::Refold(id)) = p.apply(&e) {
            refold.push(id);
        }
        Ok(())
    })?;
    refold.sort_unstable();
    refold.dedup();
    for id in refold {
        let events = backend.read_stream(&id.stream())?;
        p.refold(&events);
    }
    p.finish_rebuild();
    Ok(())
}

/// Writes the journal as JSON Lines without building projections (the CLI's `export`).
pub fn export_backend(b: &mut dyn Backend, out: &mut dyn Write) -> Result<u64, StoreError> {
    let mut n = 0;
    b.scan(1, &mut |body, hash| {
        let e = parse_body(body, hash)?;
        let output = |e: std::io::Error| StoreError::Output(e.kind());
        serde_json::to_writer(&mut *out, &e).map_err(|e| output(e.into()))?;
        out.write_all(b"\n").map_err(output)?;
        n += 1;
        Ok(())
    })?;
    Ok(n)
}

pub fn verify_backend(b: &mut dyn Backend) -> Result<VerifyReport, StoreError> {
    let mut v = ChainVerifier::new();
    let mut broken: Option<BrokenAt> = None;
    let mut position = 0u64;
    b.scan(1, &mut |body, hash| {
        if broken.is_some() {
            return Ok(());
        }
        position += 1;
        let res = match parse_body(body, hash) {
            Ok(e) => v.check(&e, Some(body)).map_err(|l| (e.seq, l)),
            Err(_) => Err((position, BrokenLink::Unreadable)),
        };
        if let Err((seq, link)) = res {
            broken = Some(BrokenAt { seq, message: link.message_sv(), link });
        }
        Ok(())
    })?;
    Ok(VerifyReport { checked: v.checked, head: v.head().map(str::to_owned), broken })
}

fn read_import_lines(input: impl BufRead) -> Result<Vec<(usize, import::Line)>, StoreError> {
    let mut out = Vec::new();
    for (i, line) in input.lines().enumerate() {
        let n = i + 1;
        let line =
            line.map_err(|_| StoreError::Import { line: n, message: "Raden kunde inte läsas (inte UTF-8?).".into() })?;
        if line.trim().is_empty() {
            continue;
        }
        let parsed: import::Line = serde_json::from_str(&line).map_err(|e| StoreError::Import {
            line: n,
            message: format!("Raden följer inte formatet: {}", import::sanitize(&e.to_string())),
        })?;
        out.push((n, parsed));
    }
    Ok(out)
}

pub mod import;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn a_busy_reader_is_passed_over_and_all_busy_waits_for_one() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:{}", dir.path().join("r.sqlite").display());
        let pool = Arc::new(ReaderPool::open(&url, 3).unwrap());
        let held: Vec<_> = (0..2).map(|_| pool.any()).collect();
        // The third connection is free: taken without waiting, whatever the turn.
        for _ in 0..5 {
            let mut free = pool.any();
            assert_eq!(free.count().unwrap(), 0);
        }
        let third = pool.any();
        let (tx, rx) = mpsc::channel();
        let p2 = pool.clone();
        let t = std::thread::spawn(move || {
            let mut c = p2.any();
            tx.send(c.count().unwrap()).unwrap();
        });
        assert!(rx.recv_timeout(std::time::Duration::from_millis(100)).is_err(), "all busy: must wait");
        drop(held);
        drop(third);
        assert_eq!(rx.recv_timeout(std::time::Duration::from_secs(10)).unwrap(), 0);
        t.join().unwrap();
    }
}
