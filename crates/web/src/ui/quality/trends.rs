//! Trender: one view across deviations, lex Sarah, complaints, internal control and
//! self-inspection (the continuous checks and the file audits) — counts, categories and units
//! month by month — and the period's counts for the compilations
//! (deviations per unit and category, open and closed at the period's end, lex Sarah per
//! classification, complaints by source and subject). Aggregates of the caller's units
//! only; no matter is opened.

use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use skyndsam_domain::quality::model::*;
use skyndsam_domain::quality::stats::{self, Window};

use super::*;
use crate::quality::StatsQuery;
use crate::ui::pages::{Chrome, FormState};
use crate::ui::session::{Session, UiError};

#[derive(Deserialize, Default)]
pub struct TrendQuery {
    fran: Option<String>,
    till: Option<String>,
    enhet: Option<String>,
}

pub struct Table {
    pub caption: String,
    pub columns: Vec<String>,
    pub rows: Vec<(String, Vec<String>)>,
}

#[derive(Template)]
#[template(path = "quality_trends.html")]
struct TrendPage {
    chrome: Option<Chrome>,
    /// The compilations' periods this year: delår 1, delår 2, the whole year.
    periods: Vec<(String, String)>,
    form: FormState,
    units: Vec<(String, String)>,
    period: String,
    months: Option<Table>,
    tables: Vec<Table>,
    summary: Vec<(String, String)>,
    /// When the fact table behind the self-inspection series was built.
    per: String,
}

fn by_month(
    caption: &str,
    months: &[stats::TrendMonth],
    keys: &[(String, String)],
    get: impl Fn(&stats::TrendMonth, &str) -> u32,
) -> Table {
    Table {
        caption: caption.to_owned(),
        columns: months.iter().map(|m| m.month.clone()).collect(),
        rows: keys
            .iter()
            .map(|(k, label)| (label.clone(), months.iter().map(|m| get(m, k).to_string()).collect()))
            .collect(),
    }
}

pub async fn page(s: Session, Query(q): Query<TrendQuery>) -> Result<Response, UiError> {
    let mut form = prefilled(&[
        ("fran", q.fran.clone().unwrap_or_default()),
        ("till", q.till.clone().unwrap_or_default()),
        ("enhet", q.enhet.clone().unwrap_or_default()),
    ]);
    let from = optional_date(&mut form, "fran", "startdatum");
    let to = optional_date(&mut form, "till", "slutdatum");
    let unit = match form.value("enhet").trim() {
        "" => Some(None),
        _ => super::unit(&mut form, "enhet", "Välj en enhet.").map(Some),
    };
    let mine: Vec<(String, String)> = {
        let p = s.ctx.app.store.projections();
        let mut v: Vec<(String, String)> =
            s.ctx.scope.book_units().into_iter().map(|u| (u.to_string(), unit_name(&p.org, &u))).collect();
        v.sort_by(|a, b| a.1.cmp(&b.1));
        v
    };
    let year = chrono::Datelike::year(&skyndsam_domain::calendar::local_date(s.ctx.now));
    let periods = vec![
        ("Delår 1 (januari–april)".to_owned(), format!("/trender?fran={year}-01-01&till={year}-04-30")),
        ("Delår 2 (januari–augusti)".to_owned(), format!("/trender?fran={year}-01-01&till={year}-08-31")),
        ("Helår".to_owned(), format!("/trender?fran={year}-01-01&till={year}-12-31")),
        ("Förra året".to_owned(), format!("/trender?fran={}-01-01&till={}-12-31", year - 1, year - 1)),
    ];
    let mut page = TrendPage {
        chrome: Some(chrome(&s)),
        periods,
        form: FormState::default(),
        units: mine,
        period: String::new(),
        months: None,
        tables: Vec::new(),
        summary: Vec::new(),
        per: String::new(),
    };
    let (Some(from), Some(to), Some(unit)) = (from, to, unit) else {
        page.form = form;
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
    };
    let window = match crate::quality::stats_window(&s.ctx, &StatsQuery { from, to, unit }) {
        Ok(w) => w,
        Err(e) if e.status == StatusCode::NOT_FOUND => {
            add(&mut form, "enhet", "Välj en av dina enheter.");
            page.form = form;
            return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
        Err(e) => {
            refusal(&mut form, e, "fran")?;
            page.form = form;
            return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    let (from, to, units) = window;
    let (months, built_at) = crate::quality::trend_months(&s.ctx, from, to, &units).await?;
    page.per = crate::ui::pages::local_time(built_at);
    let p = s.ctx.app.store.projections();
    let rules = p.rules();
    let q = &rules.quality;
    let w = Window { from, to, units: Some(&units) };
    let counts = stats::counts(p.matters(), w, rules);
    page.period = format!("{from} – {to}");
    page.months = Some(by_month(
        "Antal per månad",
        &months,
        &[
            ("deviations".into(), "Avvikelser".into()),
            ("detected".into(), "varav upptäckta av systemet".into()),
            ("lex_sarah".into(), "Lex Sarah".into()),
            ("complaints".into(), "Synpunkter och klagomål".into()),
            ("control".into(), "Internkontroll: moment med anmärkning".into()),
        ],
        |m, k| match k {
            "deviations" => m.deviations,
            "detected" => m.deviations_system_detected,
            "lex_sarah" => m.lex_sarah,
            "complaints" => m.complaints,
            _ => m.control_remarks,
        },
    ));
    if let Some(t) = page.months.as_mut() {
        // The self-inspection of the cases received in the month (answered as of the cached
        // fact table's date): share of Ja and number of Nej, all the units together.
        let si = |f: &dyn Fn(&stats::Tally) -> String| -> Vec<String> {
            months.iter().map(|m| m.self_inspection.as_ref().map_or_else(|| "–".to_owned(), f)).collect()
        };
        t.rows.push(("Egenkontroll: andel Ja".into(), si(&|t| percent(t.share_yes))));
        t.rows.push(("Egenkontroll: antal Nej".into(), si(&|t| t.no.to_string())));
    }
    let mut categories: Vec<(String, String)> = months
        .iter()
        .flat_map(|m| m.by_category.keys().cloned())
        .map(|c| (c.clone(), q.category_name(&c).unwrap_or(&c).to_owned()))
        .collect();
    categories.sort();
    categories.dedup();
    let mut unit_keys: Vec<(String, String)> = months
        .iter()
        .flat_map(|m| m.by_unit.keys().cloned())
        .map(|u| {
            let name = skyndsam_domain::ids::UnitId::parse(&u).map(|x| unit_name(&p.org, &x)).unwrap_or(u.clone());
            (u, name)
        })
        .collect();
    unit_keys.sort();
    unit_keys.dedup();
    page.tables.push(by_month("Avvikelser per kategori och månad", &months, &categories, |m, k| {
        m.by_category.get(k).copied().unwrap_or(0)
    }));
    page.tables.push(by_month(
        "Avvikelser, lex Sarah och synpunkter per enhet och månad",
        &months,
        &unit_keys,
        |m, k| m.by_unit.get(k).copied().unwrap_or(0),
    ));
    let name_of =
        |u: &String| skyndsam_domain::ids::UnitId::parse(u).map(|x| unit_name(&p.org, &x)).unwrap_or(u.clone());
    let per_unit = |get: &dyn Fn(&stats::TrendMonth) -> &std::collections::BTreeMap<String, stats::Tally>| {
        let mut keys: Vec<&String> = months.iter().flat_map(|m| get(m).keys()).collect();
        keys.sort();
        keys.dedup();
        let mut rows: Vec<(String, Vec<String>)> = keys
            .into_iter()
            .map(|u| {
                let cells = months
                    .iter()
                    .map(|m| {
                        get(m)
                            .get(u)
                            .map_or_else(|| "–".to_owned(), |t| format!("{} Ja, {} Nej", percent(t.share_yes), t.no))
                    })
                    .collect();
                (name_of(u), cells)
            })
            .collect();
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        rows
    };
    page.tables.push(Table {
        caption:
            "Egenkontroll per enhet och månad: andel Ja (Ja av Ja + Nej) och antal Nej, ärenden efter månad de kom in"
                .into(),
        columns: months.iter().map(|m| m.month.clone()).collect(),
        rows: per_unit(&|m| &m.self_inspection_by_unit),
    });
    let audits = per_unit(&|m| &m.file_audits);
    if !audits.is_empty() {
        page.tables.push(Table {
            caption: "Aktgranskningar per enhet, efter månad de analyserades: andel Ja och antal Nej".into(),
            columns: months.iter().map(|m| m.month.clone()).collect(),
            rows: audits,
        });
    }
    // The period's counts for the compilations and the annual quality report.
    let unit_cat = Table {
        caption: "Avvikelser per enhet och kategori under perioden".into(),
        columns: categories.iter().map(|(_, n)| n.clone()).collect(),
        rows: counts
            .deviations_by_unit_category
            .iter()
            .map(|(u, cats)| {
                let name = skyndsam_domain::ids::UnitId::parse(u).map(|x| unit_name(&p.org, &x)).unwrap_or(u.clone());
                (name, categories.iter().map(|(c, _)| cats.get(c).copied().unwrap_or(0).to_string()).collect())
            })
            .collect(),
    };
    page.tables.push(unit_cat);
    page.tables.push(Table {
        caption: "Lex Sarah per bedömning (bedömda under perioden)".into(),
        columns: vec!["Antal".into()],
        rows: LexSarahClassification::ALL
            .iter()
            .map(|c| {
                (
                    c.label_sv().to_owned(),
                    vec![counts.lex_sarah_by_classification.get(c).copied().unwrap_or(0).to_string()],
                )
            })
            .collect(),
    });
    page.tables.push(Table {
        caption: "Synpunkter och klagomål per källa".into(),
        columns: vec!["Antal".into()],
        rows: ComplaintSource::ALL
            .iter()
            .map(|c| {
                (c.label_sv().to_owned(), vec![counts.complaints_by_source.get(c).copied().unwrap_or(0).to_string()])
            })
            .collect(),
    });
    page.tables.push(Table {
        caption: "Synpunkter och klagomål per ämne".into(),
        columns: vec!["Antal".into()],
        rows: ComplaintSubject::ALL
            .iter()
            .map(|c| {
                (c.label_sv().to_owned(), vec![counts.complaints_by_subject.get(c).copied().unwrap_or(0).to_string()])
            })
            .collect(),
    });
    let c = &counts;
    page.summary = vec![
        ("Avvikelser rapporterade".into(), c.deviations_reported.to_string()),
        (
            "varav interna / externa till annan / externa från annan".into(),
            format!(
                "{} / {} / {}",
                c.deviations_internal, c.deviations_external_outgoing, c.deviations_external_incoming
            ),
        ),
        ("Öppna vid periodens slut (alla år)".into(), c.deviations_open_at_end.to_string()),
        ("Avslutade vid periodens slut".into(), c.deviations_closed_at_end.to_string()),
        (
            "Utredda inom sex veckor (AVV-6V)".into(),
            match c.avv_6v() {
                Some(v) => {
                    format!("{:.0} % ({} av {})", v * 100.0, c.deviations_within_6_weeks, c.deviations_6_weeks_due)
                }
                None => "–".into(),
            },
        ),
        ("Lyfta till lex Sarah".into(), c.deviations_escalated.to_string()),
        ("Lex Sarah rapporterade".into(), c.lex_sarah_reported.to_string()),
        ("Lex Sarah anmälda till IVO".into(), c.lex_sarah_reported_to_ivo.to_string()),
        ("Synpunkter och klagomål".into(), c.complaints_received.to_string()),
        ("besvarade i tid".into(), c.complaints_answered_in_time.to_string()),
        (
            "Internkontroll: moment gjorda / med anmärkning".into(),
            format!("{} / {}", c.control_moments_done, c.control_moments_with_remarks),
        ),
        ("Åtgärder beslutade / genomförda".into(), format!("{} / {}", c.measures_decided, c.measures_completed)),
    ];
    drop(p);
    page.form =
        prefilled(&[("fran", from.to_string()), ("till", to.to_string()), ("enhet", form.value("enhet").to_owned())]);
    Ok(render(StatusCode::OK, &page))
}

/// A share 0–1 as "87 %", or "–" without answers.
fn percent(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_owned(), |v| format!("{:.0} %", v * 100.0))
}
