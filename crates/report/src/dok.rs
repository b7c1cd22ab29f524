//! DOK-*: the share of Ja per self-inspection question (DOMAIN §4, §6), from the answers
//! `checks::inspect` gave each case as of the facts' inspection date
//! ([`crate::FactsBuilder::with_self_inspection`]). The total over every question is the
//! indicator DOK in the cube (`compute::observe`); this is the same count per question.

use serde::Serialize;

use skyndsam_domain::checks::Section;

use crate::compute::Filter;
use crate::facts::DokAnswer;
use crate::period::MonthRange;
use crate::{round1, Report};

/// One question's answers over the cases received in the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DokRow {
    /// `DOK-FB-<question>` or `DOK-UTR-<question>`
    pub id: String,
    pub section: Section,
    pub question: String,
    pub text: String,
    pub yes: u64,
    pub no: u64,
    pub not_applicable: u64,
    /// Ja / (Ja + Nej) in % (one decimal); None when no case had the question apply.
    pub share_yes: Option<f64>,
}

impl Report<'_> {
    /// Every question's answers for the cases received in `range` (up to the reporting
    /// date) in the filter's unit subtree, sex and age band. None when the facts were built
    /// without self-inspection.
    pub fn dok(&self, range: MonthRange, f: &Filter) -> Option<Vec<DokRow>> {
        let si = self.facts.self_inspection.as_ref()?;
        let units = f.unit.map(|u| self.facts.units.subtree(u));
        let mut rows: Vec<DokRow> = si
            .questions
            .iter()
            .map(|q| DokRow {
                id: q.indicator_id(),
                section: q.section,
                question: q.id.clone(),
                text: q.text.clone(),
                yes: 0,
                no: 0,
                not_applicable: 0,
                share_yes: None,
            })
            .collect();
        for c in &self.facts.cases {
            if !range.contains_date(c.received_on) || c.received_on > self.as_of {
                continue;
            }
            if !f.sex.matches(c.sex) || !f.age.matches(c.age_band) {
                continue;
            }
            if units.as_ref().is_some_and(|r| !r.contains(&usize::from(c.dok_unit))) {
                continue;
            }
            for (row, a) in rows.iter_mut().zip(&c.dok) {
                match a {
                    DokAnswer::Yes => row.yes += 1,
                    DokAnswer::No => row.no += 1,
                    DokAnswer::NotApplicable => row.not_applicable += 1,
                }
            }
        }
        for r in &mut rows {
            let n = r.yes + r.no;
            r.share_yes = (n > 0).then(|| round1(100.0 * r.yes as f64 / n as f64));
        }
        Some(rows)
    }
}
