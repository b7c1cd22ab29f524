//! The pseudonymised analysis extract: one row per case, for analysts and researchers.
//!
//! - **No direct identifiers.** There are no names, personnummer, addresses or free text,
//!   and no exact dates: the receipt month, then durations in days.
//! - **Stable pseudonyms per export key.** Child and case are HMAC-SHA-256 of the id under
//!   the key, so the same key gives the same pseudonym in every extract (a follow-up can be
//!   linked), another key gives unlinkable ones, and without the key nothing leads back.
//! - **Small cells suppressed.** A combination of the indirect identifiers (unit, sex, age
//!   band, receipt month) shared by fewer than `k` rows is coarsened step by step: first the
//!   age band, then sex, then the month, then the unit are replaced by `*` for those rows,
//!   until every combination left is shared by at least `k` rows (or is wholly suppressed).

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::HashMap;

use crate::facts::{FactTable, PRELIM_JOIN, PRELIM_NOT_OPEN, PRELIM_OPEN, SEX_BOY, SEX_GIRL};
use crate::period::MonthRange;
use crate::ReportError;

/// Marks a suppressed value.
pub const SUPPRESSED: &str = "*";

pub const COLUMNS: [&str; 14] = [
    "barn",
    "arende",
    "enhet",
    "kon",
    "aldersgrupp",
    "inkommen_manad",
    "slag",
    "timmar_till_skyddsbedomning",
    "dagar_till_forhandsbedomning",
    "forhandsbedomning",
    "dagar_utredning",
    "forlangd",
    "insatser",
    "vald_eller_brott",
];

/// Indices of the indirect identifiers, in the order they are given up.
const QUASI: [usize; 4] = [4, 3, 5, 2];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extract {
    pub rows: Vec<[String; 14]>,
    /// How many values each column lost to suppression.
    pub suppressed: [usize; 14],
    pub k: usize,
}

fn pseudonym(key: &[u8], kind: &str, id: &str) -> Result<String, ReportError> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).map_err(|e| ReportError::Table(format!("exportnyckel: {e}")))?;
    mac.update(kind.as_bytes());
    mac.update(b":");
    mac.update(id.as_bytes());
    let bytes = mac.finalize().into_bytes();
    Ok(bytes.iter().take(10).map(|b| format!("{b:02x}")).collect())
}

/// The extract of the cases received in `range` (months), pseudonymised under `key`, with
/// every combination of indirect identifiers shared by at least `k` rows.
pub fn analysis_extract(facts: &FactTable, range: MonthRange, key: &[u8], k: usize) -> Result<Extract, ReportError> {
    if key.len() < 16 {
        return Err(ReportError::Table("Exportnyckeln måste vara minst 16 byte.".into()));
    }
    let mut rows = Vec::new();
    for c in facts.cases.iter().filter(|c| range.contains_date(c.received_on)) {
        let days = |a: chrono::NaiveDate, b: chrono::NaiveDate| (b - a).num_days().to_string();
        let opt = |x: Option<String>| x.unwrap_or_default();
        rows.push([
            pseudonym(key, "barn", &c.child_id.to_string())?,
            pseudonym(key, "arende", &c.case.to_string())?,
            facts.units.get(c.unit_received).map_or_else(String::new, |u| u.id.as_str().to_owned()),
            match c.sex {
                SEX_GIRL => "flicka",
                SEX_BOY => "pojke",
                _ => "okänt",
            }
            .to_owned(),
            match c.age_band {
                0 => "0-12",
                1 => "13-17",
                2 => "18-20",
                _ => "okänd",
            }
            .to_owned(),
            c.received_on.format("%Y-%m").to_string(),
            c.kind.label_sv().to_owned(),
            opt(c.protection_at.map(|p| ((p - c.received_at).num_minutes() / 60).to_string())),
            opt(c.prelim.as_ref().map(|p| days(c.received_on, p.decided_on))),
            opt(c.prelim.as_ref().map(|p| {
                match p.outcome {
                    PRELIM_OPEN => "inleds",
                    PRELIM_NOT_OPEN => "inleds_ej",
                    PRELIM_JOIN => "till_pagaende",
                    _ => "annat",
                }
                .to_owned()
            })),
            opt(c.inv.as_ref().and_then(|i| i.decided_on.map(|d| days(i.opened_on, d)))),
            opt(c.inv.as_ref().map(|i| if i.extended_to.is_some() { "ja" } else { "nej" }.to_owned())),
            c.interventions.len().to_string(),
            if c.violence || c.serious_crime { "ja" } else { "nej" }.to_owned(),
        ]);
    }
    let mut suppressed = [0usize; 14];
    // Coarsen step by step: at each step, the rows whose combination (as it now stands) is
    // rarer than k give up the next identifier.
    for col in QUASI {
        let counts = combination_counts(&rows);
        for r in rows.iter_mut() {
            if counts.get(&combination(r)).copied().unwrap_or(0) < k && r[col] != SUPPRESSED {
                r[col] = SUPPRESSED.to_owned();
                suppressed[col] += 1;
            }
        }
    }
    Ok(Extract { rows, suppressed, k })
}

fn combination(r: &[String; 14]) -> [String; 4] {
    QUASI.map(|i| r[i].clone())
}

fn combination_counts(rows: &[[String; 14]]) -> HashMap<[String; 4], usize> {
    let mut m = HashMap::new();
    for r in rows {
        *m.entry(combination(r)).or_insert(0) += 1;
    }
    m
}

/// Every combination of indirect identifiers in `e`, with how many rows share it.
pub fn combinations(e: &Extract) -> HashMap<[String; 4], usize> {
    combination_counts(&e.rows)
}

/// The extract as CSV (RFC 4180, UTF-8, a header row).
pub fn to_csv(e: &Extract) -> String {
    let field = |s: &str| {
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_owned()
        }
    };
    let mut out = COLUMNS.join(",");
    out.push_str("\r\n");
    for r in &e.rows {
        out.push_str(&r.iter().map(|v| field(v)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}
