//! Enhetsöversikt for unit managers (and the area manager and head of administration, over
//! the units they manage): open cases by step and deadline state, per unit and in total, and
//! the late ones with their documented reasons — the reasons' kinds as the journal's folds
//! hold them (the texts are on the case page, a logged read).
//!
//! Built from the projections only: a list, not logged per row, like Att göra.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use skyndsam_domain::case::{CaseState, Step};
use skyndsam_domain::clock::{deadlines, Deadline, DeadlineKind, DeadlineState};
use skyndsam_domain::events::{EnforcementDelayReason, ExceptionalReasonKind};
use skyndsam_domain::org::Role;
use skyndsam_domain::rules::RuleTable;
use std::collections::BTreeMap;

use super::pages::{render, state_class, Chrome};
use super::session::{Session, UiError};
use crate::scope::View;

/// Who sees the overview: managers of units.
pub const MANAGERS: &[Role] = &[Role::UnitManager, Role::AreaManager, Role::HeadOfAdministration];

/// The columns: a case's most urgent pending deadline.
const STATES: [(&str, &str); 5] = [
    ("forsenad", "Försenad"),
    ("i-dag", "Går ut i dag"),
    ("snart", "Går snart ut"),
    ("i-tid", "I tid"),
    ("inga", "Ingen frist löper"),
];
const STEPS: [Step; 3] = [Step::PreliminaryAssessment, Step::Investigation, Step::Intervention];

pub struct Row {
    pub label: String,
    pub cells: [usize; 5],
    pub total: usize,
}

pub struct UnitRow {
    pub unit: String,
    pub steps: [usize; 3],
    pub overdue: usize,
    pub total: usize,
}

pub struct Late {
    pub case: String,
    pub child: String,
    pub unit: String,
    pub handler: String,
    pub deadline: String,
    pub last_day: String,
    pub state: &'static str,
    pub class: &'static str,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "overview.html")]
struct OverviewPage {
    chrome: Option<Chrome>,
    states: [(&'static str, &'static str); 5],
    rows: Vec<Row>,
    totals: Row,
    units: Vec<UnitRow>,
    late: Vec<Late>,
    /// The file audits of the caller's units (link, unit and year).
    audits: Vec<(String, String)>,
}

fn column(c: &CaseState, rules: &RuleTable, now: chrono::DateTime<chrono::Utc>) -> usize {
    let worst = deadlines(c, rules, now).into_iter().filter(|d| d.state.is_pending()).map(|d| d.state).min();
    match worst {
        Some(DeadlineState::Overdue) => 0,
        Some(DeadlineState::DueToday) => 1,
        Some(DeadlineState::DueSoon) => 2,
        Some(_) => 3,
        None => 4,
    }
}

fn exceptional(k: ExceptionalReasonKind) -> &'static str {
    match k {
        ExceptionalReasonKind::PendingPoliceInterview => "Synnerliga skäl: inväntar polisförhör",
        ExceptionalReasonKind::FamilyUnreachable => "Synnerliga skäl: familjen har inte gått att nå",
        ExceptionalReasonKind::Workload => "Arbetsbelastning (godtas inte som synnerliga skäl)",
        ExceptionalReasonKind::Other => "Synnerliga skäl: annat (se ärendet)",
    }
}

fn delay(r: EnforcementDelayReason) -> &'static str {
    match r {
        EnforcementDelayReason::NoPlacementAvailable => "Plats eller lämplig familj saknas",
        EnforcementDelayReason::NoStaff => "Personal saknas",
        EnforcementDelayReason::Declined => "Den enskilde har tackat nej",
        EnforcementDelayReason::Other => "Annat (se ärendet)",
    }
}

/// The documented reason for a late deadline, as its kind; "inget skäl dokumenterat" when
/// there is none.
fn reason(c: &CaseState, d: &Deadline) -> String {
    let none = "Inget skäl dokumenterat".to_owned();
    match d.spec.kind {
        DeadlineKind::PreliminaryAssessment => {
            c.preliminary.as_ref().and_then(|p| p.late_reason).map(|k| exceptional(k).to_owned()).unwrap_or(none)
        }
        DeadlineKind::Investigation => match d.spec.extended_from {
            Some(from) => format!("Förlängd från {from} (särskilda skäl, beslutad förlängning)"),
            None => none,
        },
        DeadlineKind::Enforcement(i) => {
            c.intervention(i).and_then(|x| x.delay_reason).map(|r| delay(r).to_owned()).unwrap_or(none)
        }
        _ => none,
    }
}

/// Enhetsöversikt: the open cases of the units the caller manages.
pub async fn overview(s: Session) -> Result<Response, UiError> {
    let page = {
        let ctx = &s.ctx;
        let p = ctx.app.store.projections();
        let rules = p.rules();
        let now = ctx.now;
        let mut rows: Vec<Row> =
            STEPS.iter().map(|st| Row { label: capitalised(st.label_sv()), cells: [0; 5], total: 0 }).collect();
        let mut totals = Row { label: "Totalt".into(), cells: [0; 5], total: 0 };
        let mut units: BTreeMap<String, UnitRow> = BTreeMap::new();
        let mut late = Vec::new();
        for (c, a) in ctx.scope.open_cases(&p) {
            if a.view != View::Full {
                continue;
            }
            let col = column(c, rules, now);
            let step = STEPS.iter().position(|x| *x == c.step());
            if let Some(r) = step.and_then(|i| rows.get_mut(i)) {
                r.cells[col] += 1;
                r.total += 1;
            }
            totals.cells[col] += 1;
            totals.total += 1;
            let unit = p.org.unit(&c.unit).map(|u| u.name.clone()).unwrap_or_else(|| c.unit.to_string());
            let u = units.entry(unit.clone()).or_insert_with(|| UnitRow {
                unit: unit.clone(),
                steps: [0; 3],
                overdue: 0,
                total: 0,
            });
            if let Some(i) = step {
                u.steps[i] += 1;
            }
            u.total += 1;
            if col == 0 {
                u.overdue += 1;
            }
            let child =
                crate::views::person_of(&p, &c.child, a.view, ctx.scope.see_protected, &ctx.app.pseudonyms).name;
            for d in deadlines(c, rules, now) {
                if matches!(d.state, DeadlineState::Overdue | DeadlineState::MetLate | DeadlineState::MetLateWithReason)
                {
                    late.push((
                        d.spec.due_at,
                        Late {
                            case: c.case.to_string(),
                            child: child.clone(),
                            unit: unit.clone(),
                            handler: c
                                .handler
                                .as_ref()
                                .map(|h| p.org.staff.get(h).map(|x| x.name.clone()).unwrap_or_else(|| h.to_string()))
                                .unwrap_or_else(|| "Ej fördelat".into()),
                            deadline: d.name.clone(),
                            last_day: d.spec.last_day.to_string(),
                            state: d.state.label_sv(),
                            class: state_class(d.state),
                            reason: reason(c, &d),
                        },
                    ));
                }
            }
        }
        late.sort_by_key(|(due, _)| *due);
        OverviewPage {
            chrome: Some(Chrome::of(&s)),
            states: STATES,
            rows,
            totals,
            units: units.into_values().collect(),
            late: late.into_iter().map(|(_, l)| l).collect(),
            audits: {
                let mut v: Vec<(i32, String, String)> = p
                    .matters()
                    .filter_map(|m| match m {
                        skyndsam_domain::quality::Matter::FileAudit(a)
                            if ctx.scope.unit_access(&a.handling.unit).is_some()
                                && crate::file_audit_api::audit_access(ctx, m, a).is_some() =>
                        {
                            let unit = crate::quality::views::unit_name(&p.org, &a.handling.unit);
                            Some((a.year, format!("/aktgranskning/{}", a.id), format!("{unit} {}", a.year)))
                        }
                        _ => None,
                    })
                    .collect();
                v.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.2.cmp(&b.2)));
                v.into_iter().map(|(_, l, t)| (l, t)).collect()
            },
        }
    };
    Ok(render(StatusCode::OK, &page))
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
