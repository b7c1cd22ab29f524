//! Anmälan av delegationsbeslut as a page: the board's list for a period and (optionally) one
//! decider, printable (plain tables, the print style sheet hides the chrome), with the CSV
//! download. The period is a GET form that keeps its input and shows errors beside the fields.

use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use std::collections::HashMap;

use super::pages::{render, Chrome, FormState};
use super::session::{Fields, Session, UiError};
use crate::delegation_api::{get_board_list_csv, list, BoardQuery};

pub use crate::delegation_api::BOARD_READERS;

pub struct DecisionRow {
    pub decided_on: String,
    pub name: String,
    pub decider: String,
    pub role: &'static str,
    pub basis: String,
    pub authorised: bool,
    pub case: String,
}

pub struct RedelegationRowView {
    pub redelegation: String,
    pub decided_on: String,
    pub decided_by: String,
    pub delegates: String,
    pub decisions: String,
    pub period: String,
    pub revoked: String,
}

#[derive(Template)]
#[template(path = "board_list.html")]
struct BoardPage {
    chrome: Option<Chrome>,
    form: FormState,
    prefix: &'static str,
    query: String,
    decisions: Vec<DecisionRow>,
    redelegations: Vec<RedelegationRowView>,
    shown: bool,
}

pub async fn page(s: Session, Query(q): Query<HashMap<String, String>>) -> Result<Response, UiError> {
    let get = |k: &str| q.get(k).map(|v| v.trim().to_owned()).unwrap_or_default();
    let values: Vec<(String, String)> = ["from", "to", "decider"].iter().map(|k| ((*k).to_owned(), get(k))).collect();
    let mut form = FormState { values: Fields(values), errors: Vec::new() };
    let date = |form: &mut FormState, k: &str| -> Option<NaiveDate> {
        let v = get(k);
        if v.is_empty() {
            return None;
        }
        let d = NaiveDate::parse_from_str(&v, "%Y-%m-%d").ok();
        if d.is_none() {
            form.add(k, "Skriv datumet som ÅÅÅÅ-MM-DD.");
        }
        d
    };
    let from = date(&mut form, "from");
    let to = date(&mut form, "to");
    if let (Some(f), Some(t)) = (from, to) {
        if t < f {
            form.add("to", "Slutdatum kan inte vara före startdatum.");
        }
    }
    let decider = get("decider");
    let decider = if decider.is_empty() {
        None
    } else {
        match skyndsam_domain::ids::StaffId::parse(&decider) {
            Ok(d) => Some(d),
            Err(_) => {
                form.add("decider", "Ange beslutsfattarens användar-id.");
                None
            }
        }
    };
    let mut page = BoardPage {
        chrome: Some(Chrome::of(&s)),
        query: String::new(),
        form,
        prefix: "period",
        decisions: Vec::new(),
        redelegations: Vec::new(),
        shown: false,
    };
    if page.form.errors.is_empty() {
        let l = list(&s.ctx, BoardQuery { from, to, decider: decider.clone() }).await?;
        page.query = format!(
            "from={}&to={}{}",
            l.from,
            l.to,
            decider.map(|d| format!("&decider={}", d.as_str())).unwrap_or_default()
        );
        page.decisions = l
            .decisions
            .iter()
            .map(|d| DecisionRow {
                decided_on: d.decided_on.to_string(),
                name: d.name.clone(),
                decider: d.decider.as_str().to_owned(),
                role: d.role.label_sv(),
                basis: d.basis.clone(),
                authorised: d.authorised,
                case: d.case.map(|c| c.to_string()).unwrap_or_default(),
            })
            .collect();
        page.redelegations = l
            .redelegations
            .iter()
            .map(|r| RedelegationRowView {
                redelegation: r.redelegation.clone(),
                decided_on: r.decided_on.to_string(),
                decided_by: r.decided_by.as_str().to_owned(),
                delegates: r.delegates.iter().map(|x| x.as_str()).collect::<Vec<_>>().join(", "),
                decisions: r.decisions.iter().map(|x| decision_name(&s, *x)).collect::<Vec<_>>().join(", "),
                period: format!("{} – {}", r.from, r.to),
                revoked: r.revoked_on.map(|d| d.to_string()).unwrap_or_default(),
            })
            .collect();
        page.shown = true;
    }
    let status = if page.shown { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok(render(status, &page))
}

/// The CSV from the page, under the session (the same as the API's).
pub async fn csv(s: Session, q: Query<BoardQuery>) -> Result<Response, UiError> {
    Ok(get_board_list_csv(s.ctx, q).await?)
}

/// The decision type's name in the delegation order in force today (Swedish).
fn decision_name(s: &Session, d: skyndsam_domain::rules::DecisionType) -> String {
    let p = s.ctx.app.store.projections();
    let (_, order) = p.rules().delegation_order_on(skyndsam_domain::calendar::local_date(s.ctx.now));
    order.iter().find(|r| r.decision == d).map_or_else(|| d.as_str().to_owned(), |r| r.name.clone())
}
