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
    /// Deviations reported by staff.
    pub deviations: u64,
    /// Deviations the detection sweep opened.
    pub deviations_detected: u64,
    /// Lex Sarah reports (direct and escalated).
    pub lex_sarah: u64,
    /// Comments and complaints.
    pub complaints: u64,
    pub events: u64,
}

/// Every event in journal order: organisation first, then persons, then case and quality
/// events sorted (stably) by recorded time.
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
        // Journal order: organisation, persons, then cases (and quality matters) by recorded time.
        let first_case = events.iter().position(|e| e.stream.starts_with("case/")).unwrap();
        assert!(events[..first_case].iter().all(|e| e.stream == "org" || e.stream.starts_with("person/")));
        assert!(events[first_case..].iter().all(|e| !e.payload.is_organisation() && !e.stream.starts_with("person/")));
        assert!(events[first_case..].windows(2).all(|w| w[0].meta.recorded_at <= w[1].meta.recorded_at));
    }

    /// Folds the quality streams of a generated journal into matters (as the store does).
    fn matters(events: &[skyndsam_domain::events::NewEvent]) -> Vec<skyndsam_domain::quality::Matter> {
        use skyndsam_domain::events::{RecordedEvent, SCHEMA_VERSION};
        use skyndsam_domain::quality::Matter;
        let mut out: std::collections::BTreeMap<String, Matter> = std::collections::BTreeMap::new();
        let mut versions: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
        for (i, e) in events.iter().enumerate().filter(|(_, e)| e.payload.is_quality()) {
            let v = versions.entry(e.stream.clone()).or_default();
            *v += 1;
            let r = RecordedEvent {
                seq: i as u64 + 1,
                stream: e.stream.clone(),
                version: *v,
                meta: e.meta.clone(),
                schema: SCHEMA_VERSION,
                payload: e.payload.clone(),
                prev_hash: String::new(),
                hash: String::new(),
            };
            // Every quality event either opens its own stream or follows in one.
            assert!(skyndsam_domain::quality::fits_stream(&r), "{} v{}", r.stream, r.version);
            match out.get_mut(&r.stream) {
                Some(m) => m.apply(&r),
                None => {
                    out.insert(r.stream.clone(), Matter::start(&r).expect("a matter starts with its report"));
                }
            }
        }
        out.into_values().collect()
    }

    #[test]
    fn the_quality_system_is_calibrated_to_eskilstuna_and_the_sweep_finds_deviations() {
        use chrono::NaiveDate;
        use skyndsam_domain::quality::model::{DeviationDirection, LexSarahClassification};
        use skyndsam_domain::quality::{stats, Matter};
        let r = rules();
        // A full year of 2,500 reports (28 % of Eskilstuna's 8,900), reported on 31 March after.
        let cfg = Config {
            seed: 5,
            year: 2022,
            years: 1,
            reports_per_year: 2500,
            as_of: Utc.with_ymd_and_hms(2023, 3, 31, 20, 0, 0).unwrap(),
        };
        let (events, s) = generate(&cfg, &r).unwrap();
        let ms = matters(&events);
        let scale = 2500.0 / 8900.0;
        let w = stats::Window {
            from: NaiveDate::from_ymd_opt(2022, 1, 1).unwrap(),
            to: NaiveDate::from_ymd_opt(2022, 12, 31).unwrap(),
            units: None,
        };
        // Staff-reported deviations: about 184 a year at Eskilstuna's size.
        let staff: Vec<&Matter> =
            ms.iter().filter(|m| !matches!(m, Matter::Deviation(d) if d.detection.is_some())).collect();
        let c = stats::counts(staff.iter().copied(), w, &r);
        let want = 184.0 * scale;
        let got = f64::from(c.deviations_reported);
        assert!((want * 0.75..=want * 1.25).contains(&got), "{got} staff deviations, want about {want:.0}");
        assert_eq!(u64::from(c.deviations_reported), s.deviations);
        // 10 of 184 from other bodies, 29 of 184 sent on: together a fifth, give or take.
        let external = f64::from(c.deviations_external_incoming + c.deviations_external_outgoing) / got;
        assert!((0.1..=0.35).contains(&external), "external share {external:.2}");
        assert!(c.deviations_external_incoming > 0 && c.deviations_external_outgoing > 0);
        // About three in four closed at the year's end (139 of 184).
        let closed = f64::from(c.deviations_closed_at_end) / got;
        assert!((0.6..=0.9).contains(&closed), "closed at year end {closed:.2}");
        assert!(
            c.deviations_by_category.contains_key("registrering") && c.deviations_by_category.contains_key("rutin")
        );
        assert!(
            staff.iter().any(|m| matches!(m, Matter::Deviation(d) if d.handling.case.is_some())),
            "some linked to a case"
        );
        assert!(ms.iter().any(|m| matches!(m, Matter::Deviation(d) if d.direction == DeviationDirection::ExternalOutgoing && d.forwarded_on.is_some())));
        // The sweep found deviations by itself, and the unit managers handle them.
        let all = stats::counts(ms.iter(), w, &r);
        let detected: u32 = all.deviations_system_detected.values().sum();
        assert!(detected > 0);
        assert_eq!(u64::from(detected), s.deviations_detected);
        assert!(ms
            .iter()
            .any(|m| matches!(m, Matter::Deviation(d) if d.detection.is_some() && d.handling.locked_on.is_some())));
        // Lex Sarah, classified, serious ones reported to IVO; complaints by source.
        assert!(all.lex_sarah_reported > 0 && !all.lex_sarah_by_classification.is_empty());
        let serious: u32 =
            all.lex_sarah_by_classification.iter().filter(|(k, _)| k.must_report_to_ivo()).map(|(_, v)| *v).sum();
        assert!(all.lex_sarah_reported_to_ivo <= serious + 1, "IVO reports follow serious classifications");
        let _ = LexSarahClassification::ALL;
        assert!(all.complaints_received > 0 && all.complaints_by_source.len() >= 2);
        // Internal control: five risks, the year's plan, three of five moments with remarks.
        assert_eq!(ms.iter().filter(|m| matches!(m, Matter::Risk(_))).count(), 5);
        assert_eq!((all.control_moments_done, all.control_moments_with_remarks), (5, 3));
        // A survey with responses: response rate and NKI.
        let survey = ms.iter().find_map(|m| match m {
            Matter::Survey(s) => Some(s),
            _ => None,
        });
        let rows = stats::survey_results(survey.expect("a survey"));
        let total = rows.last().unwrap();
        assert!(total.responses > 0 && total.response_rate.is_some_and(|r| r > 0.1 && r < 0.4));
        assert!(total.nki.is_some_and(|n| (30.0..=90.0).contains(&n)), "{:?}", total.nki);
    }
}
