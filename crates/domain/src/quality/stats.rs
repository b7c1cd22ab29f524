//! The counts the annual quality report, the tertial compilations and the trend view need
//! (DOMAIN §5, SCENARIOS 9): per period and unit, from the matters' states alone.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use std::collections::BTreeMap;

use super::model::*;
use super::{Matter, SurveyState};
use crate::ids::UnitId;
use crate::personnummer::Sex;
use crate::rules::RuleTable;

/// Which matters count: reported in `from..=to`, in one of `units` (None = all).
#[derive(Debug, Clone, Copy)]
pub struct Window<'a> {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub units: Option<&'a [UnitId]>,
}

impl Window<'_> {
    fn has(&self, d: NaiveDate) -> bool {
        self.from <= d && d <= self.to
    }
    fn unit(&self, u: &UnitId) -> bool {
        self.units.is_none_or(|us| us.contains(u))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct QualityCounts {
    pub deviations_reported: u32,
    /// (unit, category code) → count
    pub deviations_by_unit_category: BTreeMap<String, BTreeMap<String, u32>>,
    pub deviations_by_category: BTreeMap<String, u32>,
    pub deviations_internal: u32,
    pub deviations_external_outgoing: u32,
    pub deviations_external_incoming: u32,
    pub deviations_system_detected: BTreeMap<String, u32>,
    /// Reported up to the period's end and still open at its end (all years).
    pub deviations_open_at_end: u32,
    /// Reported in the period and closed (locked or escalated) by its end.
    pub deviations_closed_at_end: u32,
    /// AVV-6V: reported in the period, investigated within six weeks …
    pub deviations_within_6_weeks: u32,
    /// … of those whose six weeks had ended, or that were closed, by the period's end.
    pub deviations_6_weeks_due: u32,
    pub deviations_escalated: u32,
    pub lex_sarah_reported: u32,
    /// Classified in the period, by classification.
    pub lex_sarah_by_classification: BTreeMap<LexSarahClassification, u32>,
    pub lex_sarah_reported_to_ivo: u32,
    pub complaints_received: u32,
    pub complaints_by_source: BTreeMap<ComplaintSource, u32>,
    pub complaints_by_subject: BTreeMap<ComplaintSubject, u32>,
    pub complaints_by_kind: BTreeMap<ComplaintKind, u32>,
    pub complaints_answered_in_time: u32,
    pub complaints_closed_at_end: u32,
    pub control_moments_done: u32,
    pub control_moments_with_remarks: u32,
    pub measures_decided: u32,
    pub measures_completed: u32,
}

impl QualityCounts {
    /// AVV-6V as a share 0–1, when anything was due.
    pub fn avv_6v(&self) -> Option<f64> {
        (self.deviations_6_weeks_due > 0)
            .then(|| f64::from(self.deviations_within_6_weeks) / f64::from(self.deviations_6_weeks_due))
    }
}

/// Counts the matters in the window.
pub fn counts<'a>(matters: impl IntoIterator<Item = &'a Matter>, w: Window, rules: &RuleTable) -> QualityCounts {
    let mut c = QualityCounts::default();
    let six_weeks = rules.quality.deviation_investigation_weeks.saturating_mul(7);
    for m in matters {
        if m.handling().is_some_and(|h| !w.unit(&h.unit)) {
            continue;
        }
        for ms in m.measures() {
            if w.has(ms.decided_on) {
                c.measures_decided += 1;
            }
            if ms.completed_on.is_some_and(|d| w.has(d)) {
                c.measures_completed += 1;
            }
        }
        match m {
            Matter::Deviation(d) => {
                let h = &d.handling;
                let closed_on = [h.locked_on, d.escalated_on].into_iter().flatten().min();
                if h.reported_on <= w.to && closed_on.is_none_or(|x| x > w.to) {
                    c.deviations_open_at_end += 1;
                }
                if !w.has(h.reported_on) {
                    continue;
                }
                c.deviations_reported += 1;
                *c.deviations_by_unit_category
                    .entry(h.unit.to_string())
                    .or_default()
                    .entry(d.category.clone())
                    .or_default() += 1;
                *c.deviations_by_category.entry(d.category.clone()).or_default() += 1;
                match d.direction {
                    DeviationDirection::Internal => c.deviations_internal += 1,
                    DeviationDirection::ExternalOutgoing => c.deviations_external_outgoing += 1,
                    DeviationDirection::ExternalIncoming => c.deviations_external_incoming += 1,
                }
                if let Some(k) = d.detection {
                    *c.deviations_system_detected.entry(format!("{k:?}")).or_default() += 1;
                }
                if closed_on.is_some_and(|x| x <= w.to) {
                    c.deviations_closed_at_end += 1;
                }
                if d.escalated_to.is_some() {
                    c.deviations_escalated += 1;
                }
                let last = crate::calendar::add_days(h.reported_on, six_weeks);
                let met = d.clock_met_on().filter(|x| *x <= w.to);
                if met.is_some() || last < w.to {
                    c.deviations_6_weeks_due += 1;
                    if met.is_some_and(|x| x <= last) {
                        c.deviations_within_6_weeks += 1;
                    }
                }
            }
            Matter::LexSarah(l) => {
                if w.has(l.handling.reported_on) {
                    c.lex_sarah_reported += 1;
                }
                if let (Some(k), Some(on)) = (l.classification, l.classified_on) {
                    if w.has(on) {
                        *c.lex_sarah_by_classification.entry(k).or_default() += 1;
                    }
                }
                if l.ivo_reported_on.is_some_and(|d| w.has(d)) {
                    c.lex_sarah_reported_to_ivo += 1;
                }
            }
            Matter::Complaint(x) => {
                if !w.has(x.received_on) {
                    continue;
                }
                c.complaints_received += 1;
                *c.complaints_by_source.entry(x.source).or_default() += 1;
                *c.complaints_by_subject.entry(x.subject).or_default() += 1;
                *c.complaints_by_kind.entry(x.kind).or_default() += 1;
                let limit = crate::calendar::add_days(x.received_on, rules.quality.complaint_answer_days);
                if x.answered_on.is_some_and(|a| a <= limit) {
                    c.complaints_answered_in_time += 1;
                }
                if x.handling.locked_on.is_some_and(|d| d <= w.to) {
                    c.complaints_closed_at_end += 1;
                }
            }
            Matter::ControlPlan(p) => {
                for mo in &p.moments {
                    if mo.result_on.is_some_and(|d| w.has(d)) {
                        c.control_moments_done += 1;
                        if mo.remarks == Some(true) {
                            c.control_moments_with_remarks += 1;
                        }
                    }
                }
            }
            Matter::Risk(_) | Matter::Survey(_) | Matter::FileAudit(_) => {}
        }
    }
    c
}

/// Ja, Nej and Ej tillämpligt answers, and the share of Ja over Ja + Nej (Ej tillämpligt is
/// left out of both, as in DOK-* and the file audit's results).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Tally {
    pub yes: u32,
    pub no: u32,
    pub not_applicable: u32,
    /// Ja / (Ja + Nej), 0–1, when any.
    pub share_yes: Option<f64>,
}

impl Tally {
    pub fn add(&mut self, r: crate::checks::Reply) {
        use crate::checks::Reply;
        match r {
            Reply::Yes => self.yes += 1,
            Reply::No => self.no += 1,
            Reply::NotApplicable => self.not_applicable += 1,
        }
        self.share();
    }

    fn add_tally(&mut self, o: &Tally) {
        self.yes += o.yes;
        self.no += o.no;
        self.not_applicable += o.not_applicable;
        self.share();
    }

    fn share(&mut self) {
        let n = self.yes + self.no;
        self.share_yes = (n > 0).then(|| f64::from(self.yes) / f64::from(n));
    }
}

/// One month of the trend view: counts across the quality system.
#[derive(Debug, Clone, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct TrendMonth {
    /// "2026-03"
    pub month: String,
    pub deviations: u32,
    pub deviations_system_detected: u32,
    pub lex_sarah: u32,
    pub complaints: u32,
    pub control_remarks: u32,
    /// deviation category code → count
    pub by_category: BTreeMap<String, u32>,
    /// unit → deviations + lex Sarah + complaints
    pub by_unit: BTreeMap<String, u32>,
    /// Self-inspection (the continuous checks, `checks::inspect`) of the cases received in the
    /// month, answered as of the reporting date, over the questions the record answers: all
    /// the window's units together. None when the caller had no answers to give (see
    /// [`add_self_inspection`]).
    pub self_inspection: Option<Tally>,
    /// The same per unit (the unit the case belonged to at the reporting date).
    pub self_inspection_by_unit: BTreeMap<String, Tally>,
    /// File audits analysed in the month (`FileAuditAnalysed`'s date): unit → the standing
    /// answers over the audited files (drop-outs excluded). Empty when none was analysed.
    pub file_audits: BTreeMap<String, Tally>,
}

/// Month by month from `from` to `to` (inclusive): "sammanställning och analys av trender".
pub fn trend<'a>(matters: impl IntoIterator<Item = &'a Matter>, w: Window) -> Vec<TrendMonth> {
    let key = |d: NaiveDate| format!("{:04}-{:02}", d.year(), d.month());
    let mut months: BTreeMap<String, TrendMonth> = BTreeMap::new();
    let mut d = w.from.with_day(1).unwrap_or(w.from);
    while d <= w.to {
        months.insert(key(d), TrendMonth { month: key(d), ..Default::default() });
        d = d.checked_add_months(chrono::Months::new(1)).unwrap_or(NaiveDate::MAX);
    }
    for m in matters {
        if let Some(h) = m.handling() {
            if let Matter::FileAudit(a) = m {
                if w.unit(&h.unit) {
                    file_audit_month(&mut months, a, w, key);
                }
                continue;
            }
            if !w.unit(&h.unit) || !w.has(h.reported_on) {
                continue;
            }
            let Some(row) = months.get_mut(&key(h.reported_on)) else { continue };
            *row.by_unit.entry(h.unit.to_string()).or_default() += 1;
            match m {
                Matter::Deviation(d) => {
                    row.deviations += 1;
                    if d.detection.is_some() {
                        row.deviations_system_detected += 1;
                    }
                    *row.by_category.entry(d.category.clone()).or_default() += 1;
                }
                Matter::LexSarah(_) => row.lex_sarah += 1,
                Matter::Complaint(_) => row.complaints += 1,
                _ => {}
            }
        } else if let Matter::ControlPlan(p) = m {
            for mo in &p.moments {
                if let (Some(on), Some(true)) = (mo.result_on, mo.remarks) {
                    if let Some(row) = months.get_mut(&key(on)).filter(|_| w.has(on)) {
                        row.control_remarks += 1;
                    }
                }
            }
        }
    }
    months.into_values().collect()
}

/// A file audit's standing answers go to the month it was analysed, if in the window.
fn file_audit_month(
    months: &mut BTreeMap<String, TrendMonth>,
    a: &super::FileAuditState,
    w: Window,
    key: impl Fn(NaiveDate) -> String,
) {
    let Some(on) = a.analysed_on.filter(|d| w.has(*d)) else { return };
    let Some(row) = months.get_mut(&key(on)) else { return };
    let audited: std::collections::HashSet<crate::ids::CaseId> = a.audited().map(|f| f.case).collect();
    let t = row.file_audits.entry(a.handling.unit.to_string()).or_default();
    for ((case, _, _), ans) in &a.answers {
        if audited.contains(case) {
            t.add(ans.reply);
        }
    }
}

/// Adds the self-inspection series to `months` (from [`trend`] over the same window):
/// `cases` gives each case's date of receipt, its unit at the reporting date and its answers
/// to the questions the record answers, tallied. A case counts in the month it was received,
/// if that is in the window and its unit is one of the window's. Every month of the window
/// then has a total (zero answers → share None).
pub fn add_self_inspection<'a>(
    months: &mut [TrendMonth],
    w: Window,
    cases: impl IntoIterator<Item = (NaiveDate, &'a UnitId, Tally)>,
) {
    // The months' keys ("YYYY-MM") once, not a string per case.
    let keys: Vec<Option<(i32, u32)>> = months
        .iter()
        .map(|m| {
            let (y, mo) = m.month.split_once('-')?;
            Some((y.parse().ok()?, mo.parse().ok()?))
        })
        .collect();
    for m in months.iter_mut() {
        m.self_inspection = Some(Tally::default());
    }
    for (received_on, unit, t) in cases {
        if !w.has(received_on) || !w.unit(unit) {
            continue;
        }
        let k = Some((received_on.year(), received_on.month()));
        let Some(i) = keys.iter().position(|x| *x == k) else { continue };
        let Some(row) = months.get_mut(i) else { continue };
        row.self_inspection.get_or_insert_with(Tally::default).add_tally(&t);
        match row.self_inspection_by_unit.get_mut(unit.as_str()) {
            Some(u) => u.add_tally(&t),
            None => {
                row.self_inspection_by_unit.insert(unit.to_string(), t);
            }
        }
    }
}

/// A survey's results for one unit and sex (None = all), or all units (unit None).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct SurveyRow {
    pub unit: Option<UnitId>,
    pub sex: Option<Sex>,
    pub invited: u32,
    pub responses: u32,
    /// responses / invited, 0–1
    pub response_rate: Option<f64>,
    /// NKI 0–100: per respondent, the mean of the NKI questions rescaled from 1..=max to
    /// 0–100; then the mean over respondents who answered every NKI question.
    pub nki: Option<f64>,
    pub nki_respondents: u32,
}

/// Response rate and NKI per unit and sex, then per unit, then in total.
pub fn survey_results(s: &SurveyState) -> Vec<SurveyRow> {
    let nki_q: Vec<usize> = s.questions.iter().enumerate().filter(|(_, q)| q.nki).map(|(i, _)| i).collect();
    let span = f64::from(s.scale_max.saturating_sub(1).max(1));
    let row = |unit: Option<&UnitId>, sex: Option<Option<Sex>>| {
        let unit_ok = |u: &UnitId| unit.is_none_or(|x| x == u);
        let sex_ok = |x: Option<Sex>| sex.is_none_or(|want| want == x);
        let invited: u32 = s.invited.iter().filter(|i| unit_ok(&i.unit) && sex_ok(i.sex)).map(|i| i.count).sum();
        let rs: Vec<&SurveyResponse> = s.responses.iter().filter(|r| unit_ok(&r.unit) && sex_ok(r.sex)).collect();
        let scores: Vec<f64> = rs
            .iter()
            .filter_map(|r| {
                let vals: Option<Vec<u8>> = nki_q.iter().map(|i| r.answers.get(*i).copied().flatten()).collect();
                let vals = vals.filter(|v| !v.is_empty())?;
                let sum: f64 = vals.iter().map(|a| (f64::from(*a) - 1.0) / span * 100.0).sum();
                Some(sum / vals.len() as f64)
            })
            .collect();
        let responses = u32::try_from(rs.len()).unwrap_or(u32::MAX);
        SurveyRow {
            unit: unit.cloned(),
            sex: sex.flatten(),
            invited,
            responses,
            response_rate: (invited > 0).then(|| f64::from(responses) / f64::from(invited)),
            nki: (!scores.is_empty()).then(|| scores.iter().sum::<f64>() / scores.len() as f64),
            nki_respondents: u32::try_from(scores.len()).unwrap_or(u32::MAX),
        }
    };
    let mut out = Vec::new();
    for u in &s.units {
        for sex in [Some(Sex::Female), Some(Sex::Male)] {
            out.push(row(Some(u), Some(sex)));
        }
        out.push(row(Some(u), None));
    }
    out.push(row(None, None));
    out
}

/// One question's result in a file audit: the standing answers over the audited files.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct AuditQuestionResult {
    pub section: crate::checks::Section,
    pub question: String,
    pub yes: u32,
    pub no: u32,
    pub not_applicable: u32,
    /// Answers where the auditor differed from the record's automatic answer.
    pub overridden: u32,
    /// Ja / (Ja + Nej), when any.
    pub share_yes: Option<f64>,
}

/// The unit's results per question (drop-outs excluded), in question order of first answer.
pub fn file_audit_results(a: &super::FileAuditState) -> Vec<AuditQuestionResult> {
    use crate::checks::Reply;
    let audited: std::collections::HashSet<crate::ids::CaseId> = a.audited().map(|f| f.case).collect();
    let mut rows: BTreeMap<(crate::checks::Section, String), AuditQuestionResult> = BTreeMap::new();
    for ((case, section, question), ans) in &a.answers {
        if !audited.contains(case) {
            continue;
        }
        let r = rows.entry((*section, question.clone())).or_insert_with(|| AuditQuestionResult {
            section: *section,
            question: question.clone(),
            yes: 0,
            no: 0,
            not_applicable: 0,
            overridden: 0,
            share_yes: None,
        });
        match ans.reply {
            Reply::Yes => r.yes += 1,
            Reply::No => r.no += 1,
            Reply::NotApplicable => r.not_applicable += 1,
        }
        if ans.overridden {
            r.overridden += 1;
        }
    }
    rows.into_values()
        .map(|mut r| {
            let n = r.yes + r.no;
            r.share_yes = (n > 0).then(|| f64::from(r.yes) / f64::from(n));
            r
        })
        .collect()
}
