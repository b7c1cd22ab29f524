//! Drill-down from an indicator value to the cases behind it (issue 7, decision 0013).
//!
//! `GET /api/indicators/cases?kpi=FB14&period=2026&unit=…&sex=…&age=…&part=…` gives the
//! value with its explanation and the cases behind it, by the report crate's own
//! definitions ([`skyndsam_report::Report::drill_rows`], the same `observe` as the figure).
//! The list holds only what the caller's `Scope` gives: each case through `Scope::access`
//! (AVV-6V's deviations through `Scope::matter_access`), the person shown as that access
//! allows (pseudonym, masked protected identity); what is left out is a count, never which.
//!
//! The unit is one the caller follows: their own unit's subtree or the units whose cases
//! they see (a handler's enhet), as on Styrkort. Out of that, or unknown: 404.
//!
//! Like the case list, the deadline book and the self-inspection summary, the list is not
//! written to the access log per row (decision 0005: lists are not logged, opening is);
//! opening a case from it is the logged read.

use axum::extract::Query;
use axum::http::Method;
use axum::routing::MethodRouter;
use chrono::{Datelike, NaiveDate};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use skyndsam_domain::ids::{CaseId, DeviationId, UnitId};
use skyndsam_report::{AgeFilter, Filter, Ind, Measure, Period, SexFilter, ValueState};
use std::collections::HashSet;

use crate::app::{AppState, Ctx, Json};
use crate::error::ApiError;
use crate::routes::{query, schema, spec, RouteSpec, READERS};
use crate::views::{person_of, PersonView};

/// What is asked for (every field a string, checked here with a Swedish message each).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DrillQuery {
    pub kpi: Option<String>,
    pub period: Option<String>,
    pub unit: Option<String>,
    pub sex: Option<String>,
    pub age: Option<String>,
    pub part: Option<String>,
}

/// Which cases: every case in the denominator (each marked whether it is in the numerator),
/// or only those in the numerator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    Numerator,
    Denominator,
}

/// One case behind the value, as the caller may see it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct IndicatorCase {
    pub case: CaseId,
    /// The unit the case was counted in (the unit in charge on `date`).
    pub unit: String,
    pub received_on: NaiveDate,
    /// The date that placed the case in the period: the indicator's period date (a decision,
    /// a start, an end; for a snapshot, the day it was taken). The last one in the period.
    pub date: NaiveDate,
    /// Days from the investigation's opening to its closing (UTIME only).
    pub days: Option<u32>,
    /// Counts in the numerator.
    pub numerator: bool,
    /// Times counted in the denominator (more than one for indicators counted per decision,
    /// per answer or per intervention).
    pub count: u32,
    /// The child as the caller may see it: pseudonym for quality staff and auditors, masked
    /// when the identity is protected and the role may not see it.
    pub child: PersonView,
    /// `full` or `pseudonymised`.
    pub view: &'static str,
}

/// One deviation behind AVV-6V (no person in it).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct IndicatorDeviation {
    pub deviation: DeviationId,
    pub unit: UnitId,
    pub reported_on: NaiveDate,
    /// Investigated within six weeks.
    pub numerator: bool,
    /// `full` or `pseudonymised`.
    pub view: &'static str,
}

/// A value and what is behind it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct IndicatorCases {
    pub kpi: String,
    pub name: String,
    pub definition: String,
    pub numerator_text: String,
    pub denominator_text: String,
    /// What `date` of each row is (the indicator's period date).
    pub period_date: String,
    /// `share`, `count` or `days`.
    pub measure: String,
    /// The period as asked (`2026`, `2026-T1`, `2026-03` …) and in Swedish.
    pub period: String,
    pub period_label: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub unit: UnitId,
    pub unit_name: String,
    pub sex: String,
    pub age: String,
    /// `value`, `no_cases`, `no_data_source` or `not_broken_down`.
    pub state: String,
    pub numerator: Option<u64>,
    pub denominator: Option<u64>,
    pub value: Option<f64>,
    pub part: Part,
    /// The cases behind the value the caller may see (every indicator but AVV-6V).
    pub cases: Vec<IndicatorCase>,
    /// The deviations behind AVV-6V the caller may see.
    pub deviations: Vec<IndicatorDeviation>,
    /// How many cases (or deviations) behind the value are outside the caller's scope.
    pub left_out: u64,
    /// The figures were computed per this time (the server's fact table).
    pub as_at: chrono::DateTime<chrono::Utc>,
}

fn bad(field: &str, message: &str) -> ApiError {
    ApiError::bad_input(field.to_owned(), message.to_owned())
}

fn parse_sex(s: Option<&str>) -> Result<SexFilter, ApiError> {
    Ok(match s.map(str::trim).unwrap_or("") {
        "" | "T" | "totalt" => SexFilter::Total,
        "K" | "flickor" => SexFilter::Girls,
        "M" | "pojkar" => SexFilter::Boys,
        _ => return Err(bad("sex", "Ange kön som totalt, flickor eller pojkar (T, K eller M).")),
    })
}

fn parse_age(s: Option<&str>) -> Result<AgeFilter, ApiError> {
    Ok(match s.map(str::trim).unwrap_or("") {
        "" | "alla" => AgeFilter::All,
        "0-12" => AgeFilter::Band(0),
        "13-17" => AgeFilter::Band(1),
        "18-20" => AgeFilter::Band(2),
        _ => return Err(bad("age", "Ange åldersgrupp som 0-12, 13-17 eller 18-20.")),
    })
}

/// The units a caller may drill in: their own unit's subtree and the units whose cases
/// they see.
pub fn followed_units(ctx: &Ctx) -> Vec<UnitId> {
    let p = ctx.app.store.projections();
    let mut v = p.org.subtree(&ctx.scope.unit);
    for u in ctx.scope.book_units() {
        if !v.contains(&u) {
            v.push(u);
        }
    }
    v
}

/// The value and the cases behind it the caller may see (shared by the API and the page).
pub async fn drill(ctx: &Ctx, q: &DrillQuery) -> Result<IndicatorCases, ApiError> {
    let kpi = q.kpi.as_deref().map(str::trim).filter(|k| !k.is_empty());
    let Some(kpi) = kpi else { return Err(bad("kpi", "Ange en indikator, till exempel FB14.")) };
    let Some(ind) = Ind::parse(kpi) else { return Err(bad("kpi", "Indikatorn finns inte.")) };
    let sex = parse_sex(q.sex.as_deref())?;
    let age = parse_age(q.age.as_deref())?;
    let part = match q.part.as_deref().map(str::trim).unwrap_or("") {
        "" | "denominator" | "namnare" => Part::Denominator,
        "numerator" | "taljare" => Part::Numerator,
        _ => return Err(bad("part", "Ange numerator (täljaren) eller denominator (nämnaren).")),
    };
    let unit = match q.unit.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
        None => ctx.scope.unit.clone(),
        Some(u) => followed_units(ctx).into_iter().find(|x| x.as_str() == u).ok_or_else(ApiError::not_found)?,
    };
    let built = crate::reports::current(&ctx.app).await?;
    let period_text = q
        .period
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map_or_else(|| built.as_of.year().to_string(), str::to_owned);
    let period = Period::parse(&period_text).map_err(|_| {
        bad("period", "Perioden kan inte läsas. Skriv till exempel 2025, 2025-T1, 2025-T2 eller 2025-03.")
    })?;
    let rules = ctx.app.store.rules();
    let r = built.report(rules);
    let range = period.months(r.as_of);
    let f = Filter {
        unit: Some(r.unit(unit.as_str()).map_err(|_| bad("unit", "Enheten har inga uppgifter i statistiken ännu."))?),
        sex,
        age,
    };
    let v = r.value(ind, &period, &f);
    let counted = !matches!(v.state, ValueState::NoDataSource | ValueState::NotBrokenDown);
    let wanted = |num: bool| part == Part::Denominator || num;
    let mut cases = Vec::new();
    let mut deviations = Vec::new();
    let mut left_out = 0u64;
    let p = ctx.app.store.projections();
    if counted && ind == Ind::Avv6v {
        let within: HashSet<DeviationId> = r.avv_6v_deviations(range, f.unit, true).into_iter().collect();
        for id in r.avv_6v_deviations(range, f.unit, false) {
            let numerator = within.contains(&id);
            if !wanted(numerator) {
                continue;
            }
            let seen = p.matter(&id.stream()).and_then(|m| Some((m.handling()?, ctx.scope.matter_access(m)?)));
            match seen {
                Some((h, a)) => deviations.push(IndicatorDeviation {
                    deviation: id,
                    unit: h.unit.clone(),
                    reported_on: h.reported_on,
                    numerator,
                    view: view_name(a.view),
                }),
                None => left_out += 1,
            }
        }
    } else if counted {
        for row in r.drill_rows(ind, range, &f) {
            if !wanted(row.numerator) {
                continue;
            }
            let seen = p.case(&row.case).and_then(|c| Some((c, ctx.scope.access(c)?)));
            match seen {
                Some((c, a)) => cases.push(IndicatorCase {
                    case: row.case,
                    unit: r.facts.units.get(row.unit).map_or_else(String::new, |u| u.id.as_str().to_owned()),
                    received_on: row.received_on,
                    date: row.on,
                    days: row.days,
                    numerator: row.numerator,
                    count: row.count,
                    child: person_of(&p, &c.child, a.view, ctx.scope.see_protected, &ctx.app.pseudonyms),
                    view: view_name(a.view),
                }),
                None => left_out += 1,
            }
        }
    }
    let unit_name = p.org.unit(&unit).map_or_else(|| unit.to_string(), |u| u.name.clone());
    drop(p);
    let state = serde_json::to_value(v.state).ok().and_then(|s| s.as_str().map(str::to_owned)).unwrap_or_default();
    Ok(IndicatorCases {
        kpi: v.id.to_owned(),
        name: v.name,
        definition: v.definition,
        numerator_text: v.numerator_text,
        denominator_text: v.denominator_text,
        period_date: v.period_date,
        measure: match v.measure {
            Measure::Share => "share",
            Measure::Count => "count",
            Measure::Days => "days",
        }
        .to_owned(),
        period: period_text,
        period_label: v.period,
        period_start: v.period_start,
        period_end: v.period_end,
        unit,
        unit_name,
        sex: v.sex.to_owned(),
        age: v.age.to_owned(),
        state,
        numerator: v.numerator,
        denominator: v.denominator,
        value: v.value,
        part,
        cases,
        deviations,
        left_out,
        as_at: built.at,
    })
}

fn view_name(v: crate::scope::View) -> &'static str {
    match v {
        crate::scope::View::Full => "full",
        crate::scope::View::Pseudonymised => "pseudonymised",
    }
}

async fn indicator_cases(ctx: Ctx, Query(q): Query<DrillQuery>) -> Result<Json<IndicatorCases>, ApiError> {
    Ok(Json(drill(&ctx, &q).await?))
}

pub fn routes() -> Vec<(RouteSpec, MethodRouter<AppState>)> {
    vec![(
        query(
            spec(
                Method::GET,
                "/api/indicators/cases",
                "indicator_cases",
                "Ärendena bakom ett indikatorvärde (bara de du får se; övriga som ett antal)",
                "indikatorer",
                READERS,
                Some("cases:read"),
                None,
                Some(schema::<IndicatorCases>),
                200,
            ),
            &[
                ("kpi", "Indikatorn (FB14, U4M, AVV-6V …)", true),
                ("period", "ÅÅÅÅ, ÅÅÅÅ-MM, ÅÅÅÅ-T1, ÅÅÅÅ-T2, ÅÅÅÅ-Q1…Q4 eller ÅÅÅÅ-R12 (standard i år)", false),
                ("unit", "Enheten (med underliggande); en du följer upp (standard din egen)", false),
                ("sex", "totalt, flickor eller pojkar (T, K, M)", false),
                ("age", "0-12, 13-17 eller 18-20", false),
                ("part", "denominator (alla i nämnaren, standard) eller numerator (bara täljaren)", false),
            ],
        ),
        axum::routing::get(indicator_cases),
    )]
}
