//! Fördelning: the team leader's (or unit manager's) weekly allocation. Unallocated
//! investigations by triage colour and age, the other unallocated cases, each handler's
//! caseload weighted by colour (the rule table's `case_weights`), and one action per case:
//! a handler (and, for an investigation, its colour). What cannot be allocated stays on
//! the page, visibly unallocated, with the reason.
//!
//! An allocator in an intake (mottagning) unit also hands cases over: to an investigation
//! enhet of the same area (allocated there by its team leader) or straight to one of its
//! handlers. The domain's `Allocate` judges the handler against the unit.

use askama::Template;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use skyndsam_domain::calendar::local_date;
use skyndsam_domain::case::CaseState;
use skyndsam_domain::commands::CaseCommand;
use skyndsam_domain::events::{Allocated, Triage, TriageSet};
use skyndsam_domain::ids::{CaseId, StaffId, UnitId};
use skyndsam_domain::org::{Organisation, Role, UnitFunction, UnitKind};
use skyndsam_domain::rules::CaseWeights;
use skyndsam_store::projections::Projections;

use super::pages::{render, Chrome, FormState};
use super::session::{Session, SessionForm, UiError};
use crate::routes::{parse_case, run_command, writable};

/// The triage colours as offered (value, label).
pub const COLOURS: &[(&str, &str)] = &[("red", "Röd"), ("yellow", "Gul"), ("green", "Grön")];

pub struct AllocRow {
    pub case: String,
    pub version: u32,
    pub child: String,
    pub kind: &'static str,
    pub step: &'static str,
    /// Received (or, for an investigation, opened) on.
    pub since: String,
    pub age_days: i64,
    pub unit: String,
    /// An investigation: its colour may be set with the allocation.
    pub investigation: bool,
    pub colour: String,
    pub error: Option<String>,
    pub selected: String,
}

pub struct AllocGroup {
    pub id: &'static str,
    pub title: &'static str,
    pub rows: Vec<AllocRow>,
}

/// One handler's open cases by colour and their weighted sum.
pub struct Load {
    pub name: String,
    pub red: usize,
    pub yellow: usize,
    pub green: usize,
    pub untriaged: usize,
    pub other: usize,
    pub weight: u32,
}

/// A choice in the allocation form: a handler (and the unit the case goes to with them), or
/// an enhet to hand the case over to.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub unit: UnitId,
    pub handler: Option<StaffId>,
    /// The handler's weighted caseload (own units' handlers).
    pub weight: Option<u32>,
}

#[derive(Template)]
#[template(path = "allocation.html")]
struct AllocationPage {
    chrome: Option<Chrome>,
    csrf: String,
    investigations: Vec<AllocGroup>,
    others: Vec<AllocRow>,
    loads: Vec<Load>,
    weights: CaseWeights,
    own: Vec<Choice>,
    handover: Vec<Choice>,
    colours: &'static [(&'static str, &'static str)],
}

/// The enhet a unit belongs to (the nearest unit of kind enhet at or above it).
fn enhet_of(org: &Organisation, u: &UnitId) -> UnitId {
    org.ancestors(u)
        .into_iter()
        .find(|a| org.unit(a).is_some_and(|x| x.kind == UnitKind::Unit))
        .unwrap_or_else(|| u.clone())
}

fn name_of(org: &Organisation, s: &StaffId) -> String {
    org.staff.get(s).map(|x| format!("{} ({})", x.name, x.title)).unwrap_or_else(|| s.to_string())
}

/// What the caller may allocate to: the handlers of their own units (the case goes to the
/// handler's enhet); for an intake allocator also the investigation enheter of the same area
/// and their handlers.
pub fn choices(s: &Session, p: &Projections) -> (Vec<Choice>, Vec<Choice>) {
    let org = &p.org;
    let today = local_date(s.ctx.now);
    let units = s.ctx.scope.full_units();
    let works = |r: &Role| matches!(r, Role::Handler | Role::TeamLeader | Role::UnitManager);
    let handlers_in = |set: &[UnitId]| -> Vec<Choice> {
        let mut v: Vec<Choice> = org
            .staff
            .values()
            .filter_map(|st| {
                let (_, u) = org.roles_of(&st.id, today).into_iter().find(|(r, u)| works(r) && set.contains(u))?;
                let enhet = enhet_of(org, &u);
                let unit_name = org.unit(&enhet).map(|x| x.name.clone()).unwrap_or_else(|| enhet.to_string());
                Some(Choice {
                    value: st.id.to_string(),
                    label: format!("{} – {unit_name}", name_of(org, &st.id)),
                    unit: enhet,
                    handler: Some(st.id.clone()),
                    weight: None,
                })
            })
            .collect();
        v.sort_by(|a, b| a.label.cmp(&b.label));
        v
    };
    let own = handlers_in(&units);
    let intake =
        s.ctx.actor.unit.as_ref().and_then(|u| org.unit(u)).is_some_and(|u| u.function == UnitFunction::Intake);
    if !intake {
        return (own, Vec::new());
    }
    // The intake's area: its investigation enheter receive what the intake hands over.
    let area = s
        .ctx
        .actor
        .unit
        .as_ref()
        .and_then(|u| org.ancestors(u).into_iter().find(|a| org.unit(a).is_some_and(|x| x.kind == UnitKind::Area)));
    let Some(area) = area else { return (own, Vec::new()) };
    let receiving: Vec<UnitId> = org
        .subtree(&area)
        .into_iter()
        .filter(|u| !units.contains(u))
        .filter(|u| {
            org.unit(u).is_some_and(|x| {
                matches!(x.function, UnitFunction::Investigation | UnitFunction::DomesticViolence | UnitFunction::Youth)
            })
        })
        .collect();
    let mut handover: Vec<Choice> = receiving
        .iter()
        .filter(|u| org.unit(u).is_some_and(|x| x.kind == UnitKind::Unit))
        .map(|u| Choice {
            value: format!("enhet:{u}"),
            label: format!("Lämna över till {} (fördelas där)", org.unit(u).map(|x| x.name.as_str()).unwrap_or("")),
            unit: u.clone(),
            handler: None,
            weight: None,
        })
        .collect();
    handover.sort_by(|a, b| a.label.cmp(&b.label));
    handover.extend(handlers_in(&receiving));
    (own, handover)
}

/// The caseload of each handler of the caller's units (open cases allocated to them).
fn loads(p: &Projections, own: &[Choice], w: &CaseWeights) -> Vec<Load> {
    own.iter()
        .filter_map(|c| c.handler.as_ref().map(|h| (c, h)))
        .map(|(c, h)| {
            let mut l = Load { name: c.label.clone(), red: 0, yellow: 0, green: 0, untriaged: 0, other: 0, weight: 0 };
            for case in p.open_cases_of_handler(h) {
                match case.open_investigation().map(|i| i.triage) {
                    Some(Some(Triage::Red)) => l.red += 1,
                    Some(Some(Triage::Yellow)) => l.yellow += 1,
                    Some(Some(Triage::Green)) => l.green += 1,
                    Some(None) => l.untriaged += 1,
                    None => l.other += 1,
                }
                l.weight += w.of(case);
            }
            l
        })
        .collect()
}

impl AllocationPage {
    fn no_investigations(&self) -> bool {
        self.investigations.iter().all(|g| g.rows.is_empty())
    }
}

fn colour_value(t: Option<Triage>) -> &'static str {
    match t {
        Some(Triage::Red) => "red",
        Some(Triage::Yellow) => "yellow",
        Some(Triage::Green) => "green",
        None => "",
    }
}

/// Fördelning: the open cases without a handler in the caller's units. A list: not logged
/// per row (names of children only, as on Att göra).
fn allocation_page(s: &Session, failed: Option<(CaseId, String, FormState)>) -> AllocationPage {
    let ctx = &s.ctx;
    let p = ctx.app.store.projections();
    let today = local_date(ctx.now);
    let weights = p.rules().case_weights.clone();
    let (mut own, handover) = choices(s, &p);
    let loads = loads(&p, &own, &weights);
    for (c, l) in own.iter_mut().filter(|c| c.handler.is_some()).zip(&loads) {
        c.weight = Some(l.weight);
    }
    let mut investigations = vec![
        AllocGroup { id: "rod", title: "Röd", rows: Vec::new() },
        AllocGroup { id: "gul", title: "Gul", rows: Vec::new() },
        AllocGroup { id: "gron", title: "Grön", rows: Vec::new() },
        AllocGroup { id: "ej-triagerad", title: "Ej triagerad", rows: Vec::new() },
    ];
    let mut others = Vec::new();
    let mut cases: Vec<(&CaseState, crate::scope::Access)> = ctx
        .scope
        .open_cases(&p)
        .into_iter()
        .filter(|(c, a)| c.handler.is_none() && a.view == crate::scope::View::Full)
        .collect();
    // Oldest first.
    cases.sort_by_key(|(c, _)| {
        (c.open_investigation().map(|i| i.opened_on).unwrap_or(local_date(c.received_at)), c.case)
    });
    for (c, a) in cases {
        let child = crate::views::person_of(&p, &c.child, a.view, ctx.scope.see_protected, &ctx.app.pseudonyms);
        let inv = c.open_investigation();
        let since = inv.map(|i| i.opened_on).unwrap_or_else(|| local_date(c.received_at));
        let (error, selected, colour) = match &failed {
            Some((id, msg, form)) if *id == c.case => {
                (Some(msg.clone()), form.value("handler").to_owned(), form.value("triage").to_owned())
            }
            _ => (None, String::new(), colour_value(inv.and_then(|i| i.triage)).to_owned()),
        };
        let row = AllocRow {
            case: c.case.to_string(),
            version: c.version,
            child: child.name,
            kind: c.kind.label_sv(),
            step: c.step().label_sv(),
            since: since.to_string(),
            age_days: (today - since).num_days(),
            unit: p.org.unit(&c.unit).map(|u| u.name.clone()).unwrap_or_else(|| c.unit.to_string()),
            investigation: inv.is_some(),
            colour,
            error,
            selected,
        };
        match inv.map(|i| i.triage) {
            Some(t) => {
                let i = match t {
                    Some(Triage::Red) => 0,
                    Some(Triage::Yellow) => 1,
                    Some(Triage::Green) => 2,
                    None => 3,
                };
                if let Some(g) = investigations.get_mut(i) {
                    g.rows.push(row);
                }
            }
            None => others.push(row),
        }
    }
    AllocationPage {
        chrome: Some(Chrome::of(s)),
        csrf: s.csrf.clone(),
        investigations,
        others,
        loads,
        weights,
        own,
        handover,
        colours: COLOURS,
    }
}

pub async fn allocation(s: Session) -> Result<Response, UiError> {
    Ok(render(StatusCode::OK, &allocation_page(&s, None)))
}

/// Allocates a case in one action: its colour (an investigation's, when chosen) and the
/// handler — or hands it over to an enhet. Only what the page offers is accepted; the
/// domain judges each act again.
pub async fn allocate(Path(id): Path<String>, f: SessionForm) -> Result<Response, UiError> {
    let case = parse_case(&id).map_err(|_| UiError::not_found())?;
    let s = f.session;
    writable(&s.ctx, case).await?;
    let mut form = FormState { values: f.fields, errors: Vec::new() };
    let (choice, current) = {
        let p = s.ctx.app.store.projections();
        let (own, handover) = choices(&s, &p);
        let wanted = form.value("handler").to_owned();
        let choice = own.into_iter().chain(handover).find(|c| !wanted.is_empty() && c.value == wanted);
        let current = p.case(&case).map(|c| (c.version, c.open_investigation().map(|i| i.triage)));
        (choice, current)
    };
    let triage = match form.value("triage") {
        "" => None,
        "red" => Some(Triage::Red),
        "yellow" => Some(Triage::Yellow),
        "green" => Some(Triage::Green),
        _ => {
            form.add("triage", "Välj en av färgerna.");
            None
        }
    };
    if choice.is_none() {
        let msg = if form.value("handler").is_empty() {
            "Välj en handläggare."
        } else {
            "Handläggaren eller enheten kan inte väljas här."
        };
        form.add("handler", msg);
    }
    let expected: u32 = form.value("expected_version").parse().unwrap_or(0);
    if let (true, Some(choice), Some((version, inv))) = (form.errors.is_empty(), choice, current) {
        let mut expected = expected;
        if expected != version {
            form.add("handler", "Ärendet har ändrats sedan du öppnade sidan. Kontrollera och fördela igen.");
        } else {
            let mut ok = true;
            // The colour first (an investigation's, when it changes): the first contact's
            // deadline follows it.
            if let (Some(colour), Some(current)) = (triage, inv) {
                if current != Some(colour) {
                    match run_command(s.ctx.clone(), case, expected, CaseCommand::SetTriage(TriageSet { colour }), None)
                        .await
                    {
                        Ok(r) => expected = r.0.version,
                        Err(e) if e.status.is_client_error() => {
                            form.add("triage", e.message);
                            ok = false;
                        }
                        Err(e) => return Err(e.into()),
                    }
                }
            }
            if ok {
                let cmd = CaseCommand::Allocate(Allocated { unit: choice.unit, handler: choice.handler });
                match run_command(s.ctx.clone(), case, expected, cmd, None).await {
                    Ok(_) => return Ok(Redirect::to("/fordelning").into_response()),
                    Err(e) if e.status.is_client_error() => form.add("handler", e.message),
                    Err(e) => return Err(e.into()),
                }
            }
        }
    }
    let message = form.errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join(" ");
    let page = allocation_page(&s, Some((case, message, form)));
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}
