//! Reporting periods: month, quarter, tertial (delår 1 = Jan–Apr, delår 2 = Jan–Aug,
//! cumulative from January), year and rolling 12 months. Every period is a run of whole
//! months, so every flow indicator of a period is a sum over its months.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::ReportError;

/// A calendar month as `year * 12 + month0` (so months are consecutive integers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Month(pub i32);

impl Month {
    pub fn new(year: i32, month: u32) -> Month {
        Month(year * 12 + month as i32 - 1)
    }
    pub fn of(d: NaiveDate) -> Month {
        Month::new(d.year(), d.month())
    }
    pub fn year(self) -> i32 {
        self.0.div_euclid(12)
    }
    pub fn month(self) -> u32 {
        self.0.rem_euclid(12) as u32 + 1
    }
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year(), self.month(), 1).unwrap_or(NaiveDate::MIN)
    }
    pub fn last_day(self) -> NaiveDate {
        Month(self.0 + 1).first_day().pred_opt().unwrap_or(NaiveDate::MIN)
    }
    pub fn succ(self) -> Month {
        Month(self.0 + 1)
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{:02}", self.year(), self.month())
    }
}

/// A period as asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Period {
    Month {
        year: i32,
        month: u32,
    },
    Quarter {
        year: i32,
        quarter: u32,
    },
    /// delår 1: January–April
    Tertial1 {
        year: i32,
    },
    /// delår 2: January–August
    Tertial2 {
        year: i32,
    },
    Year {
        year: i32,
    },
    /// Twelve months ending with `month` of `year`; `month: None` = the last complete
    /// month of `year` by the reporting date.
    Rolling12 {
        year: i32,
        month: Option<u32>,
    },
}

/// A resolved period: first and last month (inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MonthRange {
    pub first: Month,
    pub last: Month,
}

impl MonthRange {
    pub fn contains(&self, m: Month) -> bool {
        self.first <= m && m <= self.last
    }
    pub fn start(&self) -> NaiveDate {
        self.first.first_day()
    }
    pub fn end(&self) -> NaiveDate {
        self.last.last_day()
    }
    pub fn contains_date(&self, d: NaiveDate) -> bool {
        self.contains(Month::of(d))
    }
}

impl Period {
    /// `2025`, `2025-03`, `2025-T1`, `2025-T2`, `2025-Q1`…`Q4`, `2025-R12`, `2025-03-R12`.
    pub fn parse(s: &str) -> Result<Period, ReportError> {
        let bad = || {
            ReportError::Period(format!(
                "ogiltig period \"{s}\": ange ÅÅÅÅ, ÅÅÅÅ-MM, ÅÅÅÅ-T1, ÅÅÅÅ-T2, ÅÅÅÅ-Q1…Q4, ÅÅÅÅ-R12 eller ÅÅÅÅ-MM-R12"
            ))
        };
        let parts: Vec<&str> = s.trim().split('-').collect();
        let year: i32 =
            parts.first().and_then(|y| y.parse().ok()).filter(|y| (1900..=2200).contains(y)).ok_or_else(bad)?;
        let month = |p: &str| p.parse::<u32>().ok().filter(|m| (1..=12).contains(m));
        match parts.as_slice() {
            [_] => Ok(Period::Year { year }),
            [_, p] => {
                let up = p.to_ascii_uppercase();
                match up.as_str() {
                    "T1" => Ok(Period::Tertial1 { year }),
                    "T2" => Ok(Period::Tertial2 { year }),
                    "R12" => Ok(Period::Rolling12 { year, month: None }),
                    q if q.len() == 2 && q.starts_with('Q') => {
                        let quarter = q[1..].parse::<u32>().ok().filter(|q| (1..=4).contains(q)).ok_or_else(bad)?;
                        Ok(Period::Quarter { year, quarter })
                    }
                    m => Ok(Period::Month { year, month: month(m).ok_or_else(bad)? }),
                }
            }
            [_, m, r] if r.eq_ignore_ascii_case("R12") => {
                Ok(Period::Rolling12 { year, month: Some(month(m).ok_or_else(bad)?) })
            }
            _ => Err(bad()),
        }
    }

    /// The months the period covers, given the reporting date (only `YYYY-R12` needs it).
    pub fn months(&self, as_of: NaiveDate) -> MonthRange {
        let r = |a: Month, b: Month| MonthRange { first: a, last: b };
        match *self {
            Period::Month { year, month } => r(Month::new(year, month), Month::new(year, month)),
            Period::Quarter { year, quarter } => r(Month::new(year, quarter * 3 - 2), Month::new(year, quarter * 3)),
            Period::Tertial1 { year } => r(Month::new(year, 1), Month::new(year, 4)),
            Period::Tertial2 { year } => r(Month::new(year, 1), Month::new(year, 8)),
            Period::Year { year } => r(Month::new(year, 1), Month::new(year, 12)),
            Period::Rolling12 { year, month } => {
                let last = match month {
                    Some(m) => Month::new(year, m),
                    None => {
                        // The last month of `year` that is complete by `as_of`.
                        let complete = Month(Month::of(as_of).0 - i32::from(as_of != Month::of(as_of).last_day()));
                        complete.min(Month::new(year, 12))
                    }
                };
                r(Month(last.0 - 11), last)
            }
        }
    }

    /// Swedish label, e.g. "2025", "mars 2025", "delår 1 2025", "rullande 12 mån t.o.m. 2025-03".
    pub fn label_sv(&self, as_of: NaiveDate) -> String {
        const MONTHS: [&str; 12] = [
            "januari",
            "februari",
            "mars",
            "april",
            "maj",
            "juni",
            "juli",
            "augusti",
            "september",
            "oktober",
            "november",
            "december",
        ];
        match *self {
            Period::Month { year, month } => {
                format!("{} {year}", MONTHS.get(month as usize - 1).copied().unwrap_or("?"))
            }
            Period::Quarter { year, quarter } => format!("kvartal {quarter} {year}"),
            Period::Tertial1 { year } => format!("delår 1 {year} (jan–apr)"),
            Period::Tertial2 { year } => format!("delår 2 {year} (jan–aug)"),
            Period::Year { year } => format!("år {year}"),
            Period::Rolling12 { .. } => {
                let m = self.months(as_of);
                format!("rullande 12 mån {}–{}", m.first, m.last)
            }
        }
    }

    /// Kolada's period: the year.
    pub fn year(&self) -> i32 {
        match *self {
            Period::Month { year, .. }
            | Period::Quarter { year, .. }
            | Period::Tertial1 { year }
            | Period::Tertial2 { year }
            | Period::Year { year }
            | Period::Rolling12 { year, .. } => year,
        }
    }
}
