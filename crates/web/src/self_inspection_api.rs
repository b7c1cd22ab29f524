//! Self-inspection per unit and year (issue 5 item 5): the share of Ja per question over the
//! unit's cases received in the year, drillable to the case ids behind each Ja and Nej. Only
//! the cases the caller may see are counted and listed (need-to-know: a manager of the unit
//! sees all of them). Like the deadline book it is a list of case ids, no names, and not logged
//! per row; opening a case from it is the logged read.

use axum::extract::Query;
use axum::http::Method;
use axum::routing::MethodRouter;
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use skyndsam_domain::calendar::local_date;
use skyndsam_domain::checks::{inspect, summarise, CaseInspection, Questionnaire, Summary};
use skyndsam_domain::ids::{CaseId, UnitId};

use crate::app::{blocking, AppState, Ctx, Json};
use crate::error::ApiError;
use crate::routes::{query, spec, RouteSpec, READERS};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SummaryQuery {
    pub(crate) unit: Option<UnitId>,
    pub(crate) year: Option<i32>,
    /// 1–3: January–April, May–August, September–December; none = the whole year.
    pub(crate) tertial: Option<u32>,
}

/// The unit's inspected cases for a period: the questionnaire, the inspections (only the cases
/// the caller may see) and the day they are answered as of (the period's end, or today).
pub(crate) struct Inspected {
    pub questions: Questionnaire,
    pub inspections: Vec<CaseInspection>,
    pub as_of: NaiveDate,
}

/// The months of a tertial (1–3), or the whole year.
pub(crate) fn months(tertial: Option<u32>) -> Option<(u32, u32)> {
    match tertial {
        None => Some((1, 12)),
        Some(t @ 1..=3) => Some((4 * t - 3, 4 * t)),
        Some(_) => None,
    }
}

pub(crate) async fn inspected(ctx: &Ctx, q: &SummaryQuery) -> Result<Inspected, ApiError> {
    let Some(unit) = q.unit.clone() else {
        return Err(ApiError::bad_input("unit", "Ange en enhet."));
    };
    let today = local_date(ctx.now);
    let year = q.year.unwrap_or(today.year());
    let Some((first, last)) = months(q.tertial) else {
        return Err(ApiError::bad_input("tertial", "Tertial är 1, 2 eller 3."));
    };
    let end = if last == 12 {
        NaiveDate::from_ymd_opt(year, 12, 31)
    } else {
        NaiveDate::from_ymd_opt(year, last + 1, 1).and_then(|d| d.pred_opt())
    };
    let Some(end) = end else {
        return Err(ApiError::bad_input("year", "Ogiltigt år."));
    };
    let as_of = end.min(today);
    let cases: Vec<CaseId> = {
        let p = ctx.app.store.projections();
        if p.org.unit(&unit).is_none() {
            return Err(ApiError::bad_input("unit", "Enheten finns inte."));
        }
        let units = p.org.subtree(&unit);
        p.all_cases()
            .filter(|c| {
                let r = c.received_at;
                r.year() == year
                    && (first..=last).contains(&r.month())
                    && units.contains(&c.unit)
                    && ctx.scope.access(c).is_some()
            })
            .map(|c| c.case)
            .collect()
    };
    let questions =
        Questionnaire::defaults().map_err(|e| ApiError::internal(format!("questionnaire: {}", e.message)))?;
    let store = ctx.app.store.clone();
    let qs = questions.clone();
    let inspections = blocking(move || {
        let mut inspections = Vec::new();
        for case in cases {
            let events = store.read_stream(&case.stream())?;
            let p = store.projections();
            if let Some(i) = inspect(&events, p.rules(), &p.org, &qs, as_of) {
                inspections.push(i);
            }
        }
        Ok(inspections)
    })
    .await?;
    Ok(Inspected { questions, inspections, as_of })
}

async fn unit_summary(ctx: Ctx, Query(q): Query<SummaryQuery>) -> Result<Json<Summary>, ApiError> {
    let i = inspected(&ctx, &q).await?;
    Ok(Json(summarise(&i.questions, &i.inspections)))
}

pub fn routes() -> Vec<(RouteSpec, MethodRouter<AppState>)> {
    vec![(
        query(
            spec(
                Method::GET,
                "/api/self-inspection/summary",
                "self_inspection_summary",
                "Egenkontroll per enhet och år (eller tertial): andel Ja per fråga och ärendena bakom (bara ärenden du får se)",
                "ärenden",
                READERS,
                Some("cases:read"),
                None,
                None,
                200,
            ),
            &[
                ("unit", "Enheten (med underliggande team)", true),
                ("year", "Året ärendena kom in (standard i år)", false),
                ("tertial", "Tertial 1–3 (januari–april, maj–augusti, september–december); utan: hela året", false),
            ],
        ),
        axum::routing::get(unit_summary),
    )]
}
