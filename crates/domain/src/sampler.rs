//! Aktgranskning's sample (Rutin för egenkontroll – aktgranskning, "Urval"): per unit a
//! sample of files (20 by default), stratified for an even spread of age and sex and a
//! variety of handlers. Reproducible: the same candidates, unit and seed give the same
//! sample whatever order the candidates come in. The method and seed are recorded in the
//! result; drawn files that cannot be audited are reported as drop-outs (bortfall) with
//! their reason, so the number actually audited shows.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

use crate::ids::{CaseId, StaffId, UnitId};
use crate::personnummer::Sex;

/// Default sample size per unit (the routine: 20 akter per enhet).
pub const DEFAULT_SIZE: usize = 20;

/// Age bands of the indicators: 0–12, 13–17, 18–20 (3: unknown or older).
pub fn age_band(birth: Option<NaiveDate>, on: NaiveDate) -> u8 {
    let Some(b) = birth else { return 3 };
    let mut age = on.year() - b.year();
    if (on.month(), on.day()) < (b.month(), b.day()) {
        age -= 1;
    }
    match age {
        i32::MIN..=12 => 0,
        13..=17 => 1,
        18..=20 => 2,
        _ => 3,
    }
}

/// A file that may be drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub case: CaseId,
    pub sex: Option<Sex>,
    pub age_band: u8,
    pub handler: Option<StaffId>,
    /// Why the file cannot be audited if drawn (e.g. "överflyttat till annan kommun").
    pub drop_out: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Drawn {
    pub case: CaseId,
    /// "flicka 0–12" etc.
    pub stratum: String,
    pub handler: Option<StaffId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DropOut {
    pub case: CaseId,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sample {
    pub unit: UnitId,
    pub seed: u64,
    pub size: usize,
    pub method: String,
    /// Files the sample was drawn from.
    pub population: usize,
    /// Files to audit, in draw order.
    pub drawn: Vec<Drawn>,
    /// Drawn files that cannot be audited, with the reason.
    pub drop_outs: Vec<DropOut>,
    /// Files actually audited: drawn minus drop-outs.
    pub audited: usize,
}

/// splitmix64: small, fast, and fixed forever (the recorded seed must reproduce the sample).
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in 0..n (n > 0), by rejection.
    fn below(&mut self, n: u64) -> u64 {
        let zone = u64::MAX - u64::MAX % n;
        loop {
            let x = self.next();
            if x < zone {
                return x % n;
            }
        }
    }
}

/// FNV-1a of the unit id: each unit gets its own stream from the same seed.
fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

fn stratum_label(sex: Option<Sex>, band: u8) -> String {
    let s = sex.map_or("kön okänt", |s| s.label_sv());
    let a = ["0–12", "13–17", "18–20", "ålder okänd"][usize::from(band.min(3))];
    format!("{s} {a}")
}

pub const METHOD_SV: &str = "Stratifierat urval (Rutin för egenkontroll – aktgranskning): ärendena ordnas efter ärende-id \
och blandas med fröet (splitmix64 blandat med enhetens id, Fisher–Yates). De delas i strata efter kön × åldersgrupp \
(0–12, 13–17, 18–20). Ett ärende dras i taget från varje stratum i tur och ordning; inom ett stratum väljs det första \
ärendet vars handläggare har minst antal ärenden i urvalet. Dragna ärenden som inte kan granskas redovisas som bortfall \
med skäl.";

/// Draws the sample for one unit.
pub fn draw(unit: &UnitId, candidates: &[Candidate], size: usize, seed: u64) -> Sample {
    let mut pool: Vec<&Candidate> = candidates.iter().collect();
    pool.sort_by_key(|c| c.case);
    pool.dedup_by_key(|c| c.case);
    let population = pool.len();
    let mut rng = SplitMix(seed ^ fnv(unit.as_str()));
    for i in (1..pool.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        pool.swap(i, j);
    }
    // Strata in a fixed order; each keeps the shuffled order.
    let mut strata: BTreeMap<(u8, u8), Vec<&Candidate>> = BTreeMap::new();
    for c in pool {
        let sex = match c.sex {
            Some(Sex::Female) => 0,
            Some(Sex::Male) => 1,
            None => 2,
        };
        strata.entry((sex, c.age_band.min(3))).or_default().push(c);
    }
    let mut strata: Vec<Vec<&Candidate>> = strata.into_values().collect();
    let start = if strata.is_empty() { 0 } else { rng.below(strata.len() as u64) as usize };
    strata.rotate_left(start);

    let mut per_handler: HashMap<Option<&StaffId>, usize> = HashMap::new();
    let mut drawn = Vec::new();
    let mut drop_outs = Vec::new();
    while drawn.len() < size && strata.iter().any(|s| !s.is_empty()) {
        for s in strata.iter_mut() {
            if drawn.len() >= size {
                break;
            }
            let Some(pos) =
                (0..s.len()).min_by_key(|&i| (per_handler.get(&s[i].handler.as_ref()).copied().unwrap_or(0), i))
            else {
                continue;
            };
            let c = s.remove(pos);
            *per_handler.entry(c.handler.as_ref()).or_default() += 1;
            if let Some(r) = &c.drop_out {
                drop_outs.push(DropOut { case: c.case, reason: r.clone() });
            }
            drawn.push(Drawn { case: c.case, stratum: stratum_label(c.sex, c.age_band), handler: c.handler.clone() });
        }
    }
    let audited = drawn.len() - drop_outs.len();
    Sample { unit: unit.clone(), seed, size, method: METHOD_SV.to_owned(), population, drawn, drop_outs, audited }
}
