//! The reports the board and the auditors read — delårsrapport and verksamhetsberättelse
//! statistics, IVO's quarterly list of ej verkställda beslut, and the annual
//! kvalitetsberättelse — as one document model ([`Doc`]) rendered to HTML with SVG charts
//! ([`crate::html`]), .docx ([`crate::docx`]) and PDF ([`crate::pdf`]). A section whose data
//! the journal does not hold yet says so plainly ([`Block::Missing`]); nothing is invented.
//!
//! The documents hold figures and pseudonymous case facts (dates, sex, age band, unit):
//! no names, no personnummer, no free text.

use chrono::NaiveDate;
use serde::Serialize;

use crate::catalogue::{Ind, Measure};
use crate::compute::{Filter, SexFilter};
use crate::facts::{SEX_BOY, SEX_GIRL};
use crate::period::{Month, Period};
use crate::quality_sections as qs;
use crate::render::value_sv;
use crate::scorecard::{scorecard, Trend};
use crate::{IndicatorValue, Report, ValueState};
use skyndsam_domain::calendar::add_months_clamped;
use skyndsam_domain::clock::last_day;

/// A document: a title page line, then blocks in reading order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Doc {
    pub title: String,
    pub subtitle: String,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Block {
    Heading {
        text: String,
    },
    Paragraph {
        text: String,
    },
    Table(Table),
    /// A bar chart; every renderer also gives its data as a table.
    Chart(Chart),
    /// Data the journal does not hold yet, said plainly.
    Missing {
        text: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    pub caption: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Bars per label, one series per colour; values in `unit`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Chart {
    pub title: String,
    pub unit: String,
    pub labels: Vec<String>,
    pub series: Vec<Series>,
    /// A horizontal line (a target or the legal floor) with its label.
    pub reference: Option<(f64, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Series {
    pub name: String,
    pub values: Vec<Option<f64>>,
}

impl Chart {
    /// The chart's data as a table (behind every chart, for print and screen readers).
    pub fn data_table(&self) -> Table {
        let mut header = vec![String::new()];
        header.extend(self.series.iter().map(|s| s.name.clone()));
        let rows = self
            .labels
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let mut r = vec![l.clone()];
                r.extend(self.series.iter().map(|s| match s.values.get(i).copied().flatten() {
                    // Counts ("st") are whole numbers.
                    Some(v) if self.unit == "st" => format!("{v:.0} st"),
                    Some(v) => format!("{} {}", num1(v), self.unit).trim().to_owned(),
                    None => "–".to_owned(),
                }));
                r
            })
            .collect();
        Table { caption: format!("Data i diagrammet: {}", self.title), header, rows }
    }
}

/// One decimal, Swedish comma.
pub fn num1(x: f64) -> String {
    format!("{x:.1}").replace('.', ",")
}

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_owned(), |v| format!("{} %", num1(v)))
}

fn count(x: Option<u64>) -> String {
    x.map_or_else(|| "–".to_owned(), |v| v.to_string())
}

fn heading(t: &str) -> Block {
    Block::Heading { text: t.to_owned() }
}

fn para(t: impl Into<String>) -> Block {
    Block::Paragraph { text: t.into() }
}

fn missing(t: impl Into<String>) -> Block {
    Block::Missing { text: t.into() }
}

/// The indicator table of one period and filter: value, numerator, denominator, targets.
pub fn indicator_table(caption: &str, values: &[IndicatorValue]) -> Table {
    let header = ["Indikator", "Värde", "Täljare", "Nämnare", "Etappmål", "Lagkrav"].map(str::to_owned).to_vec();
    let rows = values
        .iter()
        .map(|v| {
            let target = |t: Option<f64>| match (t, v.measure) {
                (Some(t), Measure::Share) => format!("{} %", num1(t)),
                (Some(t), _) => num1(t),
                (None, _) => "–".to_owned(),
            };
            let (n, d) = if matches!(v.state, ValueState::NoDataSource | ValueState::NotBrokenDown) {
                ("–".to_owned(), "–".to_owned())
            } else {
                (count(v.numerator), count(v.denominator))
            };
            vec![format!("{} {}", v.id, v.name), value_sv(v), n, d, target(v.step_target), target(v.legal_floor)]
        })
        .collect();
    Table { caption: caption.to_owned(), header, rows }
}

fn unit_label(report: &Report<'_>, f: &Filter) -> String {
    f.unit.and_then(|u| report.facts.units.get(u)).map_or_else(|| "hela förvaltningen".to_owned(), |u| u.name.clone())
}

fn with_sex(f: &Filter, sex: SexFilter) -> Filter {
    Filter { sex, ..*f }
}

/// The legally timed indicators by sex, with a chart.
fn by_sex(report: &Report<'_>, period: &Period, f: &Filter) -> Vec<Block> {
    let inds = [Ind::Fb14, Ind::U4m, Ind::U90, Ind::Skydd24h];
    let sexes = [SexFilter::Total, SexFilter::Girls, SexFilter::Boys];
    let values: Vec<Vec<IndicatorValue>> =
        sexes.iter().map(|s| inds.iter().map(|i| report.value(*i, period, &with_sex(f, *s))).collect()).collect();
    let chart = Chart {
        title: format!("Inom lagstadgad tid, {} — flickor, pojkar och totalt", period.label_sv(report.as_of)),
        unit: "%".into(),
        labels: inds.iter().map(|i| i.id().to_owned()).collect(),
        series: sexes
            .iter()
            .zip(&values)
            .map(|(s, vs)| Series { name: s.label_sv().to_owned(), values: vs.iter().map(|v| v.value).collect() })
            .collect(),
        reference: Some((100.0, "lagkrav 100 %".into())),
    };
    vec![Block::Chart(chart)]
}

/// Each unit directly below the filter's unit side by side for a few indicators
/// (likställighet).
fn by_unit(report: &Report<'_>, period: &Period, f: &Filter) -> Option<Table> {
    let units = &report.facts.units;
    let inds = [Ind::Fb14, Ind::U4m, Ind::Utime, Ind::NAnm];
    let mut rows = Vec::new();
    for ix in units.children(f.unit) {
        let Some(u) = units.get(ix) else { continue };
        let uf = Filter { unit: Some(ix), ..*f };
        let mut row = vec![u.name.clone()];
        row.extend(inds.iter().map(|ind| value_sv(&report.value(*ind, period, &uf))));
        rows.push(row);
    }
    if rows.is_empty() {
        return None;
    }
    let mut header = vec!["Enhet".to_owned()];
    header.extend(inds.iter().map(|i| i.id().to_owned()));
    Some(Table { caption: format!("Enheterna jämförda, {}", period.label_sv(report.as_of)), header, rows })
}

/// Delårsrapport 1 (January–April) or 2 (January–August): the statistics section.
pub fn interim_report(report: &Report<'_>, year: i32, tertial: u8, f: &Filter) -> Doc {
    let period = if tertial == 1 { Period::Tertial1 { year } } else { Period::Tertial2 { year } };
    let label = period.label_sv(report.as_of);
    let mut blocks = vec![
        para(format!(
            "Statistik för {} ur Skyndsams journal, {}. Varje värde är definierat i styrkortet (DOMAIN §6): \
             täljare och nämnare står bredvid, och ärendena bakom ett värde kan tas fram av den som har behörighet.",
            unit_label(report, f),
            label
        )),
        heading("Indikatorer"),
        Block::Table(indicator_table(&format!("Indikatorer, {label}, totalt"), &report.all(&period, f))),
        heading("Flickor och pojkar"),
    ];
    blocks.extend(by_sex(report, &period, f));
    if let Some(t) = by_unit(report, &period, f) {
        blocks.push(heading("Enheterna"));
        blocks.push(Block::Table(t));
    }
    // The routine compiles deviations three times a year: the tertial's figures.
    let range = period.months(report.as_of);
    blocks.push(heading("Kvalitetsarbetet"));
    let counts = report.quality_counts(range, f.unit);
    blocks.extend(qs::interim_summary(report, &counts, range, &label));
    Doc {
        title: format!("Delårsrapport {tertial} {year} — statistik"),
        subtitle: format!("Barn och unga, {}", unit_label(report, f)),
        blocks,
    }
}

/// The verksamhetsberättelse's statistics: the year's indicators and the scorecard's
/// trend over the years before it.
pub fn annual_report(report: &Report<'_>, year: i32, f: &Filter) -> Doc {
    let period = Period::Year { year };
    let mut blocks = vec![
        para(format!("Statistik för {} år {year} ur Skyndsams journal.", unit_label(report, f))),
        heading("Indikatorer"),
        Block::Table(indicator_table(&format!("Indikatorer {year}, totalt"), &report.all(&period, f))),
        heading("Flickor och pojkar"),
    ];
    blocks.extend(by_sex(report, &period, f));
    blocks.push(heading("Styrkortet över tid"));
    blocks.extend(trend_blocks(report, year, f));
    if let Some(t) = by_unit(report, &period, f) {
        blocks.push(heading("Enheterna"));
        blocks.push(Block::Table(t));
    }
    Doc {
        title: format!("Verksamhetsberättelse {year} — statistik"),
        subtitle: format!("Barn och unga, {}", unit_label(report, f)),
        blocks,
    }
}

/// The scorecard for the legally timed indicators over up to five years, as a table and a chart.
fn trend_blocks(report: &Report<'_>, year: i32, f: &Filter) -> Vec<Block> {
    let first_fact = report.facts.cases.iter().map(|c| c.received_on).min();
    let first_year = first_fact.map_or(year, |d| chrono::Datelike::year(&d)).max(year - 4);
    let card = scorecard(report, first_year..=year, f);
    let wanted = ["FB14", "U4M", "U4M-LEGAL", "UTIME"];
    let rows: Vec<_> = card.rows.iter().filter(|r| wanted.contains(&r.id)).collect();
    let mut header = vec!["Indikator".to_owned()];
    header.extend((first_year..=year).map(|y| y.to_string()));
    header.extend(["Målvärde".to_owned(), "Lagkrav".to_owned()]);
    let table_rows = rows
        .iter()
        .map(|r| {
            let mut row = vec![format!("{} {}", r.id, r.name)];
            row.extend(r.years.iter().map(|y| {
                let v = match (y.value, r.measure) {
                    (Some(v), Measure::Share) => format!("{} %", num1(v)),
                    (Some(v), _) => num1(v),
                    (None, _) => "–".to_owned(),
                };
                let arrow = match y.trend {
                    Some(Trend::Improving) => " ↑",
                    Some(Trend::Worsening) => " ↓",
                    _ => "",
                };
                format!("{v}{arrow}")
            }));
            row.push(pct(r.long_term_target));
            row.push(pct(r.legal_floor));
            row
        })
        .collect();
    let chart = Chart {
        title: format!("Inom lagstadgad tid {first_year}–{year}"),
        unit: "%".into(),
        labels: (first_year..=year).map(|y| y.to_string()).collect(),
        series: rows
            .iter()
            .filter(|r| r.measure == Measure::Share)
            .map(|r| Series { name: r.id.to_owned(), values: r.years.iter().map(|y| y.value).collect() })
            .collect(),
        reference: Some((100.0, "lagkrav 100 %".into())),
    };
    vec![
        Block::Table(Table {
            caption: "Styrkortet: värde per år (↑ förbättring, ↓ försämring), målvärde och lagkrav".into(),
            header,
            rows: table_rows,
        }),
        Block::Chart(chart),
    ]
}

/// One row of IVO's list of ej verkställda beslut.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnenforcedRow {
    pub decided_on: NaiveDate,
    pub intervention: String,
    pub status: &'static str,
    pub days: i64,
    pub reason: String,
    pub sex: &'static str,
    pub age_band: &'static str,
    pub unit: String,
}

/// The quarter's ej verkställda beslut, by IVO's definitions (as quoted in the Eskilstuna
/// seed): decided more than the rule table's enforcement months ago and not started by the
/// quarter's end; started after that limit during the quarter; or ended during the quarter
/// without being started.
pub fn unenforced(report: &Report<'_>, year: i32, quarter: u32, f: &Filter) -> Vec<UnenforcedRow> {
    let first = Month::new(year, (quarter.clamp(1, 4) - 1) * 3 + 1);
    let last = Month::new(year, quarter.clamp(1, 4) * 3);
    let (q_start, q_end) = (first.first_day(), last.last_day().min(report.as_of));
    let months = report.rules.deadlines.enforcement.months;
    let units = &report.facts.units;
    let in_scope = |u: u16| f.unit.is_none_or(|root| units.subtree(root).contains(&usize::from(u)));
    let mut out = Vec::new();
    for c in &report.facts.cases {
        let sex_ok = match f.sex {
            SexFilter::Total => true,
            SexFilter::Girls => c.sex == SEX_GIRL,
            SexFilter::Boys => c.sex == SEX_BOY,
        };
        if !sex_ok {
            continue;
        }
        for iv in &c.interventions {
            if iv.decided_on > q_end || !in_scope(iv.unit) {
                continue;
            }
            // The same limit as the EVB indicators: the last day of the enforcement months.
            let limit = last_day(add_months_clamped(iv.decided_on, months), report.rules);
            let status = match (iv.started_on, iv.ended_on) {
                (None, None) if limit < q_end => Some(("ej verkställt", (q_end - iv.decided_on).num_days())),
                (None, Some(end)) if end >= q_start && end <= q_end => {
                    Some(("avslutat utan verkställighet", (end - iv.decided_on).num_days()))
                }
                (Some(start), _) if start >= q_start && start <= q_end && start > limit => {
                    Some(("verkställt efter tre månader", (start - iv.decided_on).num_days()))
                }
                _ => None,
            };
            let Some((status, days)) = status else { continue };
            out.push(UnenforcedRow {
                decided_on: iv.decided_on,
                intervention: intervention_sv(iv.kind).to_owned(),
                status,
                days,
                reason: iv.delay_reason.map_or("ej angiven", delay_reason_sv).to_owned(),
                sex: match c.sex {
                    SEX_GIRL => "flicka",
                    SEX_BOY => "pojke",
                    _ => "okänt",
                },
                age_band: match c.age_band {
                    0 => "0–12",
                    1 => "13–17",
                    2 => "18–20",
                    _ => "okänd",
                },
                unit: units.get(iv.unit).map_or_else(String::new, |u| u.name.clone()),
            });
        }
    }
    out.sort_by(|a, b| (a.status, a.decided_on).cmp(&(b.status, b.decided_on)));
    out
}

fn intervention_sv(k: skyndsam_domain::events::InterventionKind) -> &'static str {
    use skyndsam_domain::events::InterventionKind as K;
    match k {
        K::ContactFamily => "kontaktfamilj",
        K::ContactPerson => "kontaktperson",
        K::FamilyTreatment => "familjebehandling",
        K::OpenCare => "öppenvårdsinsats",
        K::FosterHome => "familjehem",
        K::EmergencyHome => "jourhem",
        K::Institution => "HVB",
        K::SupportedHousing => "stödboende",
        #[allow(unreachable_patterns)]
        _ => "annan insats",
    }
}

fn delay_reason_sv(r: skyndsam_domain::events::EnforcementDelayReason) -> &'static str {
    use skyndsam_domain::events::EnforcementDelayReason as R;
    match r {
        R::NoPlacementAvailable => "plats saknas",
        R::NoStaff => "personal saknas",
        R::Declined => "den enskilde har tackat nej",
        R::Other => "annan orsak",
    }
}

/// IVO's quarterly report of ej verkställda beslut (gynnande beslut enligt SoL).
pub fn ivo_report(report: &Report<'_>, year: i32, quarter: u32, f: &Filter) -> Doc {
    let rows = unenforced(report, year, quarter, f);
    let n = |s: &str| rows.iter().filter(|r| r.status == s).count();
    let summary = Table {
        caption: format!("Sammanställning kvartal {quarter} {year}"),
        header: vec![
            "Ej verkställda beslut inom 90 dagar".into(),
            "Verkställda beslut efter 90 dagar".into(),
            "Avslutade beslut".into(),
        ],
        rows: vec![vec![
            n("ej verkställt").to_string(),
            n("verkställt efter tre månader").to_string(),
            n("avslutat utan verkställighet").to_string(),
        ]],
    };
    let list = Table {
        caption: "Beslut att rapportera (inga namn eller personnummer: IVO begär dem i sin e-tjänst)".into(),
        header: ["Beslutsdatum", "Insats", "Status", "Dagar", "Orsak", "Kön", "Ålder", "Enhet"]
            .map(str::to_owned)
            .to_vec(),
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    r.decided_on.to_string(),
                    r.intervention.clone(),
                    r.status.to_owned(),
                    r.days.to_string(),
                    r.reason.clone(),
                    r.sex.to_owned(),
                    r.age_band.to_owned(),
                    r.unit.clone(),
                ]
            })
            .collect(),
    };
    Doc {
        title: format!("Ej verkställda beslut — kvartal {quarter} {year}"),
        subtitle: format!("Rapport till IVO, {}", unit_label(report, f)),
        blocks: vec![
            para(
                "Definitioner. Ej verkställda gynnande beslut inom 90 dagar = beslut som beviljats för mer än 90 dagar \
                 sedan men har ej verkställts inom 90 dagar. Verkställda beslut efter 90 dagar = beslut som beviljats för \
                 mer än 90 dagar sedan men där tiden från beviljandet till verkställande tog mer än 90 dagar. Avslutade \
                 beslut = beslut utan verkställighet inom 90 dagar och/eller där behovet tillgodosetts på annat sätt under \
                 perioden och därmed avslutats. (Tre månader enligt regeltabellen.)",
            ),
            Block::Table(summary),
            if rows.is_empty() { para("Inga beslut att rapportera för kvartalet.") } else { Block::Table(list) },
            missing(
                "Avbrott i verkställigheten (IVO:s tredje kategori) registreras ännu inte i journalen och ingår inte.",
            ),
        ],
    }
}

/// The narrative sections of the kvalitetsberättelse, written by the quality staff.
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct Narratives {
    pub introduction: Option<String>,
    pub prerequisites: Option<String>,
    pub quality_assessment: Option<String>,
    pub improvement_areas: Option<String>,
}

/// The annual kvalitetsberättelse (SOSFS 2011:9), in the structure of the seeds' (Huddinge
/// 2021): the statistics come from the journal — indicators, user surveys, self-inspection,
/// deviations, lex Sarah, complaints, internal control and the trend month by month
/// ([`crate::quality_sections`]), and the year's file audits; the narrative sections are the
/// quality staff's.
pub fn quality_report(report: &Report<'_>, year: i32, f: &Filter, text: &Narratives) -> Doc {
    let period = Period::Year { year };
    let range = period.months(report.as_of);
    let label = period.label_sv(report.as_of);
    let written = |t: &Option<String>, what: &str| match t {
        Some(t) if !t.trim().is_empty() => para(t.clone()),
        _ => missing(format!("{what} är inte skrivet ännu (skrivs av kvalitetsutvecklaren i Skyndsam).")),
    };
    let pick = |inds: &[Ind]| -> Vec<IndicatorValue> { inds.iter().map(|i| report.value(*i, &period, f)).collect() };
    let mut blocks = vec![
        heading("Inledning"),
        written(&text.introduction, "Inledningen"),
        heading("Verksamhetens förutsättningar"),
        written(&text.prerequisites, "Avsnittet om verksamhetens förutsättningar"),
        heading("Statistik"),
        Block::Table(indicator_table(
            &format!("Volymer {year}"),
            &pick(&[Ind::NAnm, Ind::NBarn, Ind::A2u, Ind::FbOpenLate]),
        )),
        heading("Myndighetsutövning inom barn och unga"),
        Block::Table(indicator_table(
            &format!("Handläggning inom lagstadgad tid {year}"),
            &pick(&[Ind::Skydd24h, Ind::Fb14, Ind::U4m, Ind::U4mLegal, Ind::U90, Ind::Utime, Ind::Aterk, Ind::Deleg]),
        )),
    ];
    blocks.extend(by_sex(report, &period, f));
    blocks.extend([
        heading("Utförande av insatser"),
        Block::Table(indicator_table(
            &format!("Insatser {year}"),
            &pick(&[Ind::InsTid, Ind::EvbEj, Ind::EvbSen, Ind::EvbAvsl, Ind::ValdIns, Ind::KrimIns, Ind::Sammanbrott]),
        )),
        heading("Brukarundersökningar"),
    ]);
    blocks.extend(qs::surveys(report, range, f, &label));
    blocks.extend([heading("Systematisk uppföljning"), heading("Egenkontroll och aktgranskning")]);
    blocks.extend(qs::self_inspection(report, range, f, &label));
    blocks.extend(qs::file_audits(report, year, f));
    let counts = report.quality_counts(range, f.unit);
    blocks.push(heading("Rapporterade avvikelser"));
    blocks.extend(qs::deviations(report, &counts, range, f, &label));
    blocks.push(heading("Lex Sarah"));
    blocks.extend(qs::lex_sarah(report, &counts, &label));
    blocks.push(heading("Klagomål och synpunkter"));
    blocks.extend(qs::complaints(report, &counts, range, &label));
    blocks.push(heading("Internkontroll"));
    blocks.extend(qs::internal_control(report, &counts, year, f));
    blocks.push(heading("Sammanställning och analys av trender"));
    blocks.extend(qs::trend(report, range, f, &label));
    blocks.extend([
        heading("Bedömning av kvalitet"),
        written(&text.quality_assessment, "Bedömningen av kvalitet"),
        heading("Utvecklingsområden"),
        written(&text.improvement_areas, "Avsnittet om utvecklingsområden"),
    ]);
    Doc {
        title: format!("Kvalitetsberättelse {year}"),
        subtitle: format!("Barn och unga, {}", unit_label(report, f)),
        blocks,
    }
}

/// The report kinds `skyndsam report` knows, by their Swedish names.
pub const KINDS: &[&str] = &["delarsrapport", "verksamhetsberattelse", "ivo", "kvalitetsberattelse"];

/// Builds the report `kind` (one of [`KINDS`]) for `year`; `part` is the tertial (1 or 2)
/// of a delårsrapport or the quarter (1–4) of the IVO list.
pub fn build(
    report: &Report<'_>,
    kind: &str,
    year: i32,
    part: Option<u32>,
    f: &Filter,
    text: &Narratives,
) -> Result<Doc, crate::ReportError> {
    let bad = |m: &str| crate::ReportError::Period(m.to_owned());
    match kind {
        "delarsrapport" => match part {
            Some(t @ (1 | 2)) => Ok(interim_report(report, year, t as u8, f)),
            _ => Err(bad("Ange delår 1 eller 2 (--part).")),
        },
        "verksamhetsberattelse" => Ok(annual_report(report, year, f)),
        "ivo" => match part {
            Some(q @ 1..=4) => Ok(ivo_report(report, year, q, f)),
            _ => Err(bad("Ange kvartal 1–4 (--part).")),
        },
        "kvalitetsberattelse" => Ok(quality_report(report, year, f, text)),
        other => Err(bad(&format!("Okänd rapport {other}: välj {}.", KINDS.join(", ")))),
    }
}
