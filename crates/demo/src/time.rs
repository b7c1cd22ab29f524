//! Local (Europe/Stockholm) time helpers for the simulation.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use skyndsam_domain::calendar::{
    add_months_clamped, is_non_working_day, next_working_day_on_or_after, start_of_local_day, TZ,
};

/// `minute` minutes after local midnight on `d` (local wall-clock time), as UTC.
pub fn local(d: NaiveDate, minute: u32) -> DateTime<Utc> {
    let minute = minute.min(24 * 60 - 1);
    d.and_hms_opt(minute / 60, minute % 60, 0)
        .and_then(|ndt| TZ.from_local_datetime(&ndt).earliest())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| start_of_local_day(d) + Duration::minutes(i64::from(minute)))
}

/// A random instant between `from` and `to` minutes (local) on `d`.
pub fn at(rng: &mut ChaCha8Rng, d: NaiveDate, from: u32, to: u32) -> DateTime<Utc> {
    let m = if to > from { rng.gen_range(from..to) } else { from };
    local(d, m)
}

pub fn plus(d: NaiveDate, days: i64) -> NaiveDate {
    d.checked_add_signed(Duration::days(days)).unwrap_or(d)
}

pub fn months(d: NaiveDate, n: u32) -> NaiveDate {
    add_months_clamped(d, n)
}

pub fn between(a: NaiveDate, b: NaiveDate) -> i64 {
    (b - a).num_days()
}

pub fn working(d: NaiveDate) -> bool {
    !is_non_working_day(d)
}

pub fn working_on_or_after(d: NaiveDate) -> NaiveDate {
    next_working_day_on_or_after(d)
}

/// The last working day on or before `d`, but not before `floor` (then `d` itself).
pub fn working_on_or_before(d: NaiveDate, floor: NaiveDate) -> NaiveDate {
    let mut x = d;
    while x >= floor {
        if working(x) {
            return x;
        }
        x = plus(x, -1);
    }
    d
}

/// A working day in `lo..=hi` near `d` (backwards first, then forwards); `d` if none.
pub fn working_within(d: NaiveDate, lo: NaiveDate, hi: NaiveDate) -> NaiveDate {
    let back = working_on_or_before(d, lo);
    if working(back) && back >= lo && back <= hi {
        return back;
    }
    let fwd = working_on_or_after(d);
    if fwd <= hi {
        return fwd;
    }
    d
}

/// Uniform in `lo..=hi` (or `lo` when empty).
pub fn uniform(rng: &mut ChaCha8Rng, lo: i64, hi: i64) -> i64 {
    if hi > lo {
        rng.gen_range(lo..=hi)
    } else {
        lo
    }
}
