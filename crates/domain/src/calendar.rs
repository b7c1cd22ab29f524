//! Swedish statutory date arithmetic.
//!
//! Pure functions only: no I/O and no clock. Every "today" is a parameter.
//!
//! Legal basis:
//! - Lag (1930:173) om beräkning av lagstadgad tid: 1 § (months are counted
//!   to the same day number, or the last day of the month when that day does
//!   not exist) and 2 § (a deadline ending on a Saturday, Sunday, allmän
//!   helgdag, midsommarafton, julafton or nyårsafton moves to the next
//!   vardag).
//! - Lag (1989:253) om allmänna helgdagar.

use chrono::{DateTime, Datelike, Days, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};

/// The legal time zone of the case system.
pub const TZ: chrono_tz::Tz = chrono_tz::Europe::Stockholm;

/// The calendar date in Europe/Stockholm at the instant `t`.
pub fn local_date(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&TZ).date_naive()
}

/// 00:00 local time (Europe/Stockholm) on `d`, as UTC.
///
/// Midnight always exists in Sweden (transitions happen at 02:00/03:00), but
/// the function is total: if the local midnight were ambiguous the earliest
/// instant is returned, and if it fell in a gap the first valid local instant
/// after it is returned.
pub fn start_of_local_day(d: NaiveDate) -> DateTime<Utc> {
    let midnight = d.and_time(NaiveTime::MIN);
    match TZ.from_local_datetime(&midnight) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(earliest, _) => earliest.with_timezone(&Utc),
        LocalResult::None => {
            // Gap (or out of range): scan forward minute by minute for the
            // first valid local time. Real gaps are at most a few hours.
            let mut probe = midnight;
            for _ in 0..(48 * 60) {
                match probe.checked_add_signed(chrono::TimeDelta::minutes(1)) {
                    Some(next) => probe = next,
                    None => break,
                }
                if let Some(t) = TZ.from_local_datetime(&probe).earliest() {
                    return t.with_timezone(&Utc);
                }
            }
            // Only reachable at the very edge of chrono's range.
            Utc.from_utc_datetime(&midnight)
        }
    }
}

/// The first instant of the local day after `d`, as UTC (exclusive end of
/// `d`). A local day is 23 hours on the spring-forward day and 25 hours on
/// the fall-back day.
pub fn end_of_local_day(d: NaiveDate) -> DateTime<Utc> {
    match d.succ_opt() {
        Some(next) => start_of_local_day(next),
        None => {
            let start = start_of_local_day(d);
            start.checked_add_signed(chrono::TimeDelta::days(1)).unwrap_or(DateTime::<Utc>::MAX_UTC)
        }
    }
}

/// `d` plus `days` calendar days, saturating at [`NaiveDate::MAX`].
pub fn add_days(d: NaiveDate, days: u32) -> NaiveDate {
    d.checked_add_days(Days::new(u64::from(days))).unwrap_or(NaiveDate::MAX)
}

fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => {
            if is_leap_year(year) {
                29
            } else {
                28
            }
        }
    }
}

/// Lag (1930:173) 1 §: the same day number `months` months later, or the last
/// day of that month when the day number does not exist there
/// (31 October + 4 months = 28/29 February). Saturates at [`NaiveDate::MAX`].
pub fn add_months_clamped(d: NaiveDate, months: u32) -> NaiveDate {
    let index = i64::from(d.year()) * 12 + i64::from(d.month0()) + i64::from(months);
    let year = index.div_euclid(12);
    // rem_euclid(12) is in 0..12, so the cast cannot truncate.
    let month = (index.rem_euclid(12) as u32) + 1;
    let Ok(year) = i32::try_from(year) else {
        return NaiveDate::MAX;
    };
    let day = d.day().min(days_in_month(year, month));
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or(NaiveDate::MAX)
}

/// Easter Sunday in the Gregorian calendar (anonymous Gregorian algorithm,
/// "Meeus/Jones/Butcher"). Total: clamps to chrono's range for absurd years.
pub fn easter_sunday(year: i32) -> NaiveDate {
    let y = i64::from(year);
    let a = y.rem_euclid(19);
    let b = y.div_euclid(100);
    let c = y.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c.div_euclid(4);
    let k = c.rem_euclid(4);
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l).div_euclid(451);
    let n = h + l - 7 * m + 114;
    // month is 3 or 4 and day is 1..=31; the casts cannot truncate.
    let month = n.div_euclid(31) as u32;
    let day = (n.rem_euclid(31) + 1) as u32;
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or(if year < 0 { NaiveDate::MIN } else { NaiveDate::MAX })
}

/// A Swedish holiday or holiday eve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Holiday {
    pub date: NaiveDate,
    pub name: &'static str,
    pub kind: HolidayKind,
}

/// Kind of holiday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum HolidayKind {
    /// Allmän helgdag according to lag (1989:253).
    PublicHoliday,
    /// A holiday eve (midsommarafton, julafton, nyårsafton, påskafton).
    Eve,
}

/// The first `weekday` on or after `d` (None only at the end of chrono's range).
fn weekday_on_or_after(d: NaiveDate, weekday: Weekday) -> Option<NaiveDate> {
    let from = d.weekday().num_days_from_monday();
    let to = weekday.num_days_from_monday();
    let offset = (to + 7 - from) % 7;
    d.checked_add_days(Days::new(u64::from(offset)))
}

/// Midsommardagen: the Saturday between 20 and 26 June.
fn midsummer_day(year: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, 6, 20).and_then(|d| weekday_on_or_after(d, Weekday::Sat))
}

/// Alla helgons dag: the Saturday between 31 October and 6 November.
fn all_saints_day(year: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, 10, 31).and_then(|d| weekday_on_or_after(d, Weekday::Sat))
}

fn offset_days(d: NaiveDate, days: i64) -> Option<NaiveDate> {
    d.checked_add_signed(chrono::TimeDelta::days(days))
}

/// All Swedish public holidays (allmänna helgdagar other than ordinary
/// Sundays) and holiday eves in `year`, sorted by date, with Swedish names.
///
/// Two entries can share a date (e.g. Kristi himmelsfärdsdag on första maj).
pub fn holidays(year: i32) -> Vec<Holiday> {
    use HolidayKind::{Eve, PublicHoliday};
    let easter = easter_sunday(year);
    let midsummer = midsummer_day(year);
    let ymd = |m: u32, d: u32| NaiveDate::from_ymd_opt(year, m, d);
    let candidates: [(Option<NaiveDate>, &'static str, HolidayKind); 17] = [
        (ymd(1, 1), "Nyårsdagen", PublicHoliday),
        (ymd(1, 6), "Trettondedag jul", PublicHoliday),
        (offset_days(easter, -2), "Långfredagen", PublicHoliday),
        (offset_days(easter, -1), "Påskafton", Eve),
        (Some(easter), "Påskdagen", PublicHoliday),
        (offset_days(easter, 1), "Annandag påsk", PublicHoliday),
        (ymd(5, 1), "Första maj", PublicHoliday),
        (offset_days(easter, 39), "Kristi himmelsfärdsdag", PublicHoliday),
        (offset_days(easter, 49), "Pingstdagen", PublicHoliday),
        (ymd(6, 6), "Sveriges nationaldag", PublicHoliday),
        (midsummer.and_then(|d| offset_days(d, -1)), "Midsommarafton", Eve),
        (midsummer, "Midsommardagen", PublicHoliday),
        (all_saints_day(year), "Alla helgons dag", PublicHoliday),
        (ymd(12, 24), "Julafton", Eve),
        (ymd(12, 25), "Juldagen", PublicHoliday),
        (ymd(12, 26), "Annandag jul", PublicHoliday),
        (ymd(12, 31), "Nyårsafton", Eve),
    ];
    let mut list: Vec<Holiday> = candidates
        .into_iter()
        .filter_map(|(date, name, kind)| date.filter(|d| d.year() == year).map(|date| Holiday { date, name, kind }))
        .collect();
    // Stable sort keeps the listing order for holidays sharing a date.
    list.sort_by_key(|h| h.date);
    list
}

/// Allmän helgdag according to lag (1989:253), including every Sunday.
pub fn is_public_holiday(d: NaiveDate) -> bool {
    d.weekday() == Weekday::Sun
        || holidays(d.year()).iter().any(|h| h.kind == HolidayKind::PublicHoliday && h.date == d)
}

/// The eves that lag (1930:173) 2 § treats like holidays: midsommarafton,
/// julafton and nyårsafton (påskafton is deliberately not included; it is
/// always a Saturday anyway).
fn is_statutory_eve(d: NaiveDate) -> bool {
    match (d.month(), d.day()) {
        (12, 24) | (12, 31) => true,
        (6, _) => midsummer_day(d.year()).and_then(|s| offset_days(s, -1)).is_some_and(|eve| eve == d),
        _ => false,
    }
}

/// An allmän helgdag (every Sunday included) or midsommarafton, julafton or nyårsafton:
/// the days an office that is otherwise open stays closed.
pub fn is_holiday_or_eve(d: NaiveDate) -> bool {
    is_statutory_eve(d) || is_public_holiday(d)
}

/// Saturday, Sunday, allmän helgdag, midsommarafton, julafton or nyårsafton
/// (the days lag (1930:173) 2 § does not count as a last day).
pub fn is_non_working_day(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun) || is_statutory_eve(d) || is_public_holiday(d)
}

/// Lag (1930:173) 2 §: a deadline whose last day is a non-working day moves
/// to the next vardag. Returns `d` itself when it is a working day.
/// Saturates at [`NaiveDate::MAX`].
pub fn next_working_day_on_or_after(d: NaiveDate) -> NaiveDate {
    let mut day = d;
    while is_non_working_day(day) {
        match day.succ_opt() {
            Some(next) => day = next,
            None => return day,
        }
    }
    day
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use proptest::prelude::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn easter_known_dates() {
        let table = [
            (1818, 3, 22),
            (1943, 4, 25),
            (2000, 4, 23),
            (2001, 4, 15),
            (2002, 3, 31),
            (2003, 4, 20),
            (2004, 4, 11),
            (2005, 3, 27),
            (2006, 4, 16),
            (2007, 4, 8),
            (2008, 3, 23),
            (2009, 4, 12),
            (2010, 4, 4),
            (2011, 4, 24),
            (2012, 4, 8),
            (2013, 3, 31),
            (2014, 4, 20),
            (2015, 4, 5),
            (2016, 3, 27),
            (2017, 4, 16),
            (2018, 4, 1),
            (2019, 4, 21),
            (2020, 4, 12),
            (2021, 4, 4),
            (2022, 4, 17),
            (2023, 4, 9),
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2027, 3, 28),
            (2028, 4, 16),
            (2029, 4, 1),
            (2030, 4, 21),
            (2038, 4, 25),
            (2285, 3, 22),
        ];
        for (y, m, d) in table {
            assert_eq!(easter_sunday(y), date(y, m, d), "year {y}");
        }
    }

    #[test]
    fn holidays_2026_exact() {
        use HolidayKind::{Eve, PublicHoliday as P};
        let expected = vec![
            (date(2026, 1, 1), "Nyårsdagen", P),
            (date(2026, 1, 6), "Trettondedag jul", P),
            (date(2026, 4, 3), "Långfredagen", P),
            (date(2026, 4, 4), "Påskafton", Eve),
            (date(2026, 4, 5), "Påskdagen", P),
            (date(2026, 4, 6), "Annandag påsk", P),
            (date(2026, 5, 1), "Första maj", P),
            (date(2026, 5, 14), "Kristi himmelsfärdsdag", P),
            (date(2026, 5, 24), "Pingstdagen", P),
            (date(2026, 6, 6), "Sveriges nationaldag", P),
            (date(2026, 6, 19), "Midsommarafton", Eve),
            (date(2026, 6, 20), "Midsommardagen", P),
            (date(2026, 10, 31), "Alla helgons dag", P),
            (date(2026, 12, 24), "Julafton", Eve),
            (date(2026, 12, 25), "Juldagen", P),
            (date(2026, 12, 26), "Annandag jul", P),
            (date(2026, 12, 31), "Nyårsafton", Eve),
        ]
        .into_iter()
        .map(|(date, name, kind)| Holiday { date, name, kind })
        .collect::<Vec<_>>();
        assert_eq!(holidays(2026), expected);
    }

    #[test]
    fn holidays_other_years_spot_checks() {
        let h2025 = holidays(2025);
        let find = |list: &[Holiday], name: &str| list.iter().find(|h| h.name == name).unwrap().date;
        assert_eq!(find(&h2025, "Midsommarafton"), date(2025, 6, 20));
        assert_eq!(find(&h2025, "Midsommardagen"), date(2025, 6, 21));
        assert_eq!(find(&h2025, "Alla helgons dag"), date(2025, 11, 1));
        assert_eq!(find(&h2025, "Kristi himmelsfärdsdag"), date(2025, 5, 29));
        assert_eq!(find(&h2025, "Pingstdagen"), date(2025, 6, 8));
        // 2008: Kristi himmelsfärdsdag fell on första maj; both are listed.
        let h2008 = holidays(2008);
        assert_eq!(h2008.iter().filter(|h| h.date == date(2008, 5, 1)).count(), 2);
        assert_eq!(find(&h2008, "Kristi himmelsfärdsdag"), date(2008, 5, 1));
        assert!(h2008.windows(2).all(|w| w[0].date <= w[1].date));
        // Midsommardagen 2029 is on 23 June; alla helgons dag 2029 on 3 November.
        let h2029 = holidays(2029);
        assert_eq!(find(&h2029, "Midsommardagen"), date(2029, 6, 23));
        assert_eq!(find(&h2029, "Alla helgons dag"), date(2029, 11, 3));
    }

    #[test]
    fn public_holiday_and_non_working_classification() {
        // Ordinary Sunday is an allmän helgdag.
        assert!(is_public_holiday(date(2026, 3, 1)));
        // Eves are not allmänna helgdagar, but are non-working days.
        for eve in [date(2026, 6, 19), date(2026, 12, 24), date(2026, 12, 31)] {
            assert!(!is_public_holiday(eve), "{eve}");
            assert!(is_non_working_day(eve), "{eve}");
        }
        // Påskafton: not an allmän helgdag; non-working only because Saturday.
        assert!(!is_public_holiday(date(2026, 4, 4)));
        assert!(is_non_working_day(date(2026, 4, 4)));
        // Plain weekdays.
        assert!(!is_non_working_day(date(2026, 6, 18)));
        assert!(!is_non_working_day(date(2026, 12, 23)));
        // Trettondedag jul on a Tuesday.
        assert!(is_non_working_day(date(2026, 1, 6)));
        assert!(is_public_holiday(date(2026, 1, 6)));
    }

    #[test]
    fn add_months_table() {
        let table = [
            ((2025, 10, 31), 4, (2026, 2, 28)),
            ((2023, 10, 31), 4, (2024, 2, 29)),
            ((2024, 1, 31), 1, (2024, 2, 29)),
            ((2026, 8, 31), 3, (2026, 11, 30)),
            ((2026, 1, 15), 4, (2026, 5, 15)),
            ((2026, 12, 31), 2, (2027, 2, 28)),
            ((2026, 3, 10), 0, (2026, 3, 10)),
            ((1900, 1, 29), 1, (1900, 2, 28)),
            ((2000, 1, 29), 1, (2000, 2, 29)),
        ];
        for ((y, m, d), n, (ey, em, ed)) in table {
            assert_eq!(add_months_clamped(date(y, m, d), n), date(ey, em, ed));
        }
        assert_eq!(add_months_clamped(NaiveDate::MAX, 1), NaiveDate::MAX);
        assert_eq!(add_months_clamped(date(2026, 1, 1), u32::MAX), NaiveDate::MAX);
    }

    #[test]
    fn add_days_saturates() {
        assert_eq!(add_days(date(2026, 12, 30), 3), date(2027, 1, 2));
        assert_eq!(add_days(NaiveDate::MAX, 1), NaiveDate::MAX);
        assert_eq!(add_days(date(2026, 1, 1), u32::MAX), NaiveDate::MAX);
    }

    #[test]
    fn dst_days() {
        // Spring forward 2026-03-29: 23-hour day.
        assert_eq!(start_of_local_day(date(2026, 3, 29)), utc("2026-03-28T23:00:00Z"));
        assert_eq!(end_of_local_day(date(2026, 3, 29)), utc("2026-03-29T22:00:00Z"));
        assert_eq!((end_of_local_day(date(2026, 3, 29)) - start_of_local_day(date(2026, 3, 29))).num_hours(), 23);
        // Fall back 2026-10-25: 25-hour day.
        assert_eq!(start_of_local_day(date(2026, 10, 25)), utc("2026-10-24T22:00:00Z"));
        assert_eq!(end_of_local_day(date(2026, 10, 25)), utc("2026-10-25T23:00:00Z"));
        assert_eq!((end_of_local_day(date(2026, 10, 25)) - start_of_local_day(date(2026, 10, 25))).num_hours(), 25);
        // Ordinary winter and summer days.
        assert_eq!(end_of_local_day(date(2026, 1, 15)), utc("2026-01-15T23:00:00Z"));
        assert_eq!(end_of_local_day(date(2026, 7, 1)), utc("2026-07-01T22:00:00Z"));
    }

    #[test]
    fn local_date_conversion() {
        assert_eq!(local_date(utc("2026-03-28T23:30:00Z")), date(2026, 3, 29));
        assert_eq!(local_date(utc("2026-03-28T22:59:59Z")), date(2026, 3, 28));
        assert_eq!(local_date(utc("2026-06-30T22:30:00Z")), date(2026, 7, 1));
        assert_eq!(local_date(utc("2026-06-30T21:59:59Z")), date(2026, 6, 30));
    }

    #[test]
    fn next_working_day_table() {
        let table = [
            ((2026, 6, 12), (2026, 6, 12)),   // Friday stays
            ((2026, 6, 13), (2026, 6, 15)),   // Saturday -> Monday
            ((2026, 6, 19), (2026, 6, 22)),   // midsommarafton
            ((2026, 12, 24), (2026, 12, 28)), // julafton, 25, 26, Sunday 27
            ((2026, 4, 3), (2026, 4, 7)),     // långfredag, påskafton, påskdag, annandag påsk
            ((2026, 12, 31), (2027, 1, 4)),   // nyårsafton, nyårsdagen, weekend
            ((2026, 5, 14), (2026, 5, 15)),   // Kristi himmelsfärdsdag
        ];
        for ((y, m, d), (ey, em, ed)) in table {
            assert_eq!(next_working_day_on_or_after(date(y, m, d)), date(ey, em, ed), "{y}-{m}-{d}");
        }
        assert_eq!(next_working_day_on_or_after(NaiveDate::MAX), NaiveDate::MAX);
    }

    fn arb_date() -> impl Strategy<Value = NaiveDate> {
        let start = date(1900, 1, 1);
        let span = (date(2200, 12, 31) - start).num_days() as u64;
        (0..=span).prop_map(move |n| start + Days::new(n))
    }

    proptest! {
        #[test]
        fn prop_add_months(d in arb_date(), months in 0u32..=48) {
            let r = add_months_clamped(d, months);
            let idx = |x: NaiveDate| i64::from(x.year()) * 12 + i64::from(x.month0());
            prop_assert_eq!(idx(r) - idx(d), i64::from(months));
            prop_assert!(r.day() <= d.day());
            match NaiveDate::from_ymd_opt(r.year(), r.month(), d.day()) {
                Some(same) => prop_assert_eq!(r, same),
                None => prop_assert!(r.succ_opt().unwrap().month() != r.month()),
            }
        }

        #[test]
        fn prop_add_months_monotone(a in arb_date(), b in arb_date(), months in 0u32..=48) {
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(add_months_clamped(lo, months) <= add_months_clamped(hi, months));
        }

        #[test]
        fn prop_add_days(d in arb_date(), n in 0u32..=100_000) {
            prop_assert_eq!((add_days(d, n) - d).num_days(), i64::from(n));
        }

        #[test]
        fn prop_next_working_day(d in arb_date()) {
            let r = next_working_day_on_or_after(d);
            prop_assert!(r >= d);
            prop_assert!(!is_non_working_day(r));
            prop_assert!((r - d).num_days() < 10);
            let mut x = d;
            while x < r {
                prop_assert!(is_non_working_day(x));
                x = x.succ_opt().unwrap();
            }
        }

        #[test]
        fn prop_easter_is_sunday_in_window(year in 1583i32..=9999) {
            let e = easter_sunday(year);
            prop_assert_eq!(e.weekday(), Weekday::Sun);
            prop_assert_eq!(e.year(), year);
            prop_assert!(e >= date(year, 3, 22) && e <= date(year, 4, 25));
        }

        #[test]
        fn prop_local_day_bounds(d in arb_date()) {
            let start = start_of_local_day(d);
            let end = end_of_local_day(d);
            prop_assert_eq!(local_date(start), d);
            prop_assert_eq!(local_date(end), d.succ_opt().unwrap());
            prop_assert_eq!(local_date(end - chrono::TimeDelta::seconds(1)), d);
            let hours = (end - start).num_hours();
            prop_assert!((23..=25).contains(&hours));
        }

        #[test]
        fn prop_holidays_sorted_in_year(year in 1900i32..=2200) {
            let list = holidays(year);
            prop_assert_eq!(list.len(), 17);
            prop_assert!(list.windows(2).all(|w| w[0].date <= w[1].date));
            prop_assert!(list.iter().all(|h| h.date.year() == year));
            for h in &list {
                if h.kind == HolidayKind::PublicHoliday {
                    prop_assert!(is_public_holiday(h.date));
                }
                prop_assert!(is_non_working_day(h.date));
            }
        }
    }
}
