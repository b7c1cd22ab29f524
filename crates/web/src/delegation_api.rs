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

#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
pub struct RedelegationRevokedView {
    pub redelegation: String,
    pub seq: u64,
}

/// Revokes a written re-delegation before it ends by itself (the same roles as recording one).
async fn revoke_redelegation(ctx: Ctx, RawJson(body): RawJson) -> Result<Json<RedelegationRevokedView>, ApiError> {
    let r: skyndsam_domain::events::RedelegationRevoked = parse_json(&body)?;
    let seq = append_org(&ctx, |c| skyndsam_domain::commands::revoke_redelegation(&r, c)).await?;
    Ok(Json(RedelegationRevokedView { redelegation: r.redelegation, seq }))
}

/// Runs an org command against the current projections and appends its event.
pub(crate) async fn append_org(
    ctx: &Ctx,
    f: impl FnOnce(
        &skyndsam_domain::commands::Context,
    ) -> Result<skyndsam_domain::events::NewEvent, skyndsam_domain::error::DomainError>,
) -> Result<u64, ApiError> {
    let event = {
        let p = ctx.app.store.projections();
        let c = skyndsam_domain::commands::Context { now: ctx.now, rules: p.rules(), org: &p.org, actor: &ctx.actor };
        f(&c)?
    };
    let store = ctx.app.store.clone();
    let recorded = blocking(move || Ok(store.append(skyndsam_store::AppendRequest::new(vec![event]))?)).await?;
    Ok(recorded.first().map_or(0, |e| e.seq))
}

// ------------------------------------------------------------------ the delegation order

/// Who reads the delegation order: every person who logs in (it is the board's public rule).
pub const ORDER_READERS: &[Role] = crate::routes::PERSONS;
/// Who enters a new version (the board adopts it; the administrator enters it).
pub const ORDER_EDITORS: &[Role] = skyndsam_domain::commands::DELEGATION_ORDER_EDITORS;

/// The delegation order: the version in force today, the base order and every dated version.
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
pub struct DelegationOrderView {
    pub today: NaiveDate,
    /// Name of the version in force today.
    pub in_force: String,
    pub base: Vec<skyndsam_domain::rules::DelegationRule>,
    pub versions: Vec<skyndsam_domain::rules::DelegationOrderVersion>,
}

pub(crate) fn order_view(ctx: &Ctx) -> DelegationOrderView {
    let p = ctx.app.store.projections();
    let today = local_date(ctx.now);
    let r = p.rules();
    DelegationOrderView {
        today,
        in_force: r.delegation_order_on(today).0.to_owned(),
        base: r.delegation.clone(),
        versions: r.delegation_versions.clone(),
    }
}

async fn get_order(ctx: Ctx) -> Result<Json<DelegationOrderView>, ApiError> {
    Ok(Json(order_view(&ctx)))
}

pub(crate) async fn get_order_toml(ctx: Ctx) -> Result<Response, ApiError> {
    let text = ctx.app.store.projections().rules().delegation_order_toml()?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("application/toml; charset=utf-8")),
            (header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment; filename=\"delegationsordning.toml\"")),
        ],
        text,
    )
        .into_response())
}

#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
pub struct OrderVersioned {
    /// The names of the versions recorded (none when the file held nothing new).
    pub versions: Vec<String>,
    pub seq: u64,
}

/// Records a new dated version (`delegation_order_versioned`).
async fn post_version(
    ctx: Ctx,
    RawJson(body): RawJson,
) -> Result<(axum::http::StatusCode, Json<OrderVersioned>), ApiError> {
    let v: skyndsam_domain::rules::DelegationOrderVersion = parse_json(&body)?;
    let seq = append_org(&ctx, |c| skyndsam_domain::commands::version_delegation_order(&v, c)).await?;
    Ok((axum::http::StatusCode::CREATED, Json(OrderVersioned { versions: vec![v.version], seq })))
}

/// The events an uploaded order file adds: its versions not yet recorded. The base order and
/// the versions already recorded cannot be changed by a file (a version is adopted once; a
/// change is a new version), and every new version is checked as if entered by hand, each
/// against the order with the ones before it. Nothing is recorded unless all pass.
pub(crate) fn versions_from_file(
    ctx: &Ctx,
    text: &str,
) -> Result<(Vec<String>, Vec<skyndsam_domain::events::NewEvent>), ApiError> {
    let p = ctx.app.store.projections();
    let mut rules = p.rules().clone();
    // Read and checked as a whole order (docs/delegation-order.md); only its two keys are used.
    let file = rules.with_delegation_order_toml(text).map_err(|e| ApiError::bad_input("file", e.message))?;
    if file.delegation != rules.delegation {
        return Err(ApiError::bad_input(
            "file",
            "Grundversionen ([[delegation]]) kan inte ändras här; den kommer från regeltabellen. Lägg till en ny daterad version.",
        ));
    }
    let mut names = Vec::new();
    let mut events = Vec::new();
    for v in &file.delegation_versions {
        if let Some(old) = rules.delegation_versions.iter().find(|x| x.version == v.version) {
            if old != v {
                return Err(ApiError::bad_input(
                    "file",
                    format!("Versionen \"{}\" finns redan och kan inte ändras; lägg till en ny version.", v.version),
                ));
            }
            continue;
        }
        let c = skyndsam_domain::commands::Context { now: ctx.now, rules: &rules, org: &p.org, actor: &ctx.actor };
        let e = skyndsam_domain::commands::version_delegation_order(v, &c).map_err(|e| {
            let mut a = ApiError::from(e);
            a.message = format!("Versionen \"{}\": {}", v.version, a.message);
            a.field = Some("file".into());
            a
        })?;
        rules = rules.with_delegation_version(v)?;
        names.push(v.version.clone());
        events.push(e);
    }
    Ok((names, events))
}

async fn put_order_toml(ctx: Ctx, body: axum::body::Bytes) -> Result<Json<OrderVersioned>, ApiError> {
    let Ok(text) = std::str::from_utf8(&body) else {
        return Err(ApiError::bad_input("file", "Filen är inte UTF-8-text."));
    };
    let (versions, events) = versions_from_file(&ctx, text)?;
    if events.is_empty() {
        return Ok(Json(OrderVersioned { versions, seq: 0 }));
    }
    let store = ctx.app.store.clone();
    let recorded = blocking(move || Ok(store.append(skyndsam_store::AppendRequest::new(events))?)).await?;
    Ok(Json(OrderVersioned { versions, seq: recorded.first().map_or(0, |e| e.seq) }))
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
            spec(
                M::POST,
                "/api/redelegations/revoke",
                "revoke_redelegation",
                "Återkalla en vidaredelegering innan den upphör av sig själv",
                "delegation",
                REDELEGATORS,
                Some("cases:write"),
                Some(crate::routes::schema::<skyndsam_domain::events::RedelegationRevoked>),
                Some(crate::routes::schema::<RedelegationRevokedView>),
                200,
            ),
            axum::routing::post(revoke_redelegation),
        ),
        (
            spec(
                M::GET,
                "/api/delegation-order",
                "delegation_order",
                "Delegationsordningen: versionen som gäller i dag, grundversionen och alla daterade versioner",
                "delegation",
                ORDER_READERS,
                Some("cases:read"),
                None,
                Some(crate::routes::schema::<DelegationOrderView>),
                200,
            ),
            get(get_order),
        ),
        (
            spec(
                M::GET,
                "/api/delegation-order.toml",
                "delegation_order_toml",
                "Delegationsordningen som fil (TOML, docs/delegation-order.md)",
                "delegation",
                ORDER_READERS,
                Some("cases:read"),
                None,
                None,
                200,
            ),
            get(get_order_toml),
        ),
        (
            spec(
                M::POST,
                "/api/delegation-order/versions",
                "delegation_order_version",
                "Ny daterad version av delegationsordningen (gäller från valid_from, tidigast i dag)",
                "delegation",
                ORDER_EDITORS,
                Some("cases:write"),
                Some(crate::routes::schema::<skyndsam_domain::rules::DelegationOrderVersion>),
                Some(crate::routes::schema::<OrderVersioned>),
                201,
            ),
            axum::routing::post(post_version),
        ),
        (
            spec(
                M::PUT,
                "/api/delegation-order.toml",
                "delegation_order_upload",
                "Läs in delegationsordningen som fil: nya versioner registreras, befintliga kan inte ändras",
                "delegation",
                ORDER_EDITORS,
                Some("cases:write"),
                None,
                Some(crate::routes::schema::<OrderVersioned>),
                200,
            ),
            axum::routing::put(put_order_toml),
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
