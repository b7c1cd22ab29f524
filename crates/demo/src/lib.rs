//! The synthetic demo municipality: a fictitious Swedish municipality's child welfare
//! journal, generated through the domain's own commands so it is valid by construction,
//! and calibrated to the Eskilstuna 2022 figures (DOMAIN §6).

mod muni;
mod names;
mod sim;
mod time;

use skyndsam_domain::events::NewEvent;
use skyndsam_domain::rules::RuleTable;
use skyndsam_domain::DomainError;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub seed: u64,
    /// First year simulated (1 Jan).
    pub year: i32,
    /// Number of years.
    pub years: u32,
    /// Aktualiseringar per year (default 8900).
    pub reports_per_year: u32,
    /// Acts after this instant are not generated (cases still open then stay open).
    pub as_of: chrono::DateTime<chrono::Utc>,
}

/// What was generated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Aktualiseringar registered (one per `RegisterActualisation`, siblings included).
    pub reports: u64,
    /// Children (and young adults) registered.
    pub children: u64,
    /// Preliminary assessments decided (including reports joined to an open investigation).
    pub preliminary_decided: u64,
    /// … of which decided more than 14 days after receipt.
    pub preliminary_over_14_days: u64,
    pub investigations_opened: u64,
    pub investigations_closed: u64,
    /// Closed investigations decided after opened + 4 months (extensions not counted).
    pub investigations_over_4_months: u64,
    pub events: u64,
}

/// Every event in journal order: organisation first, then persons, then case events
/// sorted (stably) by recorded time.
pub fn generate(cfg: &Config, rules: &RuleTable) -> Result<(Vec<NewEvent>, Stats), DomainError> {
    sim::Sim::new(cfg, rules)?.run()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use chrono::{TimeZone, Utc};
    use skyndsam_domain::events::{Payload, PreliminaryOutcome};
    use skyndsam_domain::personnummer::PersonalIdentityNumber;

    fn cfg(seed: u64, reports: u32) -> Config {
        Config {
            seed,
            year: 2022,
            years: 1,
            reports_per_year: reports,
            as_of: Utc.with_ymd_and_hms(2023, 1, 1, 23, 0, 0).unwrap(),
        }
    }

    fn rules() -> RuleTable {
        RuleTable::defaults().unwrap()
    }

    #[test]
    fn same_seed_same_journal_other_seed_other_journal() {
        let r = rules();
        let (a, sa) = generate(&cfg(7, 300), &r).unwrap();
        let (b, sb) = generate(&cfg(7, 300), &r).unwrap();
        assert_eq!(sa, sb);
        assert!(a == b);
        let (c, _) = generate(&cfg(8, 300), &r).unwrap();
        assert!(a != c);
    }

    #[test]
    fn a_small_year_lands_near_the_calibration() {
        let r = rules();
        let (events, s) = generate(&cfg(1, 600), &r).unwrap();
        let pct = |a: u64, b: u64| 100.0 * a as f64 / b.max(1) as f64;
        let late = pct(s.preliminary_over_14_days, s.preliminary_decided);
        let long = pct(s.investigations_over_4_months, s.investigations_closed);
        assert_eq!(s.reports, 600);
        assert!((30.0..=46.0).contains(&late), "preliminary over 14 days {late:.1} %");
        assert!((20.0..=38.0).contains(&long), "investigations over 4 months {long:.1} %");
        assert_eq!(s.events, events.len() as u64);

        let mut siblings = 0;
        let mut joins = 0;
        let mut board = 0;
        let mut persons = 0;
        for e in &events {
            match &e.payload {
                Payload::PersonRegistered(p) => {
                    persons += 1;
                    let n = p.id_number.as_ref().unwrap();
                    let parsed = PersonalIdentityNumber::parse(n.as_str()).unwrap();
                    assert_eq!(&parsed, n);
                    assert_eq!(parsed.sex(), p.sex);
                    assert_eq!(parsed.birth_date(), p.birth_date);
                }
                Payload::ActualisationRegistered(a) if !a.siblings.is_empty() => siblings += 1,
                Payload::PreliminaryAssessmentDecided(p)
                    if matches!(p.outcome, PreliminaryOutcome::JoinInvestigation { .. }) =>
                {
                    joins += 1
                }
                Payload::InvestigationDecided(d) if d.board_decision.is_some() => board += 1,
                Payload::InterventionGranted(g) if g.board_decision.is_some() => board += 1,
                _ => {}
            }
        }
        assert_eq!(persons, s.children);
        assert!(siblings > 0 && joins > 0 && board > 0, "siblings {siblings}, joins {joins}, board {board}");
        // Journal order: organisation, persons, then cases by recorded time.
        let first_case = events.iter().position(|e| e.stream.starts_with("case/")).unwrap();
        assert!(events[..first_case].iter().all(|e| e.stream == "org" || e.stream.starts_with("person/")));
        assert!(events[first_case..].windows(2).all(|w| w[0].meta.recorded_at <= w[1].meta.recorded_at));
    }
}
