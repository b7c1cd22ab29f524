//! The access log's review queries (loggkontroll) on SQLite, where lookups by reader and by
//! person go through sealed blocks with Bloom filters (no index on either; see
//! `access_blocks`). A year of a large administration: 1,000,000 reads by 60 readers in
//! 6 units of 50,000 persons, appended in groups of 256 as the log writer does.
//!
//! - `person_all_time`: every read of one person (about 20 lines), the whole year.
//! - `person_month`: the same person, one month.
//! - `reader_month`: one reader's reads in a month in their unit (about 1,400 lines,
//!   the API's default limit of 1,000).
//! - `day_two_units`: every read in two units on one day (what the unusual-reads review
//!   reads; about 900 lines).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{Duration, TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

use skyndsam_domain::ids::{PersonId, StaffId, UnitId};
use skyndsam_domain::org::Role;
use skyndsam_store::security::{AccessAction, AccessBasis, AccessEntry, AccessQuery, SecurityBackend};
use skyndsam_store::sqlite::SqliteBackend;

const LINES: usize = 1_000_000;
const READERS: usize = 60;
const UNITS: usize = 6;
const PERSONS: u128 = 50_000;

fn reader(i: usize) -> StaffId {
    StaffId::parse(&format!("reader-{:02}", i % READERS)).unwrap()
}
fn unit(i: usize) -> UnitId {
    UnitId::parse(&format!("unit-{}", i % READERS % UNITS)).unwrap()
}
fn person(n: u128) -> PersonId {
    PersonId(uuid::Uuid::from_u128(0x5eed_0000_0000_0000 ^ n.wrapping_mul(0x9e37_79b9_7f4a_7c15)))
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench-security.sqlite");
    let mut db = SqliteBackend::open_security(path.to_str().unwrap()).unwrap();
    let start = Utc.with_ymd_and_hms(2025, 1, 1, 7, 0, 0).unwrap();
    let step = Duration::days(365).num_microseconds().unwrap() / LINES as i64;
    let line = |i: usize| AccessEntry {
        at: start + Duration::microseconds(step * i as i64),
        staff: reader(i),
        role: Role::Handler,
        unit: Some(unit(i)),
        person: person((i as u128).wrapping_mul(7919) % PERSONS),
        case: None,
        action: AccessAction::ReadPerson,
        basis: AccessBasis::OwnUnit,
        reason: None,
        correlation: format!("{i:016x}"),
    };
    let t0 = std::time::Instant::now();
    for group in (0..LINES).collect::<Vec<_>>().chunks(256) {
        let lines: Vec<_> = group.iter().map(|&i| line(i)).collect();
        db.append_logs(&lines, &[]).unwrap();
    }
    eprintln!("{LINES} lines appended in {:.1} s", t0.elapsed().as_secs_f64());

    let month = (start + Duration::days(150), start + Duration::days(180));
    let day = (start + Duration::days(200), start + Duration::days(201));
    let someone = person(4711);
    let queries = [
        ("person_all_time", AccessQuery { person: Some(someone), ..Default::default() }),
        (
            "person_month",
            AccessQuery { person: Some(someone), from: Some(month.0), to: Some(month.1), ..Default::default() },
        ),
        (
            "reader_month",
            AccessQuery {
                staff: Some(reader(7)),
                from: Some(month.0),
                to: Some(month.1),
                units: Some(vec![unit(7)]),
                limit: 1000,
                ..Default::default()
            },
        ),
        (
            "day_two_units",
            AccessQuery {
                from: Some(day.0),
                to: Some(day.1),
                units: Some(vec![unit(0), unit(1)]),
                ..Default::default()
            },
        ),
    ];
    let mut g = c.benchmark_group("access_log");
    for (name, q) in &queries {
        eprintln!("{name}: {} lines", db.access_log(q).unwrap().len());
        g.bench_function(*name, |b| b.iter(|| black_box(db.access_log(black_box(q)).unwrap())));
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = bench
}
criterion_main!(benches);
