//! The quality-management sections of the kvalitetsberättelse and the delårsrapport as
//! document blocks: deviations per unit and category, lex Sarah per classification,
//! complaints by source, subject and kind, internal control, user surveys, self-inspection
//! (DOK-*) and the trend month by month. Every figure is from [`crate::quality`] (that is,
//! `skyndsam_domain::quality::stats`) or [`crate::dok`]; nothing is computed here. The
//! period's counts are computed once by the caller ([`Report::quality_counts`]) and passed
//! to each section.
//!
//! Free texts about what happened to a person are never in a report: only counts, codes,
//! dates and the organisation's own words (risk titles, control moments, survey names).

use skyndsam_domain::checks::Section;
use skyndsam_domain::personnummer::Sex;
use skyndsam_domain::quality::model::{
    ComplaintKind, ComplaintSource, ComplaintSubject, DetectionKind, LexSarahClassification,
};
use skyndsam_domain::quality::stats::{self, QualityCounts};

use crate::catalogue::Ind;
use crate::compute::Filter;
use crate::documents::{num1, Block, Chart, Series, Table};
use crate::period::{Month, MonthRange};
use crate::quality::MatterKind;
use crate::Report;

fn para(t: impl Into<String>) -> Block {
    Block::Paragraph { text: t.into() }
}

fn table(caption: impl Into<String>, header: &[&str], rows: Vec<Vec<String>>) -> Block {
    Block::Table(Table { caption: caption.into(), header: header.iter().map(|h| (*h).to_owned()).collect(), rows })
}

fn share(n: u32, d: u32) -> String {
    if d == 0 {
        "–".to_owned()
    } else {
        format!("{} %", num1(100.0 * f64::from(n) / f64::from(d)))
    }
}

fn opt_pct(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_owned(), |v| format!("{} %", num1(100.0 * v)))
}

fn category_name(report: &Report<'_>, code: &str) -> String {
    report.rules.quality.category_name(code).map_or_else(|| code.to_owned(), str::to_owned)
}

/// The detection kind behind `stats`' key (the kind's Debug name).
fn detection_label(key: &str) -> String {
    DetectionKind::ALL
        .iter()
        .find(|k| format!("{k:?}") == key)
        .map_or_else(|| key.to_owned(), |k| k.label_sv().to_owned())
}

/// "the year's end" or "the reporting date" — the instant "open" and "closed" refer to.
fn end_label(report: &Report<'_>, range: MonthRange) -> String {
    let (_, to) = report.quality_window(range);
    if to < range.end() {
        format!("rapportdatumet {to}")
    } else {
        format!("periodens slut ({to})")
    }
}

/// Deviations: the summary, per unit and category, by category (chart), system-detected
/// by kind, and AVV-6V.
pub fn deviations(report: &Report<'_>, c: &QualityCounts, range: MonthRange, f: &Filter, label: &str) -> Vec<Block> {
    if !report.quality.has(MatterKind::Deviation) {
        return vec![para("Inga avvikelser är registrerade i Skyndsam.")];
    }
    let end = end_label(report, range);
    let external = c.deviations_external_incoming + c.deviations_external_outgoing;
    let system: u32 = c.deviations_system_detected.values().sum();
    let mut out = vec![para(format!(
        "Under {label} rapporterades {} avvikelser: {} interna och {external} externa ({} från annan förvaltning eller \
         aktör och {} som gäller och utreds av annan förvaltning eller aktör). {system} upptäcktes av systemet. Av \
         periodens avvikelser var {} avslutade vid {end}; då var {} avvikelser (rapporterade under perioden eller \
         tidigare) inrapporterade eller under utredning. {} lyftes till lex Sarah.",
        c.deviations_reported,
        c.deviations_internal,
        c.deviations_external_incoming,
        c.deviations_external_outgoing,
        c.deviations_closed_at_end,
        c.deviations_open_at_end,
        c.deviations_escalated,
    ))];
    let row = |k: &str, v: u32| vec![k.to_owned(), v.to_string()];
    out.push(table(
        format!("Avvikelser, {label}"),
        &["", "Antal"],
        vec![
            row("Rapporterade under perioden", c.deviations_reported),
            row("Interna", c.deviations_internal),
            row("Externa — från annan förvaltning eller aktör", c.deviations_external_incoming),
            row("Externa — gäller annan förvaltning eller aktör", c.deviations_external_outgoing),
            row("Upptäckta av systemet", system),
            row(&format!("Avslutade vid {end} (av periodens)"), c.deviations_closed_at_end),
            row(&format!("Öppna vid {end} (alla rapporterade till dess)"), c.deviations_open_at_end),
            row("Lyfta till lex Sarah", c.deviations_escalated),
            row("Åtgärder beslutade under perioden (alla ärendeslag)", c.measures_decided),
            row("Åtgärder genomförda under perioden (alla ärendeslag)", c.measures_completed),
        ],
    ));
    let avv = report.value_in(Ind::Avv6v, range, &Filter { unit: f.unit, ..Filter::all() });
    out.push(Block::Table(crate::documents::indicator_table(
        &format!("Utredningstid för avvikelser, {label}"),
        &[avv],
    )));
    out.extend(by_unit_and_category(report, c, label));
    if system > 0 {
        let rows = c.deviations_system_detected.iter().map(|(k, v)| vec![detection_label(k), v.to_string()]).collect();
        out.push(table(format!("Avvikelser som systemet upptäckt, {label}"), &["Slag", "Antal"], rows));
    }
    out
}

fn by_unit_and_category(report: &Report<'_>, c: &QualityCounts, label: &str) -> Vec<Block> {
    if c.deviations_reported == 0 {
        return Vec::new();
    }
    // Categories in the rule table's order, then any code it no longer lists.
    let mut cats: Vec<String> = report
        .rules
        .quality
        .deviation_categories
        .iter()
        .map(|x| x.code.clone())
        .filter(|code| c.deviations_by_category.contains_key(code))
        .collect();
    cats.extend(c.deviations_by_category.keys().filter(|k| !cats.contains(k)).cloned().collect::<Vec<_>>());
    // Units in the organisation's tree order.
    let mut units: Vec<(&String, &std::collections::BTreeMap<String, u32>)> =
        c.deviations_by_unit_category.iter().collect();
    units.sort_by_key(|(u, _)| report.facts.units.find(u).map_or(usize::MAX, usize::from));
    let mut header: Vec<String> = vec!["Enhet".into()];
    header.extend(cats.iter().map(|k| category_name(report, k)));
    header.push("Totalt".into());
    let mut rows: Vec<Vec<String>> = units
        .iter()
        .map(|(u, per)| {
            let mut r = vec![report.unit_name(u)];
            r.extend(cats.iter().map(|k| per.get(k).copied().unwrap_or(0).to_string()));
            r.push(per.values().sum::<u32>().to_string());
            r
        })
        .collect();
    let mut total = vec!["Totalt".to_owned()];
    total.extend(cats.iter().map(|k| c.deviations_by_category.get(k).copied().unwrap_or(0).to_string()));
    total.push(c.deviations_reported.to_string());
    rows.push(total);
    let chart = Chart {
        title: format!("Avvikelser per kategori, {label}"),
        unit: "st".into(),
        labels: cats.iter().map(|k| category_name(report, k)).collect(),
        series: vec![Series {
            name: "avvikelser".into(),
            values: cats.iter().map(|k| c.deviations_by_category.get(k).map(|v| f64::from(*v))).collect(),
        }],
        reference: None,
    };
    vec![
        Block::Table(Table { caption: format!("Avvikelser per enhet och kategori, {label}"), header, rows }),
        Block::Chart(chart),
    ]
}

/// Lex Sarah: reported, classified per classification, reported to IVO.
pub fn lex_sarah(report: &Report<'_>, c: &QualityCounts, label: &str) -> Vec<Block> {
    if !report.quality.has(MatterKind::LexSarah) {
        return vec![para("Inga lex Sarah-rapporter är registrerade i Skyndsam.")];
    }
    let classified: u32 = c.lex_sarah_by_classification.values().sum();
    let mut rows = vec![vec!["Rapporterade under perioden".to_owned(), c.lex_sarah_reported.to_string()]];
    for k in LexSarahClassification::ALL {
        rows.push(vec![
            format!("Bedömda: {}", k.label_sv().to_lowercase()),
            c.lex_sarah_by_classification.get(&k).copied().unwrap_or(0).to_string(),
        ]);
    }
    rows.push(vec!["Anmälda till IVO under perioden".to_owned(), c.lex_sarah_reported_to_ivo.to_string()]);
    vec![
        para(format!(
            "Under {label} rapporterades {} missförhållanden eller risker för missförhållanden enligt lex Sarah; {classified} \
             utredningar bedömdes och {} anmäldes till IVO.",
            c.lex_sarah_reported, c.lex_sarah_reported_to_ivo
        )),
        table(format!("Lex Sarah — beslutade bedömningar, {label}"), &["", "Antal"], rows),
    ]
}

/// Comments and complaints by source, subject and kind.
pub fn complaints(report: &Report<'_>, c: &QualityCounts, range: MonthRange, label: &str) -> Vec<Block> {
    if !report.quality.has(MatterKind::Complaint) {
        return vec![para("Inga synpunkter eller klagomål är registrerade i Skyndsam.")];
    }
    let days = report.rules.quality.complaint_answer_days;
    let mut out = vec![para(format!(
        "Under {label} kom {} synpunkter och klagomål in; {} besvarades inom {days} dagar och {} var avslutade vid {}.",
        c.complaints_received,
        c.complaints_answered_in_time,
        c.complaints_closed_at_end,
        end_label(report, range)
    ))];
    let rows = |items: Vec<(String, u32)>| -> Vec<Vec<String>> {
        let mut r: Vec<Vec<String>> = items.iter().map(|(k, v)| vec![k.clone(), v.to_string()]).collect();
        r.push(vec!["Totalt".into(), c.complaints_received.to_string()]);
        r
    };
    let source: Vec<(String, u32)> = ComplaintSource::ALL
        .iter()
        .map(|s| (s.label_sv().to_owned(), c.complaints_by_source.get(s).copied().unwrap_or(0)))
        .collect();
    let subject: Vec<(String, u32)> = ComplaintSubject::ALL
        .iter()
        .map(|s| (s.label_sv().to_owned(), c.complaints_by_subject.get(s).copied().unwrap_or(0)))
        .collect();
    let kind: Vec<(String, u32)> = [ComplaintKind::Complaint, ComplaintKind::Suggestion, ComplaintKind::Praise]
        .iter()
        .map(|s| (s.label_sv().to_owned(), c.complaints_by_kind.get(s).copied().unwrap_or(0)))
        .collect();
    out.push(Block::Chart(Chart {
        title: format!("Synpunkter och klagomål per avsändare, {label}"),
        unit: "st".into(),
        labels: source.iter().map(|(k, _)| k.clone()).collect(),
        series: vec![Series {
            name: "inkomna".into(),
            values: source.iter().map(|(_, v)| Some(f64::from(*v))).collect(),
        }],
        reference: None,
    }));
    out.push(table(format!("Synpunkter och klagomål per avsändare, {label}"), &["Avsändare", "Antal"], rows(source)));
    out.push(table(format!("Synpunkter och klagomål per ämne, {label}"), &["Gäller", "Antal"], rows(subject)));
    out.push(table(format!("Synpunkter och klagomål per slag, {label}"), &["Slag", "Antal"], rows(kind)));
    out
}

/// Internal control: the risk register, the year's plan with its control moments, and
/// the results.
/// `c`: the year's counts.
pub fn internal_control(report: &Report<'_>, c: &QualityCounts, year: i32, f: &Filter) -> Vec<Block> {
    let range = MonthRange { first: Month::new(year, 1), last: Month::new(year, 12) };
    if !report.quality.has(MatterKind::Risk) && !report.quality.has(MatterKind::ControlPlan) {
        return vec![para("Ingen riskanalys eller internkontrollplan är registrerad i Skyndsam.")];
    }
    let mut out = Vec::new();
    let risks = report.risks(range, f.unit);
    if risks.is_empty() {
        out.push(para("Riskregistret är tomt vid periodens slut."));
    } else {
        let rows = risks
            .iter()
            .map(|r| {
                vec![
                    r.title.clone(),
                    r.process.clone(),
                    r.severity.to_string(),
                    r.probability.to_string(),
                    r.value.to_string(),
                    r.level.to_owned(),
                ]
            })
            .collect();
        out.push(table(
            format!(
                "Riskregistret vid {} (riskvärde = konsekvens × sannolikhet, 1–4 vardera)",
                end_label(report, range)
            ),
            &["Risk", "Process", "Konsekvens", "Sannolikhet", "Riskvärde", "Risknivå"],
            rows,
        ));
    }
    let plans = report.control_plans(year);
    if plans.is_empty() {
        out.push(para(format!("Ingen internkontrollplan för {year} är registrerad.")));
    }
    for p in plans {
        let done = p.moments.iter().filter(|m| m.result_on.is_some_and(|d| d <= report.as_of)).count();
        let remarks = p
            .moments
            .iter()
            .filter(|m| m.result_on.is_some_and(|d| d <= report.as_of) && m.remarks == Some(true))
            .count();
        let yesno = |b: Option<bool>| match b {
            Some(true) => "Ja",
            Some(false) => "Nej",
            None => "–",
        };
        out.push(para(format!(
            "Internkontrollplanen för {year} antogs {} ({}). {done} av {} kontrollmoment är genomförda, {remarks} med \
             anmärkning. {} åtgärder har beslutats med anledning av kontrollerna, varav {} är genomförda.{}",
            p.adopted_on,
            p.board_reference,
            p.moments.len(),
            p.measures.iter().filter(|m| m.decided_on <= report.as_of).count(),
            p.measures.iter().filter(|m| m.completed_on.is_some_and(|d| d <= report.as_of)).count(),
            match p.reported_on {
                Some(d) if d <= report.as_of => format!(" Uppföljningen rapporterades till nämnden {d}."),
                _ => String::new(),
            }
        )));
        let rows = p
            .moments
            .iter()
            .map(|m| {
                let seen = m.result_on.filter(|d| *d <= report.as_of);
                vec![
                    m.moment.moment.to_string(),
                    report.risk_title(m).unwrap_or("–").to_owned(),
                    m.moment.control.clone(),
                    m.moment.method.clone(),
                    m.moment.due.to_string(),
                    seen.map_or_else(|| "ej genomfört".to_owned(), |d| d.to_string()),
                    yesno(seen.and(m.remarks)).to_owned(),
                ]
            })
            .collect();
        out.push(table(
            format!("Internkontrollplan {year}: kontrollmoment"),
            &["Nr", "Risk", "Kontroll", "Metod", "Senast", "Genomfört", "Anmärkning"],
            rows,
        ));
    }
    out.push(table(
        format!("Internkontroll {year} i siffror"),
        &["", "Antal"],
        vec![
            vec!["Kontrollmoment genomförda under året".into(), c.control_moments_done.to_string()],
            vec!["varav med anmärkning".into(), c.control_moments_with_remarks.to_string()],
        ],
    ));
    out
}

/// User surveys: response rate and NKI per unit and by sex, with a chart of NKI per unit.
pub fn surveys(report: &Report<'_>, range: MonthRange, f: &Filter, label: &str) -> Vec<Block> {
    let results = report.surveys(range, f.unit);
    if results.is_empty() {
        return vec![para(format!("Ingen brukarundersökning är registrerad i Skyndsam för {label}."))];
    }
    let mut out = Vec::new();
    for s in results {
        let sex = |x: Option<Sex>| match x {
            Some(Sex::Female) => "flickor/kvinnor",
            Some(Sex::Male) => "pojkar/män",
            None => "totalt",
        };
        let rows: Vec<Vec<String>> = s
            .rows
            .iter()
            .map(|r| {
                vec![
                    r.unit.as_ref().map_or_else(|| "Alla enheter".to_owned(), |u| report.unit_name(u.as_str())),
                    sex(r.sex).to_owned(),
                    r.invited.to_string(),
                    r.responses.to_string(),
                    opt_pct(r.response_rate),
                    r.nki.map_or_else(|| "–".to_owned(), num1),
                    r.nki_respondents.to_string(),
                ]
            })
            .collect();
        out.push(table(
            format!("{} ({}–{}): svarsfrekvens och NKI (0–100)", s.name, s.from, s.to),
            &["Enhet", "Kön", "Tillfrågade", "Svar", "Svarsfrekvens", "NKI", "Svar i NKI"],
            rows,
        ));
        let totals: Vec<_> = s.rows.iter().filter(|r| r.unit.is_some() && r.sex.is_none()).collect();
        if !totals.is_empty() {
            let unit_label = |r: &&skyndsam_domain::quality::stats::SurveyRow| {
                r.unit.as_ref().map_or_else(String::new, |u| report.unit_name(u.as_str()))
            };
            out.push(Block::Chart(Chart {
                title: format!("{}: NKI per enhet", s.name),
                unit: String::new(),
                labels: totals.iter().map(unit_label).collect(),
                series: vec![Series { name: "NKI".into(), values: totals.iter().map(|r| r.nki).collect() }],
                reference: None,
            }));
        }
    }
    out
}

/// Self-inspection: the share of Ja per question (DOK-*).
pub fn self_inspection(report: &Report<'_>, range: MonthRange, f: &Filter, label: &str) -> Vec<Block> {
    let Some(rows) = report.dok(range, f) else {
        return vec![Block::Missing {
            text: "Egenkontrollens svar (DOK-*) togs inte fram för den här rapporten.".into(),
        }];
    };
    let body = rows
        .iter()
        .map(|r| {
            vec![
                r.id.clone(),
                r.text.clone(),
                r.yes.to_string(),
                r.no.to_string(),
                r.not_applicable.to_string(),
                r.share_yes.map_or_else(|| "–".to_owned(), |v| format!("{} %", num1(v))),
            ]
        })
        .collect();
    let total = report.value_in(Ind::Dok, range, f);
    vec![
        para(format!(
            "Egenkontrollen besvaras ur journalen för varje ärende som kom in under {label}, per {}: {} av frågorna \
             (bedömningsfrågorna förifylls bara och räknas inte). Andelen Ja över alla frågor: {}.",
            report.facts.self_inspection.as_ref().map_or_else(String::new, |s| s.as_of.to_string()),
            rows.len(),
            crate::render::value_sv(&total)
        )),
        table(
            format!("Egenkontroll (DOK-*), ärenden mottagna {label}"),
            &["Id", "Fråga", "Ja", "Nej", "Ej tillämpligt", "Andel Ja"],
            body,
        ),
    ]
}

/// The trend month by month (deviations, lex Sarah, complaints, control remarks), as a
/// table and a chart: "sammanställning och analys av trender".
pub fn trend(report: &Report<'_>, range: MonthRange, f: &Filter, label: &str) -> Vec<Block> {
    if report.quality.is_empty() {
        return vec![para(
            "Inga avvikelser, lex Sarah-rapporter, klagomål eller kontroller är registrerade i Skyndsam.",
        )];
    }
    let months = report.quality_trend(range, f.unit);
    let rows = months
        .iter()
        .map(|m| {
            vec![
                m.month.clone(),
                m.deviations.to_string(),
                m.deviations_system_detected.to_string(),
                m.lex_sarah.to_string(),
                m.complaints.to_string(),
                m.control_remarks.to_string(),
            ]
        })
        .collect();
    let series = |name: &str, get: fn(&skyndsam_domain::quality::stats::TrendMonth) -> u32| Series {
        name: name.to_owned(),
        values: months.iter().map(|m| Some(f64::from(get(m)))).collect(),
    };
    vec![
        table(
            format!("Kvalitetsarbetet månad för månad, {label}"),
            &[
                "Månad",
                "Avvikelser",
                "varav upptäckta av systemet",
                "Lex Sarah",
                "Synpunkter och klagomål",
                "Kontroller med anmärkning",
            ],
            rows,
        ),
        Block::Chart(Chart {
            title: format!("Avvikelser, lex Sarah och klagomål per månad, {label}"),
            unit: "st".into(),
            labels: months.iter().map(|m| m.month.clone()).collect(),
            series: vec![
                series("avvikelser", |m| m.deviations),
                series("lex Sarah", |m| m.lex_sarah),
                series("synpunkter och klagomål", |m| m.complaints),
            ],
            reference: None,
        }),
    ]
}

/// The delårsrapport's quality section: the tertial's counts in one table.
pub fn interim_summary(report: &Report<'_>, c: &QualityCounts, range: MonthRange, label: &str) -> Vec<Block> {
    if report.quality.is_empty() {
        return vec![para("Inga avvikelser, lex Sarah-rapporter eller klagomål är registrerade i Skyndsam.")];
    }
    let row = |k: &str, v: String| vec![k.to_owned(), v];
    let mut out = vec![table(
        format!("Kvalitetsarbetet, {label}"),
        &["", "Antal"],
        vec![
            row("Avvikelser rapporterade", c.deviations_reported.to_string()),
            row("varav externa", (c.deviations_external_incoming + c.deviations_external_outgoing).to_string()),
            row("varav upptäckta av systemet", c.deviations_system_detected.values().sum::<u32>().to_string()),
            row(&format!("Avvikelser öppna vid {}", end_label(report, range)), c.deviations_open_at_end.to_string()),
            row(
                "Avvikelser utredda inom 6 veckor (AVV-6V)",
                format!(
                    "{} av {} ({})",
                    c.deviations_within_6_weeks,
                    c.deviations_6_weeks_due,
                    share(c.deviations_within_6_weeks, c.deviations_6_weeks_due)
                ),
            ),
            row("Lex Sarah rapporterade", c.lex_sarah_reported.to_string()),
            row("Lex Sarah anmälda till IVO", c.lex_sarah_reported_to_ivo.to_string()),
            row("Synpunkter och klagomål", c.complaints_received.to_string()),
            row(
                "Kontrollmoment genomförda (med anmärkning)",
                format!("{} ({})", c.control_moments_done, c.control_moments_with_remarks),
            ),
        ],
    )];
    out.extend(by_unit_and_category(report, c, label));
    out
}

/// The year's file audits (aktgranskning, SCENARIOS 8): per unit the sample and how far the
/// audit has come, and per question the standing answers over the audited files
/// (`stats::file_audit_results`, summed over the units).
pub fn file_audits(report: &Report<'_>, year: i32, f: &Filter) -> Vec<Block> {
    let audits = report.file_audits(year, f.unit);
    if audits.is_empty() {
        return vec![para(format!("Ingen aktgranskning för {year} är registrerad i Skyndsam."))];
    }
    let mut per_question: std::collections::BTreeMap<(Section, String), [u32; 4]> = std::collections::BTreeMap::new();
    let mut unit_rows = Vec::new();
    for (u, a) in &audits {
        let results = stats::file_audit_results(a);
        let (yes, no, changed) =
            results.iter().fold((0, 0, 0), |acc, r| (acc.0 + r.yes, acc.1 + r.no, acc.2 + r.overridden));
        for r in &results {
            let e = per_question.entry((r.section, r.question.clone())).or_default();
            e[0] += r.yes;
            e[1] += r.no;
            e[2] += r.not_applicable;
            e[3] += r.overridden;
        }
        let audited = a.audited().count();
        let seen = a.audited().filter(|x| a.answers.keys().any(|(c, _, _)| *c == x.case)).count();
        let name =
            u.and_then(|i| report.facts.units.get(i)).map_or_else(|| a.handling.unit.to_string(), |x| x.name.clone());
        unit_rows.push(vec![
            name,
            a.population.to_string(),
            a.files.len().to_string(),
            a.drop_outs.len().to_string(),
            format!("{seen} av {audited}"),
            share(yes, yes + no),
            changed.to_string(),
            a.analysed_on.map_or_else(|| "ej klar".to_owned(), |d| d.to_string()),
            format!(
                "{} ({} genomförda)",
                a.handling.measures.len(),
                a.handling.measures.iter().filter(|m| m.completed_on.is_some()).count()
            ),
        ]);
    }
    // Each audit asks its own questions (its unit type's template): the text is the first
    // audit's that asks the question.
    let text = |section: Section, id: &str| {
        audits.iter().find_map(|(_, a)| a.questions.get(section, id)).map_or_else(String::new, |x| x.text.clone())
    };
    let rows = per_question
        .iter()
        .map(|((section, id), [yes, no, na, changed])| {
            vec![
                match section {
                    Section::PreliminaryAssessment => "Förhandsbedömning".to_owned(),
                    Section::Investigation => "Utredning".to_owned(),
                },
                id.clone(),
                text(*section, id),
                yes.to_string(),
                no.to_string(),
                na.to_string(),
                share(*yes, yes + no),
                changed.to_string(),
            ]
        })
        .collect();
    vec![
        table(
            format!("Aktgranskning {year} per enhet"),
            &[
                "Enhet",
                "Akter att välja bland",
                "Dragna",
                "Bortfall",
                "Granskade",
                "Andel Ja",
                "Ändrade automatiska svar",
                "Analys",
                "Förbättringsåtgärder",
            ],
            unit_rows,
        ),
        table(
            format!("Aktgranskning {year} per fråga (granskade akter)"),
            &["Del", "Id", "Fråga", "Ja", "Nej", "Ej tillämpligt", "Andel Ja", "Ändrade automatiska svar"],
            rows,
        ),
    ]
}
