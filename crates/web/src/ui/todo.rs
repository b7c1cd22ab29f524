//! Att göra: every user's home page, their deadlines in traffic-light order.

use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use skyndsam_domain::clock::DeadlineState;

use super::pages::{render, state_class, Chrome};
use super::session::{Session, UiError};
use crate::routes::book_rows;

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
    pub rows: Vec<TodoRow>,
}

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
}

/// Att göra: the deadlines the user may see, in traffic-light order (overdue, today,
/// soon, later). A list: not logged per row, as in the API.
pub async fn todo(s: Session, Query(q): Query<TodoQuery>) -> Result<Response, UiError> {
    let mine = q.mina.as_deref() == Some("1");
    let ctx = &s.ctx;
    let units = ctx.scope.book_units();
    let rows = book_rows(ctx, &units, 1000);
    let me = &ctx.actor.staff;
    let mut groups = vec![
        TodoGroup { id: "forsenade", title: "Försenade", rows: Vec::new() },
        TodoGroup { id: "i-dag", title: "Går ut i dag", rows: Vec::new() },
        TodoGroup { id: "snart", title: "Går snart ut", rows: Vec::new() },
        TodoGroup { id: "kommande", title: "Kommande", rows: Vec::new() },
    ];
    for r in rows.into_iter().filter(|r| !mine || r.handler.as_ref() == Some(me)) {
        let i = match r.state {
            DeadlineState::Overdue => 0,
            DeadlineState::DueToday => 1,
            DeadlineState::DueSoon => 2,
            _ => 3,
        };
        let handler = match &r.handler {
            Some(h) if h == me => "Du".to_owned(),
            Some(h) => h.to_string(),
            None => "Ej fördelat".to_owned(),
        };
        if let Some(g) = groups.get_mut(i) {
            g.rows.push(TodoRow {
                case: r.case.to_string(),
                child: r.child.name,
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
