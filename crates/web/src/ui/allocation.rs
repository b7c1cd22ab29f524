//! Fördelning: the team leader's allocation of cases to handlers.

use askama::Template;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use skyndsam_domain::calendar::local_date;
use skyndsam_domain::commands::CaseCommand;
use skyndsam_domain::ids::CaseId;
use skyndsam_domain::org::Role;

use super::pages::{local_time, render, send, Chrome, FormState};
use super::session::{Session, SessionForm, UiError};
use crate::routes::{parse_case, writable};

// ------------------------------------------------------------------ Fördelning

pub struct AllocRow {
    pub case: String,
    pub version: u32,
    pub child: String,
    pub kind: &'static str,
    pub received: String,
    pub unit: String,
    pub error: Option<String>,
    pub selected: String,
}

#[derive(Template)]
#[template(path = "allocation.html")]
struct AllocationPage {
    chrome: Option<Chrome>,
    csrf: String,
    rows: Vec<AllocRow>,
    handlers: Vec<(String, String)>,
}

/// Fördelning: the open cases without a handler in the caller's units, each with a choice
/// of the handlers there. A list: not logged per row.
fn allocation_page(s: &Session, failed: Option<(CaseId, String, String)>) -> AllocationPage {
    let ctx = &s.ctx;
    let p = ctx.app.store.projections();
    let units = ctx.scope.book_units();
    let today = local_date(ctx.now);
    let mut handlers: Vec<(String, String)> =
        p.org
            .staff
            .values()
            .filter(|st| {
                p.org.roles_of(&st.id, today).iter().any(|(r, u)| {
                    matches!(r, Role::Handler | Role::TeamLeader | Role::UnitManager) && units.contains(u)
                })
            })
            .map(|st| (st.id.to_string(), format!("{} ({})", st.name, st.title)))
            .collect();
    handlers.sort_by(|a, b| a.1.cmp(&b.1));
    let rows = ctx
        .scope
        .open_cases(&p)
        .into_iter()
        .filter(|(c, a)| c.handler.is_none() && a.view == crate::scope::View::Full)
        .map(|(c, a)| {
            let child = crate::views::person_of(&p, &c.child, a.view, ctx.scope.see_protected, &ctx.app.pseudonyms);
            let (error, selected) = match &failed {
                Some((id, msg, sel)) if *id == c.case => (Some(msg.clone()), sel.clone()),
                _ => (None, String::new()),
            };
            AllocRow {
                case: c.case.to_string(),
                version: c.version,
                child: child.name,
                kind: c.kind.label_sv(),
                received: local_time(c.received_at),
                unit: p.org.unit(&c.unit).map(|u| u.name.clone()).unwrap_or_else(|| c.unit.to_string()),
                error,
                selected,
            }
        })
        .collect();
    AllocationPage { chrome: Some(Chrome::of(s)), csrf: s.csrf.clone(), rows, handlers }
}

pub async fn allocation(s: Session) -> Result<Response, UiError> {
    Ok(render(StatusCode::OK, &allocation_page(&s, None)))
}

/// Allocates a case to a handler in its unit (the API's Allocate command).
pub async fn allocate(Path(id): Path<String>, f: SessionForm) -> Result<Response, UiError> {
    let case = parse_case(&id).map_err(|_| UiError::not_found())?;
    let s = f.session;
    writable(&s.ctx, case).await?;
    let mut form = FormState { values: f.fields, errors: Vec::new() };
    let handler = form.values.opt("handler");
    let unit = s.ctx.app.store.projections().case(&case).map(|c| c.unit.clone());
    match (handler.as_deref().map(skyndsam_domain::ids::StaffId::parse), unit) {
        (Some(Ok(h)), Some(unit)) => {
            let cmd = CaseCommand::Allocate(skyndsam_domain::events::Allocated { unit, handler: Some(h) });
            if send(&mut form, &s, case, cmd, "handler").await? {
                return Ok(Redirect::to("/fordelning").into_response());
            }
        }
        _ => form.add("handler", "Välj en handläggare."),
    }
    let message = form.errors.first().map(|e| e.message.clone()).unwrap_or_default();
    let page = allocation_page(&s, Some((case, message, form.value("handler").to_owned())));
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}
