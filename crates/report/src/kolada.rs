//! Export in Kolada's JSON shape (the v2 data API): one entry per indicator with `kpi`,
//! `municipality`, `period` and `values` per `gender` (T = totalt, K = kvinnor/flickor,
//! M = män/pojkar), each with `count`, `status` and `value`.
//!
//! `count` follows Kolada: the number of values behind the figure (1, or 0 when missing,
//! with `status` "Saknas" and `value` null). `period` is the year for a year period (as in
//! Kolada) and the period string otherwise. Indicators without a data source are listed
//! with status "Datakälla saknas ännu" rather than left out or shown as zero.

use serde::Serialize;

use crate::catalogue::Ind;
use crate::compute::{Filter, SexFilter};
use crate::period::Period;
use crate::{Report, ValueState};

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum KoladaPeriod {
    Year(i32),
    Other(String),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KoladaValue {
    pub count: u32,
    pub gender: &'static str,
    pub status: String,
    pub value: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KoladaEntry {
    pub kpi: String,
    pub municipality: String,
    pub period: KoladaPeriod,
    pub values: Vec<KoladaValue>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KoladaDocument {
    pub count: usize,
    pub values: Vec<KoladaEntry>,
}

/// Every indicator for `period` (and optionally one unit's subtree) in Kolada's shape.
pub fn export(report: &Report<'_>, period: &Period, unit: Option<u16>, municipality: &str) -> KoladaDocument {
    let kperiod = match period {
        Period::Year { year } => KoladaPeriod::Year(*year),
        _ => KoladaPeriod::Other(spec(period)),
    };
    let mut values = Vec::new();
    for ind in Ind::ALL {
        let mut vs = Vec::with_capacity(3);
        for sex in SexFilter::ALL {
            let f = Filter { unit, sex, age: crate::compute::AgeFilter::All };
            let v = report.value(ind, period, &f);
            let status = match v.state {
                ValueState::Value => String::new(),
                ValueState::NoCases => "Saknas".to_owned(),
                ValueState::NoDataSource => "Datakälla saknas ännu".to_owned(),
                ValueState::NotBrokenDown => "Redovisas inte per kön".to_owned(),
            };
            vs.push(KoladaValue { count: u32::from(v.value.is_some()), gender: sex.kolada(), status, value: v.value });
        }
        values.push(KoladaEntry {
            kpi: ind.id().to_owned(),
            municipality: municipality.to_owned(),
            period: kperiod.clone(),
            values: vs,
        });
    }
    KoladaDocument { count: values.len(), values }
}

/// The period as written on the command line.
pub fn spec(p: &Period) -> String {
    match *p {
        Period::Month { year, month } => format!("{year}-{month:02}"),
        Period::Quarter { year, quarter } => format!("{year}-Q{quarter}"),
        Period::Tertial1 { year } => format!("{year}-T1"),
        Period::Tertial2 { year } => format!("{year}-T2"),
        Period::Year { year } => format!("{year}"),
        Period::Rolling12 { year, month: None } => format!("{year}-R12"),
        Period::Rolling12 { year, month: Some(m) } => format!("{year}-{m:02}-R12"),
    }
}
