//! The Swedish table printed by `skyndsam indicators`.

use crate::catalogue::Measure;
use crate::{IndicatorValue, ValueState};

fn num(x: f64) -> String {
    let s = format!("{x:.1}");
    s.replace('.', ",")
}

/// A value as a reader sees it: "62,3 %", "118", "111,0 dagar (median 104)".
pub fn value_sv(v: &IndicatorValue) -> String {
    match (v.state, v.value) {
        (ValueState::NoDataSource, _) => "datakälla saknas ännu".into(),
        (ValueState::NotBrokenDown, _) => "redovisas ej per kön/ålder".into(),
        (ValueState::NoCases, _) | (_, None) => "– (inga ärenden)".into(),
        (ValueState::Value, Some(x)) => match v.measure {
            Measure::Share => format!("{} %", num(x)),
            Measure::Count => format!("{x:.0}"),
            Measure::Days => match v.median_days {
                Some(m) => format!("{} dagar (median {})", num(x), num(m)),
                None => format!("{} dagar", num(x)),
            },
        },
    }
}

/// The table for a list of values of one period and filter.
pub fn table_sv(values: &[IndicatorValue]) -> String {
    let mut out = String::new();
    if let Some(first) = values.first() {
        out.push_str(&format!(
            "Indikatorer — {} ({} – {}{}) — {} — {}, {}\n",
            first.period,
            first.period_start,
            first.period_end,
            if first.complete { "" } else { ", perioden pågår" },
            first.unit_name.as_deref().unwrap_or("hela organisationen"),
            first.sex,
            first.age,
        ));
    }
    out.push_str(&format!(
        "{:<13} {:<62} {:>28} {:>8} {:>8} {:>8} {:>8}\n",
        "id", "indikator", "värde", "täljare", "nämnare", "etappmål", "lagkrav"
    ));
    for v in values {
        let name: String = v.name.chars().take(62).collect();
        let opt = |x: Option<u64>| x.map(|n| n.to_string()).unwrap_or_else(|| "–".into());
        let target = |x: Option<f64>| x.map(num).unwrap_or_else(|| "–".into());
        out.push_str(&format!(
            "{:<13} {:<62} {:>28} {:>8} {:>8} {:>8} {:>8}\n",
            v.id,
            name,
            value_sv(v),
            opt(v.numerator),
            opt(v.denominator),
            target(v.step_target),
            target(v.legal_floor),
        ));
    }
    out
}

/// What `skyndsam indicators` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// The Swedish table.
    Table,
    /// Every value with its explanation, as JSON.
    Json,
    /// Kolada's JSON shape.
    Kolada,
}

/// The command line's output for `period` (as written: `2025`, `2025-03`, `2025-T1` …)
/// and an optional unit (slug; the unit and everything below it).
pub fn command_output(
    report: &crate::Report<'_>,
    period: &str,
    unit: Option<&str>,
    output: Output,
    municipality: &str,
) -> Result<String, crate::ReportError> {
    let period = crate::Period::parse(period)?;
    let unit = unit.map(|u| report.unit(u)).transpose()?;
    let filter = crate::Filter { unit, ..crate::Filter::all() };
    Ok(match output {
        Output::Table => {
            let mut out = String::new();
            for sex in crate::SexFilter::ALL {
                out.push_str(&table_sv(&report.all(&period, &crate::Filter { sex, ..filter })));
                out.push('\n');
            }
            out
        }
        Output::Json => {
            let mut values = Vec::new();
            for sex in crate::SexFilter::ALL {
                values.extend(report.all(&period, &crate::Filter { sex, ..filter }));
            }
            pretty(&values)
        }
        Output::Kolada => pretty(&crate::kolada::export(report, &period, unit, municipality)),
    })
}

fn pretty<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string_pretty(v).unwrap_or_else(|e| format!("{{\"fel\": \"{e}\"}}")) + "\n"
}
