//! The indicators' fact table and cube, kept in the server (issue 7, decision 0006).
//!
//! The CLI folds the journal into `skyndsam_report::FactTable` by one scan per command; the
//! server keeps one such build and shares it between requests. A build is stale when the
//! journal has moved on (`Projections::last_seq`) or the reporting date has changed; a
//! stale build is still served while a new one is made on a blocking thread, at most one
//! build at a time and at most one every [`MIN_REBUILD_SECONDS`]. Pages show the time the
//! build they used was made ("per …"). Only the very first request waits for a build.

use chrono::{DateTime, NaiveDate, Utc};
use skyndsam_report::compute::Cube;
use skyndsam_report::{FactTable, FactsBuilder, IndicatorTable, Report};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::app::AppState;
use crate::error::ApiError;

/// The least time between two builds (a busy journal does not rebuild on every request).
pub const MIN_REBUILD_SECONDS: u64 = 30;

/// How long a request waits for a build when there is none yet.
const FIRST_BUILD_WAIT: Duration = Duration::from_secs(120);

/// One build: the facts of every case, the indicator table and the cube at `as_of`.
pub struct Built {
    pub facts: FactTable,
    pub table: IndicatorTable,
    pub cube: Arc<Cube>,
    pub as_of: NaiveDate,
    /// The journal's last seq when the build started (the build holds at least that much).
    pub seq: u64,
    /// When the build started (the figures are "per" this time).
    pub at: DateTime<Utc>,
}

impl Built {
    /// The report engine over this build.
    pub fn report<'a>(&'a self, rules: &'a skyndsam_domain::rules::RuleTable) -> Report<'a> {
        Report::with_cube(&self.facts, rules, &self.table, self.as_of, self.cube.clone())
    }
}

#[derive(Default)]
struct Inner {
    built: Option<Arc<Built>>,
    building: bool,
    last_start: Option<Instant>,
    last_error: Option<String>,
}

/// The cache (one per `App`).
#[derive(Default)]
pub struct ReportCache {
    inner: Mutex<Inner>,
}

impl ReportCache {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        match self.inner.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }
}

fn build(app: &AppState, seq: u64, as_of: NaiveDate, at: DateTime<Utc>) -> Result<Built, String> {
    let rules = app.store.rules();
    let table = IndicatorTable::defaults().map_err(|e| e.to_string())?;
    // The self-inspection answers as of the build's date: DOK-* in the scorecard and the
    // Trender page's self-inspection series (decision 0014).
    let questions = skyndsam_domain::checks::Questionnaire::defaults().map_err(|e| e.message)?;
    let mut builder = FactsBuilder::new(rules).with_self_inspection(questions, as_of);
    app.store
        .scan(1, &mut |e| {
            builder.push(e);
            Ok(())
        })
        .map_err(|e| e.to_string())?;
    let facts = builder.finish();
    let cube = Arc::new(Cube::build(&facts, rules, as_of));
    Ok(Built { facts, table, cube, as_of, seq, at })
}

/// Starts a build on a blocking thread; it stores its result in the cache.
fn start(app: &AppState, seq: u64, as_of: NaiveDate, at: DateTime<Utc>) -> tokio::task::JoinHandle<()> {
    let app = app.clone();
    tokio::task::spawn_blocking(move || {
        let res = build(&app, seq, as_of, at);
        let mut g = app.reports.lock();
        g.building = false;
        match res {
            Ok(b) => {
                g.built = Some(Arc::new(b));
                g.last_error = None;
            }
            Err(e) => {
                tracing::error!(error = %e, "the indicators' fact table could not be built");
                g.last_error = Some(e);
            }
        }
    })
}

/// The current build: fresh if the journal has not moved on, else the previous one while a
/// new one is made (started here if none is running and the last began long enough ago).
pub async fn current(app: &AppState) -> Result<Arc<Built>, ApiError> {
    let seq = app.store.projections().last_seq;
    let at = app.now();
    let as_of = skyndsam_domain::calendar::local_date(at);
    let (have, handle) = {
        let mut g = app.reports.lock();
        let have = g.built.clone();
        let stale = have.as_ref().is_none_or(|b| b.seq != seq || b.as_of != as_of);
        let due = g.last_start.is_none_or(|t| t.elapsed() >= Duration::from_secs(MIN_REBUILD_SECONDS));
        let go = stale && !g.building && (have.is_none() || due);
        if go {
            g.building = true;
            g.last_start = Some(Instant::now());
        }
        (have, go.then(|| start(app, seq, as_of, at)))
    };
    if let Some(b) = have {
        return Ok(b);
    }
    if let Some(h) = handle {
        h.await.map_err(|e| ApiError::internal(format!("fact table build: {e}")))?;
    }
    // No build yet: wait for the one under way.
    let until = Instant::now() + FIRST_BUILD_WAIT;
    loop {
        {
            let g = app.reports.lock();
            if let Some(b) = &g.built {
                return Ok(b.clone());
            }
            if !g.building {
                let why = g.last_error.clone().unwrap_or_else(|| "no build".into());
                return Err(ApiError::internal(format!("fact table build failed: {why}")));
            }
        }
        if Instant::now() > until {
            return Err(ApiError::internal("fact table build took too long"));
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}
