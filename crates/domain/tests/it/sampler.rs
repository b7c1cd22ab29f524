//! Aktgranskning's sample: reproducible, balanced over sex × age band, varied handlers,
//! drop-outs reported.

use std::collections::{BTreeMap, BTreeSet};

use skyndsam_domain::ids::{CaseId, StaffId, UnitId};
use skyndsam_domain::personnummer::Sex;
use skyndsam_domain::sampler::{age_band, draw, Candidate, DEFAULT_SIZE};

use crate::harness::date;

/// A unit's files: 240 cases, skewed (mostly boys 13–17, as in a youth unit), 7 handlers
/// with very different loads (handl-0 holds a third).
fn population() -> Vec<Candidate> {
    (0..240u128)
        .map(|i| {
            let skew = i % 10;
            let (sex, band) = match skew {
                0..=5 => (Sex::Male, 1),
                6 => (Sex::Female, 1),
                7 => (Sex::Male, 0),
                8 => (Sex::Female, 0),
                _ => (if i % 20 == 9 { Sex::Female } else { Sex::Male }, 2),
            };
            let handler = if i % 3 == 0 { 0 } else { (i % 9) as u32 };
            Candidate {
                case: CaseId::from_u128(1000 + i * 7919 % 5003),
                sex: Some(sex),
                age_band: band,
                handler: Some(StaffId::parse(&format!("handl-{handler}")).unwrap()),
                drop_out: (i == 13).then(|| "Överflyttat till annan kommun".to_owned()),
            }
        })
        .collect()
}

#[test]
fn the_same_seed_gives_the_same_sample_whatever_the_input_order_and_another_seed_another() {
    let unit = UnitId::parse("ungdom").unwrap();
    let pop = population();
    let a = draw(&unit, &pop, DEFAULT_SIZE, 2023);
    let mut rev = pop.clone();
    rev.reverse();
    let b = draw(&unit, &rev, DEFAULT_SIZE, 2023);
    assert_eq!(a, b);
    assert_eq!(a.drawn.len(), 20);
    assert_eq!(a.population, 240);
    assert_eq!(a.seed, 2023);
    assert!(a.method.contains("splitmix64"));
    let c = draw(&unit, &pop, DEFAULT_SIZE, 2024);
    assert_ne!(a.drawn, c.drawn);
    // Another unit with the same seed gets its own draw.
    let d = draw(&UnitId::parse("barn").unwrap(), &pop, DEFAULT_SIZE, 2023);
    assert_ne!(a.drawn.iter().map(|x| x.case).collect::<Vec<_>>(), d.drawn.iter().map(|x| x.case).collect::<Vec<_>>());
}

#[test]
fn the_strata_are_evenly_spread_and_the_handlers_varied_even_when_the_unit_is_skewed() {
    let unit = UnitId::parse("ungdom").unwrap();
    let pop = population();
    for seed in 0..50 {
        let s = draw(&unit, &pop, DEFAULT_SIZE, seed);
        let mut per_stratum: BTreeMap<&str, usize> = BTreeMap::new();
        for d in &s.drawn {
            *per_stratum.entry(d.stratum.as_str()).or_default() += 1;
        }
        // 6 strata (sex × 0–12, 13–17, 18–20), 20 files: 3 or 4 each.
        assert_eq!(per_stratum.len(), 6, "{per_stratum:?}");
        assert!(per_stratum.values().all(|n| (3..=4).contains(n)), "seed {seed}: {per_stratum:?}");
        let mut per_handler: BTreeMap<&str, usize> = BTreeMap::new();
        for d in &s.drawn {
            *per_handler.entry(d.handler.as_ref().unwrap().as_str()).or_default() += 1;
        }
        // handl-0 holds a third of the files, yet every handler is drawn and none more than 3 times.
        assert_eq!(per_handler.len(), 7, "seed {seed}: {per_handler:?}");
        assert!(per_handler.values().all(|n| *n <= 3), "seed {seed}: {per_handler:?}");
        let unique: BTreeSet<CaseId> = s.drawn.iter().map(|d| d.case).collect();
        assert_eq!(unique.len(), 20);
        assert_eq!(s.audited, 20 - s.drop_outs.len());
    }
}

#[test]
fn a_drawn_file_that_cannot_be_audited_is_a_reported_drop_out() {
    let unit = UnitId::parse("ungdom").unwrap();
    let pop = population();
    let seed = (0..500).find(|seed| !draw(&unit, &pop, DEFAULT_SIZE, *seed).drop_outs.is_empty()).unwrap();
    let s = draw(&unit, &pop, DEFAULT_SIZE, seed);
    assert_eq!(s.drop_outs.len(), 1);
    assert_eq!(s.drop_outs[0].reason, "Överflyttat till annan kommun");
    assert_eq!(s.audited, 19);
    // A small unit: everything is drawn.
    let s = draw(&unit, &pop[..7], DEFAULT_SIZE, 1);
    assert_eq!(s.drawn.len(), 7);
}

#[test]
fn age_bands_follow_the_birthday() {
    assert_eq!(age_band(Some(date(2011, 10, 3)), date(2024, 10, 2)), 0);
    assert_eq!(age_band(Some(date(2011, 10, 3)), date(2024, 10, 3)), 1);
    assert_eq!(age_band(Some(date(2006, 1, 1)), date(2024, 1, 1)), 2);
    assert_eq!(age_band(None, date(2024, 1, 1)), 3);
}
