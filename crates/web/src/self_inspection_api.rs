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
use skyndsam_domain::checks::{inspect, summarise, Questionnaire, Summary};
use skyndsam_domain::ids::{CaseId, UnitId};

use crate::app::{blocking, AppState, Ctx, Json};
use crate::error::ApiError;
use crate::routes::{query, spec, RouteSpec, READERS};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SummaryQuery {
    unit: Option<UnitId>,
    year: Option<i32>,
}

async fn unit_summary(ctx: Ctx, Query(q): Query<SummaryQuery>) -> Result<Json<Summary>, ApiError> {
    let Some(unit) = q.unit else {
        return Err(ApiError::bad_input("unit", "Ange en enhet."));
    };
    let today = local_date(ctx.now);
    let year = q.year.unwrap_or(today.year());
    let Some(end) = NaiveDate::from_ymd_opt(year, 12, 31) else {
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
            .filter(|c| c.received_at.year() == year && units.contains(&c.unit) && ctx.scope.access(c).is_some())
            .map(|c| c.case)
            .collect()
    };
    let questions =
        Questionnaire::defaults().map_err(|e| ApiError::internal(format!("questionnaire: {}", e.message)))?;
    let store = ctx.app.store.clone();
    let summary = blocking(move || {
        let mut inspections = Vec::new();
        for case in cases {
            let events = store.read_stream(&case.stream())?;
            let p = store.projections();
            if let Some(i) = inspect(&events, p.rules(), &p.org, &questions, as_of) {
                inspections.push(i);
            }
        }
        Ok(summarise(&questions, &inspections))
    })
    .await?;
    Ok(Json(summary))
}

pub fn routes() -> Vec<(RouteSpec, MethodRouter<AppState>)> {
    vec![(
        query(
            spec(
                Method::GET,
                "/api/self-inspection/summary",
                "self_inspection_summary",
                "Egenkontroll per enhet och år: andel Ja per fråga och ärendena bakom (bara ärenden du får se)",
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
            ],
        ),
        axum::routing::get(unit_summary),
    )]
}
