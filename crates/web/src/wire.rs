//! Hand-written JSON for the deadline book, the API's largest list on the hot path
//! (`GET /api/deadlines`: 50–1 000 rows per request, read by every team's screen).
//!
//! serde's derived serialisers escape every key of every row, write each token through a
//! separate small copy, and format dates through `core::fmt` one character at a time; for
//! the book that was a third of the server's time per request (perf, decision 0007). Here
//! the keys are literal bytes, a string is copied whole unless it needs escaping, and dates
//! are written digit by digit into the buffer. Anything unusual (a string that needs
//! escaping, a year outside 0–9999, a leap second, the small enums) goes through
//! serde_json itself, so the bytes are always exactly what serde would write — the tests
//! compare the two byte for byte, so a field added to `BookRowView` without being added
//! here fails them.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use serde::Serialize;

use crate::views::{BookRowView, PersonView};

/// A JSON string, escaped as serde_json escapes it.
fn string(out: &mut Vec<u8>, s: &str) {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.reserve(s.len() + 2);
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else {
        via_serde(out, &s);
    }
}

/// A value serde_json writes itself (the rare path, and the small enums).
fn via_serde<T: Serialize + ?Sized>(out: &mut Vec<u8>, v: &T) {
    // Writing into a Vec cannot fail, and none of the types given here refuses to
    // serialise; were it ever to, `null` keeps the document well-formed.
    if serde_json::to_writer(&mut *out, v).is_err() {
        out.extend_from_slice(b"null");
    }
}

fn two(out: &mut Vec<u8>, n: u32) {
    out.push(b'0' + (n / 10 % 10) as u8);
    out.push(b'0' + (n % 10) as u8);
}

fn four(out: &mut Vec<u8>, n: u32) {
    two(out, n / 100);
    two(out, n % 100);
}

fn digits(out: &mut Vec<u8>, n: u32, width: u32) {
    for k in (0..width).rev() {
        out.push(b'0' + (n / 10u32.pow(k) % 10) as u8);
    }
}

fn ymd(out: &mut Vec<u8>, d: NaiveDate) {
    four(out, d.year() as u32);
    out.push(b'-');
    two(out, d.month());
    out.push(b'-');
    two(out, d.day());
}

/// `"2025-05-21"`, as chrono's serde writes a date.
fn date(out: &mut Vec<u8>, d: NaiveDate) {
    if !(0..=9999).contains(&d.year()) {
        return via_serde(out, &d);
    }
    out.push(b'"');
    ymd(out, d);
    out.push(b'"');
}

/// `"2025-05-21T22:00:00Z"`, with as many fractional digits (3, 6 or 9) as chrono's serde
/// writes for a `DateTime<Utc>`.
fn date_time(out: &mut Vec<u8>, t: &DateTime<Utc>) {
    let n = t.naive_utc();
    let nanos = n.nanosecond();
    if !(0..=9999).contains(&n.year()) || nanos >= 1_000_000_000 {
        return via_serde(out, t);
    }
    out.push(b'"');
    ymd(out, n.date());
    out.push(b'T');
    two(out, n.hour());
    out.push(b':');
    two(out, n.minute());
    out.push(b':');
    two(out, n.second());
    if nanos != 0 {
        out.push(b'.');
        if nanos.is_multiple_of(1_000_000) {
            digits(out, nanos / 1_000_000, 3);
        } else if nanos.is_multiple_of(1_000) {
            digits(out, nanos / 1_000, 6);
        } else {
            digits(out, nanos, 9);
        }
    }
    out.extend_from_slice(b"Z\"");
}

fn uuid(out: &mut Vec<u8>, u: &uuid::Uuid) {
    let mut buf = uuid::Uuid::encode_buffer();
    out.push(b'"');
    out.extend_from_slice(u.hyphenated().encode_lower(&mut buf).as_bytes());
    out.push(b'"');
}

fn opt_string(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => string(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

fn person(out: &mut Vec<u8>, p: &PersonView) {
    out.extend_from_slice(b"{\"id\":");
    string(out, &p.id);
    out.extend_from_slice(b",\"name\":");
    string(out, &p.name);
    out.extend_from_slice(b",\"id_number\":");
    opt_string(out, p.id_number.as_deref());
    out.extend_from_slice(b",\"birth_year\":");
    via_serde(out, &p.birth_year);
    out.extend_from_slice(b",\"sex\":");
    via_serde(out, &p.sex);
    out.extend_from_slice(b",\"protected_identity\":");
    out.extend_from_slice(if p.protected_identity { b"true" } else { b"false" });
    out.extend_from_slice(b",\"view\":");
    string(out, p.view);
    out.push(b'}');
}

fn book_row(out: &mut Vec<u8>, r: &BookRowView) {
    out.extend_from_slice(b"{\"case\":");
    uuid(out, &r.case.0);
    out.extend_from_slice(b",\"kind\":");
    via_serde(out, &r.kind);
    out.extend_from_slice(b",\"last_day\":");
    date(out, r.last_day);
    out.extend_from_slice(b",\"due_at\":");
    date_time(out, &r.due_at);
    out.extend_from_slice(b",\"state\":");
    via_serde(out, &r.state);
    out.extend_from_slice(b",\"unit\":");
    string(out, r.unit.as_str());
    out.extend_from_slice(b",\"handler\":");
    opt_string(out, r.handler.as_ref().map(|h| h.as_str()));
    out.extend_from_slice(b",\"child\":");
    person(out, &r.child);
    out.push(b'}');
}

/// The deadline book as a JSON array: the same bytes as `serde_json::to_vec(rows)`.
pub fn book(rows: &[BookRowView]) -> Vec<u8> {
    // A row is about 450 bytes; sized once, the buffer is never copied to grow.
    let mut out = Vec::with_capacity(2 + rows.len() * 512);
    out.push(b'[');
    for (i, r) in rows.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        book_row(&mut out, r);
    }
    out.push(b']');
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use chrono::TimeZone;
    use skyndsam_domain::clock::{DeadlineKind, DeadlineState};
    use skyndsam_domain::ids::{CaseId, InterventionId, StaffId, UnitId};
    use skyndsam_domain::personnummer::Sex;

    fn person_view(name: &str, id_number: Option<&str>, view: &'static str) -> PersonView {
        PersonView {
            id: "8df560c8-0aab-97bc-04e4-b083a57c5a66".into(),
            name: name.into(),
            id_number: id_number.map(str::to_owned),
            birth_year: Some(2011),
            sex: Some(Sex::Female),
            protected_identity: false,
            view,
        }
    }

    fn row(n: u128, due_at: DateTime<Utc>, last_day: NaiveDate, child: PersonView) -> BookRowView {
        BookRowView {
            case: CaseId::from_u128(n),
            kind: DeadlineKind::PreliminaryAssessment,
            last_day,
            due_at,
            state: DeadlineState::Overdue,
            unit: UnitId::parse("ungdomsenheten").unwrap(),
            handler: Some(StaffId::parse("daniel.pahittad").unwrap()),
            child,
        }
    }

    #[test]
    fn the_book_is_byte_for_byte_what_serde_writes() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let t = Utc.with_ymd_and_hms(2025, 5, 21, 22, 0, 0).unwrap();
        let mut rows = vec![
            row(1, t, d(2025, 5, 21), person_view("Amira Fiktivlund", Some("20110916-4465"), "full")),
            // Strings that need escaping: quotes, backslash, control characters; and
            // non-ASCII, which JSON keeps as it is.
            row(2, t, d(2025, 1, 1), person_view("Åsa \"Nisse\" Öberg\\\n\t\u{1}", None, "masked")),
        ];
        // Every field that can be empty, and the other enums' shapes.
        let mut r = row(3, t, d(1999, 12, 31), person_view("pseudonym-7", None, "pseudonymised"));
        r.handler = None;
        r.kind = DeadlineKind::Enforcement(InterventionId::from_u128(9));
        r.state = DeadlineState::MetLateWithReason;
        r.child.birth_year = None;
        r.child.sex = None;
        r.child.protected_identity = true;
        rows.push(r);
        // Sub-second times (chrono writes 3, 6 or 9 digits as needed), a year beyond
        // 9999, and a leap second: each as serde writes it.
        for nanos in [0, 1, 120_000_000, 123_000, 123_456_789, 999_999_999, 1_500_000_000] {
            let at = t + chrono::Duration::nanoseconds(i64::from(nanos % 1_000_000_000));
            let at = if nanos >= 1_000_000_000 {
                let leap =
                    chrono::NaiveDate::from_ymd_opt(2016, 12, 31).unwrap().and_hms_nano_opt(23, 59, 59, nanos).unwrap();
                Utc.from_utc_datetime(&leap)
            } else {
                at
            };
            rows.push(row(10 + u128::from(nanos), at, d(2025, 6, 30), person_view("A", None, "full")));
        }
        rows.push(row(
            4,
            Utc.with_ymd_and_hms(12_000, 1, 2, 3, 4, 5).unwrap(),
            d(12_000, 1, 2),
            person_view("B", None, "full"),
        ));
        rows.push(row(
            5,
            Utc.with_ymd_and_hms(33, 1, 2, 3, 4, 5).unwrap(),
            d(33, 1, 2),
            person_view("C", None, "full"),
        ));

        let ours = book(&rows);
        let theirs = serde_json::to_vec(&rows).unwrap();
        assert_eq!(String::from_utf8(ours).unwrap(), String::from_utf8(theirs).unwrap());
        assert_eq!(book(&[]), b"[]");
    }
}
