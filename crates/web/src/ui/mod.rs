//! The server-rendered Swedish web UI (issue 4): askama templates, a session cookie on top
//! of `auth`'s session tokens, CSRF on every form, and pages that read through the same
//! `Scope` and access log as the API (see `docs/decisions/0009-web-ui.md`).
//!
//! Like the API, every UI route is one entry of a table ([`table`]); the router takes its
//! routes from it, the session extractor takes its role gate from it, and the UI's
//! authorisation matrix (tests/it/ui_matrix.rs) walks it.

pub mod allocation;
pub mod audit;
pub mod audit_templates;
pub mod board;
pub mod case;
pub mod checklist;
pub mod delegation_order;
pub mod etjanst;
pub mod intake;
pub mod investigation;
pub mod login;
pub mod overview;
pub mod pages;
pub mod quality;
pub mod redelegation;
pub mod reports;
pub mod review;
pub mod self_inspection;
pub mod session;
pub mod submission;
pub mod todo;

use axum::extract::Request;
use axum::http::{header, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, MethodRouter};
use skyndsam_domain::org::Role;
use std::sync::OnceLock;

use crate::app::AppState;
pub use crate::routes::PERSONS;
use crate::routes::{CASEWORKERS, READERS};

/// One page or form of the UI.
#[derive(Debug, Clone)]
pub struct UiRoute {
    pub method: Method,
    /// axum path syntax.
    pub path: &'static str,
    pub name: &'static str,
    /// No session needed.
    pub public: bool,
    /// The roles that pass the page's gate (the scope and the domain narrow further).
    pub roles: &'static [Role],
}

/// Who registers what comes in (the API's registrars, but not the e-tjänst's system role).
pub const INTAKE: &[Role] = &[Role::Registrar, Role::Handler, Role::TeamLeader, Role::UnitManager];

/// Who allocates cases (fördelning).
pub const ALLOCATORS: &[Role] = &[Role::TeamLeader, Role::UnitManager];

fn r(method: Method, path: &'static str, name: &'static str, roles: &'static [Role]) -> UiRoute {
    UiRoute { method, path, name, public: false, roles }
}

fn public(method: Method, path: &'static str, name: &'static str) -> UiRoute {
    UiRoute { method, path, name, public: true, roles: &[] }
}

/// Every UI route with its handler.
pub fn routes() -> Vec<(UiRoute, MethodRouter<AppState>)> {
    use Method as M;
    let mut v = vec![
        (public(M::GET, "/static/htmx.min.js", "htmx"), get(htmx)),
        (public(M::GET, "/static/skyndsam.css", "css"), get(css)),
        (public(M::GET, "/logga-in", "login_form"), get(login::login_form)),
        (public(M::POST, "/logga-in", "login"), post(login::login)),
        (public(M::GET, "/e-tjanst/orosanmalan", "etjanst_form"), get(etjanst::form)),
        (
            public(M::POST, "/e-tjanst/orosanmalan", "etjanst_submit"),
            post(etjanst::submit).layer(axum::extract::DefaultBodyLimit::max(etjanst::BODY_LIMIT)),
        ),
        (public(M::GET, "/e-tjanst/orosanmalan/kvitto", "etjanst_receipt"), get(etjanst::receipt)),
        (r(M::POST, "/logga-ut", "logout", PERSONS), post(login::logout)),
        // The start page: Att göra for those who read cases; anyone else is sent on to their own
        // start page (an error page's link and the logo lead here).
        (r(M::GET, "/", "todo", PERSONS), get(todo::todo)),
        (r(M::GET, "/arenden/{id}", "case", READERS), get(case::case_page)),
        (r(M::GET, "/mottagning", "intake", INTAKE), get(intake::intake)),
        (r(M::GET, "/fordelning", "allocation", ALLOCATORS), get(allocation::allocation)),
        (r(M::GET, "/arendegenomgang", "review_index", review::REVIEW), get(review::index)),
        (r(M::GET, "/arendegenomgang/{id}", "review", review::REVIEW), get(review::sheet)),
        (r(M::GET, "/enhetsoversikt", "overview", overview::MANAGERS), get(overview::overview)),
        (r(M::GET, "/styrkort", "scorecard", reports::SCORECARD), get(reports::scorecard)),
        (r(M::GET, "/styrkort/arenden", "indicator_cases", reports::DRILLERS), get(reports::drill_page)),
        (r(M::GET, "/rapporter", "reports", reports::REPORTERS), get(reports::page)),
        (r(M::GET, "/rapporter/fil", "report_file", reports::REPORTERS), get(reports::download)),
        (r(M::POST, "/rapporter/berattelse", "report_narrative", reports::NARRATORS), post(reports::write_narrative)),
        (r(M::POST, "/arenden/{id}/fordelning", "allocate", ALLOCATORS), post(allocation::allocate)),
        (r(M::POST, "/mottagning", "register", INTAKE), post(intake::register)),
        (r(M::GET, "/mottagning/e-tjanst/{id}", "submission", INTAKE), get(submission::show)),
        (r(M::POST, "/mottagning/e-tjanst/{id}", "submission_register", INTAKE), post(submission::register)),
        (r(M::POST, "/mottagning/e-tjanst/{id}/avsluta", "submission_dismiss", INTAKE), post(submission::dismiss)),
        (r(M::POST, "/arenden/{id}/skyddsbedomning", "protection_assessment", CASEWORKERS), post(case::protection)),
        (r(M::POST, "/arenden/{id}/forhandsbedomning", "preliminary_assessment", CASEWORKERS), post(case::preliminary)),
        (r(M::POST, "/arenden/{id}/forsta-kontakt", "first_contact", CASEWORKERS), post(investigation::first_contact)),
        (r(M::POST, "/arenden/{id}/utredning", "investigation_part", CASEWORKERS), post(investigation::part)),
        (r(M::POST, "/arenden/{id}/beslut", "investigation_decision", CASEWORKERS), post(investigation::decision)),
        (r(M::GET, "/aktgranskning", "file_audits", audit::AUDIT_READERS), get(audit::list)),
        (
            r(M::GET, "/aktgranskning/mallar", "audit_templates", audit_templates::AUDIT_READERS),
            get(audit_templates::list),
        ),
        (
            r(M::GET, "/aktgranskning/mallar/{function}", "audit_template", audit_templates::AUDIT_READERS),
            get(audit_templates::show),
        ),
        (
            r(
                M::POST,
                "/aktgranskning/mallar/{function}",
                "audit_template_set",
                crate::file_audit_api::TEMPLATE_EDITORS,
            ),
            post(audit_templates::save),
        ),
        (r(M::POST, "/aktgranskning", "file_audit_open", crate::file_audit_api::OPENERS), post(audit::open)),
        (r(M::GET, "/aktgranskning/{id}", "file_audit", audit::AUDIT_READERS), get(audit::page)),
        (r(M::POST, "/aktgranskning/{id}", "file_audit_act", audit::AUDIT_READERS), post(audit::act)),
        (r(M::GET, "/aktgranskning/{id}/akter/{case}", "file_audit_file", audit::AUDIT_READERS), get(audit::file)),
        (
            r(M::POST, "/aktgranskning/{id}/akter/{case}", "file_audit_answer", crate::file_audit_api::AUDITORS),
            post(audit::answer),
        ),
        (
            r(M::POST, "/aktgranskning/{id}/blad.xlsx", "file_audit_upload", crate::file_audit_api::AUDITORS),
            post(audit::upload),
        ),
        (r(M::GET, "/delegationsbeslut", "board_list", board::BOARD_READERS), get(board::page)),
        (r(M::GET, "/delegationsbeslut.csv", "board_list_csv", board::BOARD_READERS), get(board::csv)),
        (
            r(M::GET, "/delegationsordning", "delegation_order", delegation_order::ORDER_READERS),
            get(delegation_order::show),
        ),
        (
            r(M::GET, "/delegationsordning.toml", "delegation_order_toml", delegation_order::ORDER_READERS),
            get(delegation_order::download),
        ),
        (
            r(M::POST, "/delegationsordning", "delegation_order_version", delegation_order::ORDER_EDITORS),
            post(delegation_order::create),
        ),
        (
            r(M::POST, "/delegationsordning/fil", "delegation_order_upload", delegation_order::ORDER_EDITORS),
            post(delegation_order::upload),
        ),
        (r(M::GET, "/vidaredelegering", "redelegations", redelegation::REDELEGATORS), get(redelegation::show)),
        (
            r(M::POST, "/vidaredelegering", "redelegation_record", redelegation::REDELEGATORS),
            post(redelegation::record),
        ),
        (
            r(M::POST, "/vidaredelegering/aterkalla", "redelegation_revoke", redelegation::REDELEGATORS),
            post(redelegation::revoke),
        ),
        (r(M::GET, "/egenkontroll", "self_inspection", self_inspection::SELF_INSPECTORS), get(self_inspection::page)),
        (
            r(M::GET, "/egenkontroll/arenden", "self_inspection_cases", self_inspection::SELF_INSPECTORS),
            get(self_inspection::cases),
        ),
        (r(M::GET, "/aktgranskning/{id}/blad.xlsx", "file_audit_sheet", audit::AUDIT_READERS), get(audit::sheet)),
    ];
    v.extend(quality::routes());
    v
}

/// The table alone (for the session extractor's gate and the tests).
pub fn table() -> &'static [UiRoute] {
    static TABLE: OnceLock<Vec<UiRoute>> = OnceLock::new();
    TABLE.get_or_init(|| routes().into_iter().map(|(s, _)| s).collect())
}

static HTMX: &[u8] = include_bytes!("../../static/htmx.min.js");
static CSS: &[u8] = include_bytes!("../../static/skyndsam.css");

fn asset(body: &'static [u8], content_type: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400")),
        ],
        body,
    )
        .into_response()
}

async fn htmx() -> Response {
    asset(HTMX, "text/javascript; charset=utf-8")
}

async fn css() -> Response {
    asset(CSS, "text/css; charset=utf-8")
}

/// Headers on every HTML page: nothing from elsewhere, no framing, no caching of record
/// data, no referrer leaking case ids.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    if html {
        let h = res.headers_mut();
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            ),
        );
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
        h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}
