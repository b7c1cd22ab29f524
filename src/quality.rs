//! `skyndsam quality`: the quality-management system's counts for a period and unit
//! (`stats`), the trend month by month (`trend`) and the detection sweep (`sweep`). The
//! counts read the journal once and go through the report crate, so they are the figures
//! of the kvalitetsberättelse and the delårsrapport.

use anyhow::{bail, Result};
use chrono::{DateTime, NaiveDate, Utc};
use skyndsam_domain::quality::model::{ComplaintKind, ComplaintSource, ComplaintSubject, DetectionKind};
use skyndsam_domain::quality::stats::QualityCounts;
use skyndsam_domain::rules::RuleTable;
use skyndsam_report::period::{Month, MonthRange};
use skyndsam_report::{Filter, Ind, IndicatorTable, Period, Report};

#[derive(clap::Subcommand)]
pub enum QualityCommand {
    /// Deviations per unit and category, open and closed at the period's end, AVV-6V, lex
    /// Sarah per classification, complaints by source, subject and kind, control moments and
    /// measures, for a period (YYYY, YYYY-MM, YYYY-T1, YYYY-T2, YYYY-Q1…Q4, YYYY-R12).
    Stats(StatsArgs),
    /// Month by month: deviations (and those the system found), lex Sarah, complaints and
    /// control moments with remarks.
    Trend(TrendArgs),
    /// Runs the detection sweep now (the shell's clock): every open case through the rule
    /// table's detections; each new finding becomes a deviation for the unit's manager.
    /// Idempotent; `serve` sweeps by itself (--sweep-minutes), this is for cron or a store
    /// without a server.
    Sweep {
        #[arg(long)]
        json: bool,
    },
}

#[derive(clap::Args)]
pub struct StatsArgs {
    #[arg(long)]
    period: String,
    /// Unit (and the units below it).
    #[arg(long)]
    unit: Option<String>,
    #[arg(long)]
    json: bool,
    /// Reporting date (default today): nothing recorded after it counts.
    #[arg(long)]
    at: Option<NaiveDate>,
}

#[derive(clap::Args)]
pub struct TrendArgs {
    /// First month (YYYY-MM or a date in it).
    #[arg(long)]
    from: String,
    /// Last month (YYYY-MM or a date in it; default: the reporting date's month).
    #[arg(long)]
    to: Option<String>,
    #[arg(long)]
    unit: Option<String>,
    #[arg(long)]
    json: bool,
    /// The reporting date (default today): matters and self-inspection answers as of it.
    #[arg(long)]
    pub at: Option<NaiveDate>,
}

fn month(s: &str) -> Result<Month> {
    let t = s.trim();
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Ok(Month::of(d));
    }
    if let Ok(d) = NaiveDate::parse_from_str(&format!("{t}-01"), "%Y-%m-%d") {
        return Ok(Month::of(d));
    }
    bail!("ogiltig månad \"{s}\": ange ÅÅÅÅ-MM eller ÅÅÅÅ-MM-DD")
}

/// `skyndsam quality stats`: the period's counts (the journal read once by the caller).
pub fn stats(a: &StatsArgs, facts: &skyndsam_report::FactTable, rules: &RuleTable, today: NaiveDate) -> Result<()> {
    let table = IndicatorTable::defaults()?;
    let r = Report::new(facts, rules, &table, a.at.unwrap_or(today));
    let period = Period::parse(&a.period)?;
    let range = period.months(r.as_of);
    let unit = a.unit.as_deref().map(|u| r.unit(u)).transpose()?;
    let c = r.quality_counts(range, unit);
    let avv = r.value_in(Ind::Avv6v, range, &Filter { unit, ..Filter::all() });
    let (from, to) = r.quality_window(range);
    if a.json {
        let out = serde_json::json!({
            "period": period.label_sv(r.as_of),
            "from": from,
            "to": to,
            "as_of": r.as_of,
            "unit": a.unit,
            "counts": c,
            "avv_6v": {
                "numerator": avv.numerator,
                "denominator": avv.denominator,
                "value": avv.value,
                "state": avv.state,
            },
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        print_stats(&r, &c, &period.label_sv(r.as_of), from, to, a.unit.as_deref(), &avv);
    }
    Ok(())
}

/// `skyndsam quality trend`: month by month.
pub fn trend(a: &TrendArgs, facts: &skyndsam_report::FactTable, rules: &RuleTable, today: NaiveDate) -> Result<()> {
    let table = IndicatorTable::defaults()?;
    let r = Report::new(facts, rules, &table, a.at.unwrap_or(today));
    let first = month(&a.from)?;
    let last = match &a.to {
        Some(t) => month(t)?,
        None => Month::of(r.as_of),
    };
    if last < first {
        bail!("--to ligger före --from");
    }
    let unit = a.unit.as_deref().map(|u| r.unit(u)).transpose()?;
    let months = r.quality_trend(MonthRange { first, last }, unit);
    if a.json {
        println!("{}", serde_json::to_string_pretty(&months)?);
        return Ok(());
    }
    println!(
        "Kvalitetsarbetet månad för månad, {first} – {last} (per {}){}",
        r.as_of,
        a.unit.as_deref().map(|u| format!(", enhet {u}")).unwrap_or_default()
    );
    println!(
        "{:<8} {:>10} {:>12} {:>10} {:>10} {:>12} {:>11} {:>8}  största kategori",
        "månad", "avvikelser", "av systemet", "lex Sarah", "klagomål", "anmärkningar", "egenk. Ja", "egenk. Nej"
    );
    for m in &months {
        let top = m
            .by_category
            .iter()
            .max_by_key(|(k, v)| (**v, std::cmp::Reverse(k.as_str())))
            .map(|(k, v)| format!("{} ({v})", category(rules, k)))
            .unwrap_or_default();
        let (ja, nej) = match &m.self_inspection {
            Some(t) => (percent(t.share_yes), t.no.to_string()),
            None => ("–".to_owned(), "–".to_owned()),
        };
        println!(
            "{:<8} {:>10} {:>12} {:>10} {:>10} {:>12} {:>11} {:>10}  {top}",
            m.month, m.deviations, m.deviations_system_detected, m.lex_sarah, m.complaints, m.control_remarks, ja, nej
        );
    }
    // Per unit: the self-inspection and the file audits analysed, month by month.
    let mut units: Vec<&String> =
        months.iter().flat_map(|m| m.self_inspection_by_unit.keys().chain(m.file_audits.keys())).collect();
    units.sort();
    units.dedup();
    if !units.is_empty() {
        println!();
        println!(
            "Egenkontroll per enhet: andel Ja (Ja/(Ja+Nej)), antal Nej; aktgranskningar analyserade under månaden"
        );
        for u in units {
            println!("{u}");
            for m in &months {
                let si = m.self_inspection_by_unit.get(u);
                let fa = m.file_audits.get(u);
                if si.is_none() && fa.is_none() {
                    continue;
                }
                let cell = |t: Option<&skyndsam_domain::quality::stats::Tally>| {
                    t.map_or_else(|| "–".to_owned(), |t| format!("{} Ja, {} Nej", percent(t.share_yes), t.no))
                };
                println!("  {:<8} egenkontroll {:<20} aktgranskning {}", m.month, cell(si), cell(fa));
            }
        }
    }
    Ok(())
}

/// `skyndsam quality sweep`: `Store::sweep_detections(now)`.
pub fn sweep(store: &skyndsam_store::Store, now: DateTime<Utc>, json: bool) -> Result<()> {
    let opened = store.sweep_detections(now)?;
    if json {
        let ids: Vec<String> = opened.iter().map(|d| d.stream()).collect();
        println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "at": now, "opened": ids }))?);
    } else {
        println!(
            "Avvikelsesvepet {}: {} nya avvikelser öppnade.",
            skyndsam_domain::calendar::local_date(now),
            opened.len()
        );
    }
    Ok(())
}

fn category(rules: &RuleTable, code: &str) -> String {
    rules.quality.category_name(code).map_or_else(|| code.to_owned(), str::to_owned)
}

fn print_stats(
    r: &Report<'_>,
    c: &QualityCounts,
    label: &str,
    from: NaiveDate,
    to: NaiveDate,
    unit: Option<&str>,
    avv: &skyndsam_report::IndicatorValue,
) {
    let line = |k: &str, v: u32| println!("  {k:<58} {v:>6}");
    println!(
        "Kvalitetsarbetet — {label} ({from} – {to}) — {}",
        unit.map(|u| format!("enhet {u} med underliggande enheter")).unwrap_or_else(|| "hela organisationen".into())
    );
    println!("Avvikelser");
    line("rapporterade under perioden", c.deviations_reported);
    line("interna", c.deviations_internal);
    line("externa, från annan förvaltning eller aktör", c.deviations_external_incoming);
    line("externa, gäller annan förvaltning eller aktör", c.deviations_external_outgoing);
    line("upptäckta av systemet", c.deviations_system_detected.values().sum());
    for (k, v) in &c.deviations_system_detected {
        let name = DetectionKind::ALL.iter().find(|d| format!("{d:?}") == *k).map_or(k.as_str(), |d| d.label_sv());
        line(&format!("  {name}"), *v);
    }
    line(&format!("avslutade vid {to} (av periodens)"), c.deviations_closed_at_end);
    line(&format!("öppna vid {to} (alla rapporterade till dess)"), c.deviations_open_at_end);
    line("lyfta till lex Sarah", c.deviations_escalated);
    println!("  {:<58} {:>6}", "AVV-6V, avslutade inom 6 veckor", skyndsam_report::render::value_sv(avv));
    println!(
        "  {:<58} {:>6}",
        "  (täljare / nämnare)",
        format!("{} / {}", avv.numerator.unwrap_or(0), avv.denominator.unwrap_or(0))
    );
    println!("Avvikelser per kategori");
    // In the rule table's order, then any code it no longer lists.
    let order = |k: &str| r.rules.quality.deviation_categories.iter().position(|x| x.code == k).unwrap_or(usize::MAX);
    let mut cats: Vec<_> = c.deviations_by_category.iter().collect();
    cats.sort_by_key(|(k, _)| (order(k), k.as_str()));
    for (k, v) in cats {
        line(&category(r.rules, k), *v);
    }
    println!("Avvikelser per enhet och kategori");
    let mut units: Vec<_> = c.deviations_by_unit_category.iter().collect();
    units.sort_by_key(|(u, _)| r.facts.units.find(u).map_or(usize::MAX, usize::from));
    for (u, per) in units {
        let mut per: Vec<_> = per.iter().collect();
        per.sort_by_key(|(k, _)| (order(k), k.as_str()));
        let total: u32 = per.iter().map(|(_, v)| **v).sum();
        let parts: Vec<String> = per.iter().map(|(k, v)| format!("{} {v}", category(r.rules, k))).collect();
        println!("  {:<32} {:>4}  {}", r.unit_name(u), total, parts.join(", "));
    }
    println!("Lex Sarah");
    line("rapporterade under perioden", c.lex_sarah_reported);
    for k in skyndsam_domain::quality::model::LexSarahClassification::ALL {
        line(
            &format!("bedömda: {}", k.label_sv().to_lowercase()),
            c.lex_sarah_by_classification.get(&k).copied().unwrap_or(0),
        );
    }
    line("anmälda till IVO", c.lex_sarah_reported_to_ivo);
    println!("Synpunkter och klagomål");
    line("inkomna", c.complaints_received);
    for s in ComplaintSource::ALL {
        line(&format!("från: {}", s.label_sv()), c.complaints_by_source.get(&s).copied().unwrap_or(0));
    }
    for s in ComplaintSubject::ALL {
        line(&format!("gäller: {}", s.label_sv()), c.complaints_by_subject.get(&s).copied().unwrap_or(0));
    }
    for k in [ComplaintKind::Complaint, ComplaintKind::Suggestion, ComplaintKind::Praise] {
        line(&format!("slag: {}", k.label_sv()), c.complaints_by_kind.get(&k).copied().unwrap_or(0));
    }
    line(&format!("besvarade inom {} dagar", r.rules.quality.complaint_answer_days), c.complaints_answered_in_time);
    line(&format!("avslutade vid {to}"), c.complaints_closed_at_end);
    println!("Internkontroll och åtgärder");
    line("kontrollmoment genomförda", c.control_moments_done);
    line("  varav med anmärkning", c.control_moments_with_remarks);
    line("åtgärder beslutade (alla ärendeslag)", c.measures_decided);
    line("åtgärder genomförda (alla ärendeslag)", c.measures_completed);
}

/// A share 0–1 as "87 %", or "–" without answers.
fn percent(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_owned(), |v| format!("{:.0} %", v * 100.0))
}
