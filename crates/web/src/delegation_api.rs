//! Anmälan av delegationsbeslut (issue 5 item 4) in the API: the board's list of delegated
//! decisions and written re-delegations for a period, optionally for one decider, as JSON or
//! CSV. The list holds case ids, deciders and decision types, never a child's name; like the
//! deadline book it is a list and not logged per row. It is the board's: the board, its
//! committee, the head of administration, the quality developer and the auditors read it.

use axum::extract::Query;
use axum::http::{header, HeaderValue, Method};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use skyndsam_domain::calendar::local_date;
use skyndsam_domain::delegation::{board_list, BoardList};
use skyndsam_domain::ids::{CaseId, StaffId};
use skyndsam_domain::org::Role;

use crate::app::{blocking, parse_json, AppState, Ctx, Json, RawJson};
use crate::error::ApiError;
use crate::routes::{query, spec, RouteSpec};

/// Who may record a written re-delegation (the rule table's `[redelegation] roles` narrows).
pub const REDELEGATORS: &[Role] = &[Role::HeadOfAdministration];

pub const BOARD_READERS: &[Role] =
    &[Role::Board, Role::Committee, Role::HeadOfAdministration, Role::QualityDeveloper, Role::Auditor];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoardQuery {
    pub(crate) from: Option<NaiveDate>,
    pub(crate) to: Option<NaiveDate>,
    pub(crate) decider: Option<StaffId>,
}

/// The list for the period (default: this year so far).
pub(crate) async fn list(ctx: &Ctx, q: BoardQuery) -> Result<BoardList, ApiError> {
    let today = local_date(ctx.now);
    let from = q.from.or_else(|| NaiveDate::from_ymd_opt(today.year(), 1, 1)).unwrap_or(today);
    let to = q.to.unwrap_or(today);
    if to < from {
        return Err(ApiError::bad_input("to", "Slutdatum kan inte vara före startdatum."));
    }
    let store = ctx.app.store.clone();
    let decider = q.decider;
    blocking(move || {
        let cases: Vec<CaseId> = store.projections().all_cases().map(|c| c.case).collect();
        let mut events = Vec::new();
        for c in cases {
            events.extend(store.read_stream(&c.stream())?);
        }
        let p = store.projections();
        let mut l = board_list(p.rules(), &p.org, &events, from, to);
        if let Some(d) = &decider {
            l.decisions.retain(|x| &x.decider == d);
        }
        Ok(l)
    })
    .await
}

async fn get_board_list(ctx: Ctx, Query(q): Query<BoardQuery>) -> Result<Json<BoardList>, ApiError> {
    Ok(Json(list(&ctx, q).await?))
}

pub(crate) async fn get_board_list_csv(ctx: Ctx, Query(q): Query<BoardQuery>) -> Result<Response, ApiError> {
    let l = list(&ctx, q).await?;
    let name = format!("attachment; filename=\"delegationsbeslut-{}-{}.csv\"", l.from, l.to);
    let disposition = HeaderValue::from_str(&name)
        .unwrap_or_else(|_| HeaderValue::from_static("attachment; filename=\"delegationsbeslut.csv\""));
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8")),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        l.to_csv(),
    )
        .into_response())
}

#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
pub struct RedelegationRecorded {
    pub redelegation: String,
    pub seq: u64,
}

/// Records a written re-delegation (SCENARIOS 3): the domain checks the role, the reference's
/// uniqueness, the order's `redelegable`, the length; it is then on the board's list. The org
/// stream is appended without a version check, as every org event is.
async fn record_redelegation(
    ctx: Ctx,
    RawJson(body): RawJson,
) -> Result<(axum::http::StatusCode, Json<RedelegationRecorded>), ApiError> {
    let r: skyndsam_domain::events::RedelegationDecided = parse_json(&body)?;
    let event = {
        let p = ctx.app.store.projections();
        let c = skyndsam_domain::commands::Context { now: ctx.now, rules: p.rules(), org: &p.org, actor: &ctx.actor };
        skyndsam_domain::commands::decide_redelegation(&r, &c)?
    };
    let store = ctx.app.store.clone();
    let recorded = blocking(move || Ok(store.append(skyndsam_store::AppendRequest::new(vec![event]))?)).await?;
    let seq = recorded.first().map_or(0, |e| e.seq);
    Ok((axum::http::StatusCode::CREATED, Json(RedelegationRecorded { redelegation: r.redelegation, seq })))
}

const PARAMS: &[(&str, &str, bool)] = &[
    ("from", "Från och med (ÅÅÅÅ-MM-DD, standard 1 januari i år)", false),
    ("to", "Till och med (ÅÅÅÅ-MM-DD, standard i dag)", false),
    ("decider", "Bara den här beslutsfattaren", false),
];

pub fn routes() -> Vec<(RouteSpec, MethodRouter<AppState>)> {
    use axum::routing::get;
    use Method as M;
    vec![
        (
            spec(
                M::POST,
                "/api/redelegations",
                "record_redelegation",
                "Vidaredelegering: förvaltningschefens skriftliga beslut (delegater, beslutstyper, från–till)",
                "delegation",
                REDELEGATORS,
                Some("cases:write"),
                Some(crate::routes::schema::<skyndsam_domain::events::RedelegationDecided>),
                Some(crate::routes::schema::<RedelegationRecorded>),
                201,
            ),
            axum::routing::post(record_redelegation),
        ),
        (
            query(
                spec(
                    M::GET,
                    "/api/board-list",
                    "board_list",
                    "Anmälan av delegationsbeslut: delegerade beslut per beslutsfattare och vidaredelegationer för en period",
                    "delegation",
                    BOARD_READERS,
                    Some("cases:read"),
                    None,
                    None,
                    200,
                ),
                PARAMS,
            ),
            get(get_board_list),
        ),
        (
            query(
                spec(
                    M::GET,
                    "/api/board-list.csv",
                    "board_list_csv",
                    "Anmälan av delegationsbeslut som CSV (semikolonseparerad)",
                    "delegation",
                    BOARD_READERS,
                    Some("cases:read"),
                    None,
                    None,
                    200,
                ),
                PARAMS,
            ),
            get(get_board_list_csv),
        ),
    ]
}
