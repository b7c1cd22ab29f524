//! `skyndsam bench …`: benchmarks of the journal and the projections. Each prints the
//! median of its runs and the machine's core count. Not tests: nothing here asserts time.

use anyhow::{bail, Result};
use chrono::{DateTime, Duration, Utc};
use clap::Subcommand;
use skyndsam_domain::calendar::local_date;
use skyndsam_domain::events::*;
use skyndsam_domain::ids::{ActualisationId, CaseId, PersonId, StaffId, UnitId};
use skyndsam_domain::journal::seal;
use skyndsam_domain::org::Role;
use skyndsam_domain::rules::RuleTable;
use skyndsam_store::projections::Projections;
use skyndsam_store::{AppendRequest, Expected, Store};
use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Durable appends: W writers each appending one event at a time and waiting for it.
    Append {
        #[arg(long, default_value_t = 1)]
        writers: usize,
        /// Events per run (all writers together).
        #[arg(long, default_value_t = 20_000)]
        events: usize,
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// Print "ack STREAM VERSION" for every acknowledged append (crash test).
        #[arg(long)]
        print_acks: bool,
    },
    /// Rebuild the projections from the journal (fills it with synthetic cases first if
    /// it holds fewer than --events events).
    Rebuild {
        #[arg(long, default_value_t = 1_000_000)]
        events: u64,
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// The deadline book for one unit holding N open cases (in memory), and the memory
    /// per open case in the projections.
    DeadlineBook {
        #[arg(long, default_value_t = 100_000)]
        open_cases: usize,
        #[arg(long, default_value_t = 50)]
        runs: usize,
    },
}

pub fn run(cmd: &BenchCommand, database: &str, rules: Arc<RuleTable>) -> Result<()> {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    match cmd {
        BenchCommand::Append { writers, events, runs, print_acks } => {
            let store = Arc::new(Store::open(database, rules)?);
            let mut rates = Vec::new();
            for run in 0..*runs {
                let rate = append_run(&store, *writers, *events, *print_acks)?;
                if !print_acks {
                    eprintln!("  körning {}: {:.0} händelser/s", run + 1, rate);
                }
                rates.push(rate);
            }
            let (groups, requests) = skyndsam_store::appender_stats();
            println!(
                "append: {} skrivare, {} händelser per körning, median {:.0} händelser/s, i snitt {:.1} händelser per commit ({} kärnor, {})",
                writers,
                events,
                median(&mut rates),
                requests as f64 / groups.max(1) as f64,
                cores,
                backend_name(database)
            );
        }
        BenchCommand::Rebuild { events, runs } => {
            {
                let store = Store::open(database, rules.clone())?;
                let have = store.count()?;
                if have < *events {
                    eprintln!("fyller journalen med syntetiska ärenden: {have} → {events} händelser …");
                    fill_synthetic(&store, *events - have)?;
                }
            }
            let mut times = Vec::new();
            let mut cases = 0;
            let mut count = 0;
            for run in 0..*runs {
                let mut backend = skyndsam_store::open_backend(database)?;
                count = backend.count()?;
                let mut p = Projections::new(rules.clone());
                let t = Instant::now();
                skyndsam_store::rebuild(&mut *backend, &mut p)?;
                let s = t.elapsed().as_secs_f64();
                cases = p.case_count();
                eprintln!("  körning {}: {:.2} s", run + 1, s);
                times.push(s);
            }
            println!(
                "rebuild: {} händelser, {} ärenden, median {:.2} s ({:.0} händelser/s; {} kärnor, {})",
                count,
                cases,
                median(&mut times),
                count as f64 / median(&mut times),
                cores,
                backend_name(database)
            );
        }
        BenchCommand::DeadlineBook { open_cases, runs } => {
            let unit = UnitId::parse("utredning-1")?;
            let now = Utc::now();
            let rss_before = rss_bytes();
            let mut p = Projections::new(rules.clone());
            let mut seq = 0u64;
            for i in 0..*open_cases {
                for ev in synthetic_case(i as u64, &unit, now) {
                    seq += 1;
                    let rec = seal(ev, seq, 1, "0")?;
                    p.apply(&rec);
                }
            }
            let rss_after = rss_bytes();
            let units = vec![unit];
            let mut times = Vec::new();
            let mut rows = 0;
            for _ in 0..*runs {
                let t = Instant::now();
                let book = p.deadline_book(&units, now);
                times.push(t.elapsed().as_secs_f64() * 1000.0);
                rows = book.len();
            }
            println!(
                "deadline-book: {} öppna ärenden i en enhet, {} frister, median {:.2} ms ({} kärnor)",
                p.open_case_count(),
                rows,
                median(&mut times),
                cores
            );
            if let (Some(a), Some(b)) = (rss_before, rss_after) {
                println!(
                    "minne: {:.0} byte per öppet ärende i projektionerna (RSS-ökning {:.1} MiB)",
                    (b.saturating_sub(a)) as f64 / *open_cases as f64,
                    (b.saturating_sub(a)) as f64 / 1048576.0
                );
            }
        }
    }
    Ok(())
}

fn backend_name(url: &str) -> &'static str {
    if url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    }
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

fn rss_bytes() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn meta(now: DateTime<Utc>) -> EventMeta {
    EventMeta {
        recorded_at: now,
        effective_on: local_date(now),
        actor: StaffId::system(),
        role: Role::System,
        unit: None,
        delegation: None,
        corrects: None,
    }
}

/// One writer's run: appends `n` journal entries to its own case stream, one at a time,
/// each acknowledged only when durable.
fn append_run(store: &Arc<Store>, writers: usize, events: usize, print_acks: bool) -> Result<f64> {
    let per = events / writers.max(1);
    let t = Instant::now();
    let handles: Vec<_> = (0..writers)
        .map(|_| {
            let store = store.clone();
            std::thread::spawn(move || -> Result<()> {
                let stream = CaseId(uuid::Uuid::new_v4()).stream();
                let mut version = 0u32;
                let text = "Samtal med vårdnadshavare om skolsituationen och om hur veckan har varit. ".repeat(3);
                for _ in 0..per {
                    let ev = NewEvent {
                        stream: stream.clone(),
                        meta: meta(Utc::now()),
                        payload: Payload::EntryWritten(EntryWritten {
                            heading: "Journalanteckning".into(),
                            text: text.clone(),
                        }),
                    };
                    let req = AppendRequest::new(vec![ev]).expect(stream.clone(), Expected::Exactly(version));
                    store.append(req)?;
                    version += 1;
                    if print_acks {
                        let mut out = std::io::stdout().lock();
                        writeln!(out, "ack {stream} {version}")?;
                        out.flush()?;
                    }
                }
                Ok(())
            })
        })
        .collect();
    for h in handles {
        match h.join() {
            Ok(r) => r?,
            Err(_) => bail!("en skrivartråd avbröts"),
        }
    }
    Ok((per * writers) as f64 / t.elapsed().as_secs_f64())
}

/// A synthetic open case: a report, its protection assessment, a decision to open, the
/// investigation with triage and allocation, and two journal entries (8 events).
pub fn synthetic_case(i: u64, unit: &UnitId, now: DateTime<Utc>) -> Vec<NewEvent> {
    let case = CaseId::from_u128(0x5eed_0000_0000_0000_0000_0000_0000_0000 | u128::from(i));
    let child = PersonId::from_u128(0x5eed_1000_0000_0000_0000_0000_0000_0000 | u128::from(i));
    let received = now - Duration::days((i % 110) as i64 + 1) - Duration::minutes((i % 600) as i64);
    let decided_on = local_date(received) + Duration::days((i % 14) as i64);
    let s = case.stream();
    let m = |t: DateTime<Utc>| meta(t);
    let mut out = vec![
        NewEvent {
            stream: s.clone(),
            meta: m(received),
            payload: Payload::ActualisationRegistered(ActualisationRegistered {
                case,
                actualisation: ActualisationId::from_u128(u128::from(i)),
                child,
                siblings: vec![],
                kind: ActualisationKind::Report,
                received_at: received,
                channel: Channel::Phone,
                reporter: Reporter {
                    category: ReporterCategory::School,
                    name: Some("Rektor Exempelsson".into()),
                    organisation: Some("Påhittade skolan".into()),
                    contact: None,
                },
                reasons: vec![Reason::NeglectOfCare],
                text: "Skolan oroar sig för barnets omsorg.".into(),
                unit: unit.clone(),
                after_hours: false,
                receipt: None,
                submission: None,
            }),
        },
        NewEvent {
            stream: s.clone(),
            meta: m(received + Duration::hours(2)),
            payload: Payload::ProtectionAssessmentRecorded(ProtectionAssessmentRecorded {
                assessed_at: received + Duration::hours(2),
                assessor_name: "Amira Testberg".into(),
                assessor_title: "socialsekreterare".into(),
                facts: "Inget omedelbart skyddsbehov framkommer.".into(),
                immediate_need: false,
                protection_plan: None,
            }),
        },
    ];
    if !i.is_multiple_of(4) {
        out.push(NewEvent {
            stream: s.clone(),
            meta: m(received + Duration::days(3)),
            payload: Payload::PreliminaryAssessmentDecided(PreliminaryAssessmentDecided {
                decided_on,
                outcome: PreliminaryOutcome::Open,
                earlier_knowledge: EarlierKnowledge { exists: false, description: None },
                child_view: ChildView::NotObtained { reason: "Barnet är för litet.".into() },
                late_reason: None,
                motivation: "Oron behöver utredas.".into(),
            }),
        });
        out.push(NewEvent {
            stream: s.clone(),
            meta: m(received + Duration::days(3)),
            payload: Payload::InvestigationOpened(InvestigationOpened {
                opened_on: decided_on,
                basis: InvestigationBasis::PreliminaryAssessment,
            }),
        });
        out.push(NewEvent {
            stream: s.clone(),
            meta: m(received + Duration::days(4)),
            payload: Payload::TriageSet(TriageSet {
                colour: [Triage::Red, Triage::Yellow, Triage::Green][(i % 3) as usize],
            }),
        });
        out.push(NewEvent {
            stream: s.clone(),
            meta: m(received + Duration::days(4)),
            payload: Payload::Allocated(Allocated {
                unit: unit.clone(),
                handler: Some(StaffId::parse(&format!("handlaggare-{}", i % 12)).unwrap_or_else(|_| StaffId::system())),
            }),
        });
    }
    while out.len() < 8 {
        out.push(NewEvent {
            stream: s.clone(),
            meta: m(received + Duration::days(5)),
            payload: Payload::EntryWritten(EntryWritten {
                heading: "Journalanteckning".into(),
                text: "Telefonsamtal med vårdnadshavare om planeringen.".into(),
            }),
        });
    }
    out
}

fn fill_synthetic(store: &Store, events: u64) -> Result<()> {
    let unit = UnitId::parse("utredning-1")?;
    let now = Utc::now();
    let mut written = 0u64;
    let mut i = 10_000_000u64 + store.count()?;
    let mut batch = Vec::with_capacity(8000);
    while written < events {
        let evs = synthetic_case(i, &unit, now);
        written += evs.len() as u64;
        batch.extend(evs);
        i += 1;
        if batch.len() >= 8000 {
            store.append(AppendRequest::new(std::mem::take(&mut batch)))?;
        }
    }
    if !batch.is_empty() {
        store.append(AppendRequest::new(batch))?;
    }
    Ok(())
}
