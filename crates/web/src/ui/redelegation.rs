//! Vidaredelegering (issue 5 item 2) as a form: the förvaltningschef's written decision —
//! reference, decision types (only those the order in force marks re-delegable are offered),
//! delegates, unit scope, from/to (at most `[redelegation] max_days`), the written text — and
//! the list of current and ended re-delegations with a revoke form each. It sends the same
//! domain commands as the API (`decide_redelegation`, `revoke_redelegation`): a refusal is
//! shown next to its field in Swedish, the input kept, nothing written.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use skyndsam_domain::calendar::local_date;
use skyndsam_domain::events::{RedelegationDecided, RedelegationRevoked};
use skyndsam_domain::ids::{StaffId, UnitId};
use skyndsam_domain::rules::DecisionType;

use super::pages::{parse_date, refused, render, Chrome, FormState};
use super::session::{Fields, Session, SessionForm, UiError};
use crate::delegation_api::append_org;

pub use crate::delegation_api::REDELEGATORS;

pub struct Row {
    pub id: String,
    pub decided_on: String,
    pub decided_by: String,
    pub delegates: String,
    pub decisions: String,
    pub unit: String,
    pub period: String,
    pub status: String,
    pub revocable: bool,
}

#[derive(Template)]
#[template(path = "redelegation.html")]
struct Page {
    chrome: Option<Chrome>,
    form: FormState,
    prefix: &'static str,
    decisions: Vec<(String, String)>,
    units: Vec<(String, String)>,
    max_days: u32,
    rows: Vec<Row>,
    revoke: FormState,
    revoke_target: String,
    today: String,
}

fn decision_value(d: DecisionType) -> String {
    d.as_str().to_owned()
}

fn page(s: &Session, form: FormState, revoke: FormState, revoke_target: String) -> Page {
    let p = s.ctx.app.store.projections();
    let today = local_date(s.ctx.now);
    let (_, order) = p.rules().delegation_order_on(today);
    let decisions =
        order.iter().filter(|r| r.redelegable).map(|r| (decision_value(r.decision), r.name.clone())).collect();
    let name_of = |d: DecisionType| {
        order.iter().find(|r| r.decision == d).map_or_else(|| d.as_str().to_owned(), |r| r.name.clone())
    };
    let mut units: Vec<(String, String)> =
        p.org.units.values().map(|u| (u.id.as_str().to_owned(), u.name.clone())).collect();
    units.sort_by(|a, b| a.1.cmp(&b.1));
    let mut list: Vec<_> = p.org.redelegations.iter().collect();
    list.sort_by(|a, b| b.from.cmp(&a.from).then(a.id.cmp(&b.id)));
    let rows = list
        .into_iter()
        .map(|r| {
            let status = match r.revoked_on {
                Some(on) if on <= today => format!("Återkallad från {on}"),
                Some(on) => format!("Återkallas från {on}"),
                None if r.to < today => "Upphörd".to_owned(),
                None if r.from > today => "Kommande".to_owned(),
                None => "Gäller".to_owned(),
            };
            Row {
                id: r.id.clone(),
                decided_on: r.decided_on.to_string(),
                decided_by: r.decided_by.as_str().to_owned(),
                delegates: r.delegates.iter().map(|x| x.as_str()).collect::<Vec<_>>().join(", "),
                decisions: r.decisions.iter().map(|d| name_of(*d)).collect::<Vec<_>>().join(", "),
                unit: r.unit.as_ref().map_or_else(
                    || "Hela förvaltningen".to_owned(),
                    |u| p.org.unit(u).map_or_else(|| u.as_str().to_owned(), |x| x.name.clone()),
                ),
                period: format!("{} – {}", r.from, r.to),
                status,
                revocable: r.revoked_on.is_none() && r.to >= today,
            }
        })
        .collect();
    Page {
        chrome: Some(Chrome::of(s)),
        form,
        prefix: "vidare",
        decisions,
        units,
        max_days: p.rules().redelegation.max_days,
        rows,
        revoke,
        revoke_target,
        today: today.to_string(),
    }
}

/// GET /vidaredelegering
pub async fn show(s: Session) -> Result<Response, UiError> {
    let today = local_date(s.ctx.now).to_string();
    let form = FormState {
        values: Fields(vec![("decided_on".into(), today.clone()), ("from".into(), today)]),
        errors: Vec::new(),
    };
    Ok(render(StatusCode::OK, &page(&s, form, FormState::default(), String::new())))
}

/// POST /vidaredelegering
pub async fn record(f: SessionForm) -> Result<Response, UiError> {
    let s = f.session;
    let mut form = FormState { values: f.fields, errors: Vec::new() };
    let reference = form.value("redelegation").trim().to_owned();
    let mut decisions = Vec::new();
    for (k, v) in &form.values.0 {
        if k == "decisions" {
            if let Ok(d) = serde_json::from_value::<DecisionType>(serde_json::Value::String(v.clone())) {
                decisions.push(d);
            }
        }
    }
    if decisions.is_empty() {
        form.add("decisions", "Välj minst en beslutstyp.");
    }
    let mut delegates = Vec::new();
    let raw = form.value("delegates").to_owned();
    for part in raw.split([',', ' ', ';']).map(str::trim).filter(|x| !x.is_empty()) {
        match StaffId::parse(part) {
            Ok(id) => delegates.push(id),
            Err(_) => {
                form.add("delegates", format!("\"{part}\" är inte ett användar-id."));
                break;
            }
        }
    }
    if delegates.is_empty() && form.error("delegates").is_none() {
        form.add("delegates", "Ange minst en delegat (användar-id, kommaseparerade).");
    }
    let unit = match form.values.opt("unit") {
        None => None,
        Some(u) => match UnitId::parse(&u) {
            Ok(u) => Some(u),
            Err(_) => {
                form.add("unit", "Välj en enhet i listan.");
                None
            }
        },
    };
    let from = parse_date(&mut form, "from", "första dag");
    let to = parse_date(&mut form, "to", "sista dag (vidaredelegering gäller alltid till ett datum)");
    let decided_on: Option<NaiveDate> = if form.value("decided_on").trim().is_empty() {
        Some(local_date(s.ctx.now))
    } else {
        parse_date(&mut form, "decided_on", "beslutsdatum")
    };
    let document = form.value("document").trim().to_owned();
    let reason = form.value("reason").trim().to_owned();
    if let (Some(from), Some(to), Some(decided_on), true) = (from, to, decided_on, form.errors.is_empty()) {
        let r = RedelegationDecided {
            redelegation: reference,
            decisions,
            delegates,
            unit,
            from,
            to,
            decided_on,
            document,
            reason,
        };
        match append_org(&s.ctx, |c| skyndsam_domain::commands::decide_redelegation(&r, c)).await {
            Ok(_) => return Ok(Redirect::to("/vidaredelegering").into_response()),
            Err(e) => refused(&mut form, e, "redelegation")?,
        }
    }
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page(&s, form, FormState::default(), String::new())))
}

/// POST /vidaredelegering/aterkalla
pub async fn revoke(f: SessionForm) -> Result<Response, UiError> {
    let s = f.session;
    let mut form = FormState { values: f.fields, errors: Vec::new() };
    let target = form.value("redelegation").trim().to_owned();
    let on = parse_date(&mut form, "on", "första dag den inte längre gäller");
    if let (Some(on), true) = (on, form.errors.is_empty()) {
        let r =
            RedelegationRevoked { redelegation: target.clone(), on, reason: form.value("reason").trim().to_owned() };
        match append_org(&s.ctx, |c| skyndsam_domain::commands::revoke_redelegation(&r, c)).await {
            Ok(_) => return Ok(Redirect::to("/vidaredelegering").into_response()),
            Err(e) => refused(&mut form, e, "reason")?,
        }
    }
    let today = local_date(s.ctx.now).to_string();
    let main = FormState {
        values: Fields(vec![("decided_on".into(), today.clone()), ("from".into(), today)]),
        errors: Vec::new(),
    };
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page(&s, main, form, target)))
}
