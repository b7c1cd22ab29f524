//! The SQLite access log's lookups by reader and by person, without a B-tree index on either
//! (migration `sqlite-security/0002`, docs/decisions/0007).
//!
//! Every read of a record appends one line, and the read waits until the line is durable.
//! An index on the person's (random) id put each line on a different index page, and
//! SQLite's WAL holds whole pages: a 4 KiB page per line, written twice. So the lines are
//! sealed, in order, into blocks of [`BLOCK_ROWS`]: a block records its seq range, the span
//! of its times, and a Bloom filter of its readers and one of its persons. A lookup reads
//! the filters of the blocks in the asked period, scans only the blocks that may hold the
//! key, and always scans the lines not sealed yet. A filter can say "maybe" wrongly (about
//! 1 % of blocks), never "no" wrongly; a block whose filter cannot be read, or a seq range
//! no block covers, is scanned. So a lookup finds exactly what a scan of the whole log would.
//!
//! PostgreSQL keeps its B-tree indexes: its WAL logs the row, not the page.

use std::collections::BTreeSet;

use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension};
use sha2::{Digest, Sha256};

use crate::error::StoreError;
use crate::security::{codec, AccessQuery, AccessRecord};

/// Lines per sealed block.
pub const BLOCK_ROWS: usize = 4096;
/// Most blocks one append seals: a log written before blocks existed is caught up a few
/// blocks per commit instead of in one long one (its unsealed lines are scanned meanwhile).
pub const MAX_SEALS_PER_APPEND: usize = 4;

/// The filters' format: 1 = SHA-256 of the key's text, double hashing, 10 bits a key.
const FORMAT: u8 = 1;
const BITS_PER_KEY: usize = 10;
/// With 10 bits a key, 7 hashes give about 0.8 % false positives.
const HASHES: u8 = 7;

/// A Bloom filter over text keys, stored as `[format, hashes, bits…]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bloom {
    hashes: u8,
    bits: Vec<u8>,
}

impl Bloom {
    /// A filter holding `keys` (duplicates count once).
    pub fn of<'a>(keys: impl IntoIterator<Item = &'a str>) -> Self {
        let keys: BTreeSet<&str> = keys.into_iter().collect();
        let bytes = (keys.len() * BITS_PER_KEY).div_ceil(8).max(8);
        let mut bloom = Self { hashes: HASHES, bits: vec![0; bytes] };
        for key in keys {
            for bit in bloom.positions(key) {
                bloom.bits[bit / 8] |= 1 << (bit % 8);
            }
        }
        bloom
    }

    /// False means `key` was certainly not put in.
    pub fn may_contain(&self, key: &str) -> bool {
        self.positions(key).all(|bit| self.bits[bit / 8] & (1 << (bit % 8)) != 0)
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.bits.len() + 2);
        out.push(FORMAT);
        out.push(self.hashes);
        out.extend_from_slice(&self.bits);
        out
    }

    /// None for a blob this version cannot read (its block is then scanned).
    pub fn decode(blob: &[u8]) -> Option<Self> {
        match blob {
            [FORMAT, hashes @ 1..=32, bits @ ..] if !bits.is_empty() => {
                Some(Self { hashes: *hashes, bits: bits.to_vec() })
            }
            _ => None,
        }
    }

    fn positions(&self, key: &str) -> impl Iterator<Item = usize> {
        let digest = Sha256::digest(key.as_bytes());
        let word = |i: usize| {
            let mut b = [0u8; 8];
            b.copy_from_slice(&digest[i..i + 8]);
            u64::from_le_bytes(b)
        };
        let (h1, h2) = (word(0), word(8) | 1);
        let m = (self.bits.len() * 8) as u64;
        (0..u64::from(self.hashes)).map(move |i| (h1.wrapping_add(i.wrapping_mul(h2)) % m) as usize)
    }
}

/// Seals the full blocks of unsealed lines (at most [`MAX_SEALS_PER_APPEND`]). Runs inside
/// the transaction that appended them, so a block never covers a line that is not there.
pub fn seal_full_blocks(conn: &Connection) -> Result<usize, StoreError> {
    let mut sealed = 0;
    while sealed < MAX_SEALS_PER_APPEND {
        let sealed_to: i64 = conn
            .prepare_cached("SELECT last_seq FROM access_log_blocks ORDER BY block DESC LIMIT 1")?
            .query_row([], |r| r.get(0))
            .optional()?
            .unwrap_or(0);
        let max_seq: i64 =
            conn.prepare_cached("SELECT COALESCE(MAX(seq), 0) FROM access_log")?.query_row([], |r| r.get(0))?;
        // seq has no gaps in SQLite (AUTOINCREMENT, no deletes), so this is exact; were there
        // gaps, a block would only be sealed a little later.
        if max_seq - sealed_to < BLOCK_ROWS as i64 {
            break;
        }
        let mut stmt =
            conn.prepare_cached("SELECT seq, at, staff, person FROM access_log WHERE seq > ?1 ORDER BY seq LIMIT ?2")?;
        let mut rows = stmt.query(params![sealed_to, BLOCK_ROWS as i64])?;
        let mut lines: Vec<(i64, String, String, String)> = Vec::with_capacity(BLOCK_ROWS);
        while let Some(r) = rows.next()? {
            lines.push((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?));
        }
        drop(rows);
        let (Some(last), Some(first_at), Some(last_at)) = (
            lines.last().map(|l| l.0),
            lines.iter().map(|l| l.1.as_str()).min(),
            lines.iter().map(|l| l.1.as_str()).max(),
        ) else {
            break;
        };
        if lines.len() < BLOCK_ROWS {
            break;
        }
        let staff = Bloom::of(lines.iter().map(|l| l.2.as_str()));
        let persons = Bloom::of(lines.iter().map(|l| l.3.as_str()));
        conn.prepare_cached(
            "INSERT INTO access_log_blocks (first_seq, last_seq, first_at, last_at, staff, persons)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![sealed_to + 1, last, first_at, last_at, staff.encode(), persons.encode()])?;
        sealed += 1;
    }
    Ok(sealed)
}

/// The `WHERE` of an access-log query (without `WHERE`), and its arguments. None when
/// the query can match nothing (an empty unit list).
pub fn filter(q: &AccessQuery) -> Option<(String, Vec<Value>)> {
    let mut sql = String::from("1 = 1");
    let mut args = Vec::new();
    if let Some(s) = &q.staff {
        sql.push_str(" AND staff = ?");
        args.push(Value::Text(s.as_str().to_owned()));
    }
    if let Some(p) = &q.person {
        sql.push_str(" AND person = ?");
        args.push(Value::Text(p.to_string()));
    }
    if let Some(from) = q.from {
        sql.push_str(" AND at >= ?");
        args.push(Value::Text(codec::ts(from)));
    }
    if let Some(to) = q.to {
        sql.push_str(" AND at < ?");
        args.push(Value::Text(codec::ts(to)));
    }
    if let Some(units) = &q.units {
        if units.is_empty() {
            return None;
        }
        sql.push_str(&format!(" AND unit IN ({})", crate::sqlite::placeholders(units.len())));
        args.extend(units.iter().map(|u| Value::Text(u.as_str().to_owned())));
    }
    Some((sql, args))
}

/// The seq ranges (inclusive) that may hold lines of `q`'s reader and person in its
/// period, in order: candidate blocks, ranges no block covers, and the unsealed tail.
pub fn candidate_ranges(conn: &Connection, q: &AccessQuery) -> Result<Vec<(i64, i64)>, StoreError> {
    let from = q.from.map(codec::ts);
    let to = q.to.map(codec::ts);
    let staff = q.staff.as_ref().map(|s| s.as_str().to_owned());
    let person = q.person.map(|p| p.to_string());
    // The filters are read only for blocks in the period.
    let mut stmt = conn.prepare_cached(
        "SELECT first_seq, last_seq,
                CASE WHEN (?1 IS NULL OR last_at >= ?1) AND (?2 IS NULL OR first_at < ?2) THEN staff END,
                CASE WHEN (?1 IS NULL OR last_at >= ?1) AND (?2 IS NULL OR first_at < ?2) THEN persons END
         FROM access_log_blocks ORDER BY block",
    )?;
    let mut rows = stmt.query(params![from, to])?;
    let mut ranges: Vec<(i64, i64)> = Vec::new();
    let mut push = |lo: i64, hi: i64| match ranges.last_mut() {
        Some(last) if last.1.saturating_add(1) >= lo => last.1 = last.1.max(hi),
        _ => ranges.push((lo, hi)),
    };
    let mut covered = 0i64;
    while let Some(r) = rows.next()? {
        let (first, last): (i64, i64) = (r.get(0)?, r.get(1)?);
        if first > covered.saturating_add(1) {
            push(covered.saturating_add(1), first - 1);
        }
        covered = covered.max(last);
        let (staff_blob, persons_blob): (Option<Vec<u8>>, Option<Vec<u8>>) = (r.get(2)?, r.get(3)?);
        let (Some(staff_blob), Some(persons_blob)) = (staff_blob, persons_blob) else {
            continue; // outside the period
        };
        let may = |blob: &[u8], key: &Option<String>| match key {
            None => true,
            Some(k) => Bloom::decode(blob).is_none_or(|b| b.may_contain(k)),
        };
        if may(&staff_blob, &staff) && may(&persons_blob, &person) {
            push(first, last);
        }
    }
    push(covered.saturating_add(1), i64::MAX);
    Ok(ranges)
}

/// The lines of `q` (which names a reader or a person), read through the blocks.
pub fn lookup(
    conn: &Connection,
    q: &AccessQuery,
    cols: &str,
    row: fn(&rusqlite::Row) -> Result<AccessRecord, StoreError>,
) -> Result<Vec<AccessRecord>, StoreError> {
    let Some((filter, args)) = filter(q) else {
        return Ok(Vec::new());
    };
    let want = codec::limit(q.limit);
    // NOT INDEXED: each range is read by seq (the rowid), never through the index on `at`,
    // which would read the whole period once per range.
    let mut stmt = conn.prepare(&format!(
        "SELECT {cols} FROM access_log NOT INDEXED WHERE seq BETWEEN ? AND ? AND {filter} ORDER BY seq LIMIT ?"
    ))?;
    let mut out = Vec::new();
    for (lo, hi) in candidate_ranges(conn, q)? {
        // SQLite: a negative LIMIT is none.
        let remaining = want.map_or(-1, |w| w.saturating_sub(i64::try_from(out.len()).unwrap_or(i64::MAX)));
        if remaining == 0 {
            break;
        }
        let mut all = vec![Value::Integer(lo), Value::Integer(hi)];
        all.extend(args.iter().cloned());
        all.push(Value::Integer(remaining));
        let mut rows = stmt.query(params_from_iter(all))?;
        while let Some(r) = rows.next()? {
            out.push(row(r)?);
        }
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_filter_never_forgets_a_key_and_rarely_claims_one() {
        let keys: Vec<String> = (0..BLOCK_ROWS).map(|i| format!("person-{i}")).collect();
        let bloom = Bloom::of(keys.iter().map(String::as_str));
        assert!(keys.iter().all(|k| bloom.may_contain(k)), "no false negatives");
        let wrong = (0..20_000).filter(|i| bloom.may_contain(&format!("other-{i}"))).count();
        // 10 bits and 7 hashes a key: about 0.8 %; 2 % leaves room for chance.
        assert!(wrong < 400, "{wrong} of 20000 absent keys claimed");
    }

    #[test]
    fn a_filter_survives_encoding_and_an_unreadable_one_is_refused() {
        let bloom = Bloom::of(["amira", "lina", "amira"]);
        let back = Bloom::decode(&bloom.encode()).unwrap();
        assert_eq!(back, bloom);
        assert!(back.may_contain("amira") && back.may_contain("lina"));
        assert_eq!(Bloom::decode(&[]), None);
        assert_eq!(Bloom::decode(&[FORMAT, HASHES]), None, "no bits");
        assert_eq!(Bloom::decode(&[FORMAT, 0, 1, 2]), None, "no hashes");
        assert_eq!(Bloom::decode(&[2, HASHES, 1, 2]), None, "a later format");
    }

    #[test]
    fn an_empty_block_filter_holds_nothing() {
        let bloom = Bloom::of([]);
        assert!(!bloom.may_contain("amira"));
    }
}
