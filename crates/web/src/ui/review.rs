//! Ärendegenomgång (DOMAIN §4, `CaseReview`): the monthly review sheet of one handler, for
//! their team leader (or unit manager) and for the handler themself — their open cases,
//! every pending deadline with its state, interventions whose decided period has run out or
//! is about to, and the caseload weighted by triage colour. Printable (print CSS).
//!
//! Built from the projections only (no free text): a list, not logged per row, like Att
//! göra. A case of the handler the reader may not see is counted, never shown.

use askama::Template;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Datelike;
use skyndsam_domain::calendar::local_date;
use skyndsam_domain::clock::{deadlines, DeadlineKind, DeadlineState};
use skyndsam_domain::events::Triage;
use skyndsam_domain::ids::{StaffId, UnitId};
use skyndsam_domain::org::Role;
use skyndsam_store::projections::Projections;

use super::pages::{render, state_class, Chrome};
use super::session::{Session, UiError};
use crate::scope::View;

/// Who holds a review (and is reviewed): the gate of the review pages.
pub const REVIEW: &[Role] = &[Role::Handler, Role::TeamLeader, Role::UnitManager];

/// Swedish month names (for the sheet's heading).
const MONTHS: [&str; 12] = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
];

pub struct Reviewed {
    pub id: String,
    pub name: String,
    pub open: usize,
    pub weight: u32,
}

#[derive(Template)]
#[template(path = "review_index.html")]
struct IndexPage {
    chrome: Option<Chrome>,
    handlers: Vec<Reviewed>,
}

pub struct CaseLine {
    pub case: String,
    pub child: String,
    pub step: &'static str,
    pub since: String,
    pub colour: &'static str,
    pub weight: u32,
    pub next: String,
    pub next_state: &'static str,
    pub next_class: &'static str,
}

pub struct DeadlineLine {
    pub case: String,
    pub child: String,
    pub name: String,
    pub last_day: String,
    pub state: &'static str,
    pub class: &'static str,
}

pub struct InterventionLine {
    pub case: String,
    pub child: String,
    pub kind: &'static str,
    pub to: String,
    pub state: &'static str,
    pub class: &'static str,
}

#[derive(Template)]
#[template(path = "review.html")]
struct SheetPage {
    chrome: Option<Chrome>,
    name: String,
    title: String,
    month: String,
    today: String,
    cases: Vec<CaseLine>,
    deadlines: Vec<DeadlineLine>,
    interventions: Vec<InterventionLine>,
    /// Open cases by colour: röd, gul, grön, ej triagerad, övriga.
    counts: [usize; 5],
    weight: u32,
    /// Cases of the handler outside the reader's scope: counted, not shown.
    hidden: usize,
    notice_days: u32,
}

fn works(r: Role) -> bool {
    matches!(r, Role::Handler | Role::TeamLeader)
}

/// The staff the caller may review: themself as a handler; as a team leader or unit manager,
/// those holding a handler's or team leader's role in the units they see in full.
fn reviewable(s: &Session, p: &Projections) -> Vec<StaffId> {
    let me = &s.ctx.actor.staff;
    if s.ctx.actor.role == Role::Handler {
        return vec![me.clone()];
    }
    let units: Vec<UnitId> = s.ctx.scope.full_units();
    let today = local_date(s.ctx.now);
    let mut v: Vec<StaffId> = p
        .org
        .staff
        .values()
        .filter(|st| p.org.roles_of(&st.id, today).iter().any(|(r, u)| works(*r) && units.contains(u)))
        .map(|st| st.id.clone())
        .collect();
    v.sort_by_key(|id| p.org.staff.get(id).map(|x| x.name.clone()).unwrap_or_default());
    v
}

/// Ärendegenomgång: whom the caller may review (a handler: themself), with their caseload.
pub async fn index(s: Session) -> Result<Response, UiError> {
    let handlers = {
        let p = s.ctx.app.store.projections();
        let w = &p.rules().case_weights;
        reviewable(&s, &p)
            .into_iter()
            .map(|id| {
                let open: Vec<_> = p.open_cases_of_handler(&id).collect();
                Reviewed {
                    id: id.to_string(),
                    name: p.org.staff.get(&id).map(|x| x.name.clone()).unwrap_or_else(|| id.to_string()),
                    open: open.len(),
                    weight: open.iter().map(|c| w.of(c)).sum(),
                }
            })
            .collect()
    };
    Ok(render(StatusCode::OK, &IndexPage { chrome: Some(Chrome::of(&s)), handlers }))
}

fn colour(t: Option<Option<Triage>>) -> (&'static str, usize) {
    match t {
        Some(Some(Triage::Red)) => ("röd", 0),
        Some(Some(Triage::Yellow)) => ("gul", 1),
        Some(Some(Triage::Green)) => ("grön", 2),
        Some(None) => ("ej triagerad", 3),
        None => ("–", 4),
    }
}

/// The sheet of one handler, as of today.
pub async fn sheet(s: Session, Path(id): Path<String>) -> Result<Response, UiError> {
    let staff = StaffId::parse(&id).map_err(|_| UiError::not_found())?;
    let page = {
        let p = s.ctx.app.store.projections();
        if !reviewable(&s, &p).contains(&staff) {
            return Err(UiError::not_found());
        }
        let ctx = &s.ctx;
        let now = ctx.now;
        let today = local_date(now);
        let rules = p.rules();
        let w = &rules.case_weights;
        let member = p.org.staff.get(&staff);
        let mut cases = Vec::new();
        let mut dls = Vec::new();
        let mut interventions = Vec::new();
        let mut counts = [0usize; 5];
        let mut weight = 0;
        let mut hidden = 0;
        let mut open: Vec<_> = p.open_cases_of_handler(&staff).collect();
        open.sort_by_key(|c| (c.received_at, c.case));
        for c in open {
            let Some(a) = ctx.scope.access(c).filter(|a| a.view == View::Full) else {
                hidden += 1;
                continue;
            };
            let child =
                crate::views::person_of(&p, &c.child, a.view, ctx.scope.see_protected, &ctx.app.pseudonyms).name;
            let inv = c.open_investigation();
            let (col, i) = colour(inv.map(|i| i.triage));
            if let Some(n) = counts.get_mut(i) {
                *n += 1;
            }
            let cw = w.of(c);
            weight += cw;
            let mut pending: Vec<_> = deadlines(c, rules, now).into_iter().filter(|d| d.state.is_pending()).collect();
            pending.sort_by_key(|d| (d.state, d.spec.due_at));
            let next = pending.first();
            cases.push(CaseLine {
                case: c.case.to_string(),
                child: child.clone(),
                step: c.step().label_sv(),
                since: inv.map(|i| i.opened_on).unwrap_or_else(|| local_date(c.received_at)).to_string(),
                colour: col,
                weight: cw,
                next: next.map(|d| format!("{} {}", d.name, d.spec.last_day)).unwrap_or_else(|| "–".into()),
                next_state: next.map(|d| d.state.label_sv()).unwrap_or(""),
                next_class: next.map(|d| state_class(d.state)).unwrap_or(""),
            });
            for d in &pending {
                if let DeadlineKind::InterventionExpiry(iid) = d.spec.kind {
                    // Run out or about to: the decision must be renewed or the insats ended.
                    if matches!(d.state, DeadlineState::Overdue | DeadlineState::DueToday | DeadlineState::DueSoon) {
                        let kind = c.intervention(iid).map(|x| x.kind.label_sv()).unwrap_or("");
                        interventions.push(InterventionLine {
                            case: c.case.to_string(),
                            child: child.clone(),
                            kind,
                            to: d.spec.last_day.to_string(),
                            state: if d.state == DeadlineState::Overdue {
                                "beslutet har gått ut – insats pågår utan beslut"
                            } else {
                                "beslutet löper snart ut"
                            },
                            class: state_class(d.state),
                        });
                    }
                }
                dls.push((
                    d.state,
                    d.spec.due_at,
                    DeadlineLine {
                        case: c.case.to_string(),
                        child: child.clone(),
                        name: d.name.clone(),
                        last_day: d.spec.last_day.to_string(),
                        state: d.state.label_sv(),
                        class: state_class(d.state),
                    },
                ));
            }
        }
        dls.sort_by_key(|(s, due, _)| (*s, *due));
        let month = MONTHS.get(today.month0() as usize).copied().unwrap_or("");
        SheetPage {
            chrome: Some(Chrome::of(&s)),
            name: member.map(|m| m.name.clone()).unwrap_or_else(|| staff.to_string()),
            title: member.map(|m| m.title.clone()).unwrap_or_default(),
            month: format!("{month} {}", today.year()),
            today: today.to_string(),
            cases,
            deadlines: dls.into_iter().map(|(_, _, d)| d).collect(),
            interventions,
            counts,
            weight,
            hidden,
            notice_days: rules.policy.intervention_expiry_notice_days,
        }
    };
    Ok(render(StatusCode::OK, &page))
}
