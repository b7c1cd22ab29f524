//! Att göra: every user's home page, their deadlines in traffic-light order.

use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use skyndsam_domain::clock::DeadlineState;

use super::pages::{render, state_class, Chrome};
use super::session::{Session, UiError};
use crate::views::person_of;

// ------------------------------------------------------------------ Att göra

pub struct TodoRow {
    pub case: String,
    pub child: String,
    pub kind: &'static str,
    pub last_day: String,
    pub state: &'static str,
    pub state_class: &'static str,
    pub handler: String,
}

pub struct TodoGroup {
    pub id: &'static str,
    pub title: &'static str,
    /// The rows shown: the first [`SHOWN_PER_GROUP`], or all when the user asked for them.
    pub rows: Vec<TodoRow>,
    /// How many deadlines the group holds in all.
    pub total: usize,
}

/// Rows shown per group at first. The heading always gives the whole count and a link
/// shows the group in full (`?visa=<group>`): a unit's manager with thousands of open
/// cases gets the most urgent ones at once, not a page of thousands of rows.
pub const SHOWN_PER_GROUP: usize = 100;

#[derive(Template)]
#[template(path = "todo.html")]
struct TodoPage {
    chrome: Option<Chrome>,
    groups: Vec<TodoGroup>,
    mine: bool,
    quality: super::quality::TodoQuality,
}

#[derive(Deserialize, Default)]
pub struct TodoQuery {
    mina: Option<String>,
    /// A group to show in full.
    visa: Option<String>,
}

/// Att göra: the deadlines the user may see, in traffic-light order (overdue, today,
/// soon, later). A list: not logged per row, as in the API.
pub async fn todo(s: Session, Query(q): Query<TodoQuery>) -> Result<Response, UiError> {
    if !crate::routes::READERS.contains(&s.ctx.actor.role) {
        return Ok(Redirect::to(super::pages::home_of(s.ctx.actor.role)).into_response());
    }
    let mine = q.mina.as_deref() == Some("1");
    let ctx = &s.ctx;
    let units = ctx.scope.book_units();
    let me = &ctx.actor.staff;
    let group = |id, title| TodoGroup { id, title, rows: Vec::new(), total: 0 };
    let mut groups = vec![
        group("forsenade", "Försenade"),
        group("i-dag", "Går ut i dag"),
        group("snart", "Går snart ut"),
        group("kommande", "Kommande"),
    ];
    {
        let p = ctx.app.store.projections();
        // The deadline book of the caller's units, soonest first; each case through the
        // caller's scope (as `routes::book_rows` does for the API).
        for r in p.deadline_book_iter(&units, ctx.now) {
            let Some(c) = p.case(&r.case) else { continue };
            let Some(a) = ctx.scope.access(c) else { continue };
            if mine && c.handler.as_ref() != Some(me) {
                continue;
            }
            let i = match r.state {
                DeadlineState::Overdue => 0,
                DeadlineState::DueToday => 1,
                DeadlineState::DueSoon => 2,
                _ => 3,
            };
            let Some(g) = groups.get_mut(i) else { continue };
            g.total += 1;
            if g.rows.len() >= SHOWN_PER_GROUP && q.visa.as_deref() != Some(g.id) {
                continue;
            }
            let handler = match &c.handler {
                Some(h) if h == me => "Du".to_owned(),
                Some(h) => h.to_string(),
                None => "Ej fördelat".to_owned(),
            };
            g.rows.push(TodoRow {
                case: r.case.to_string(),
                child: person_of(&p, &c.child, a.view, ctx.scope.see_protected, &ctx.app.pseudonyms).name,
                kind: r.kind.label_sv(),
                last_day: r.last_day.to_string(),
                state: r.state.label_sv(),
                state_class: state_class(r.state),
                handler,
            });
        }
    }
    let quality = super::quality::todo_section(&s);
    Ok(render(StatusCode::OK, &TodoPage { chrome: Some(Chrome::of(&s)), groups, mine, quality }))
}
