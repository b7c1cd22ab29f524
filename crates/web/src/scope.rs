//! Need-to-know, by construction (DOMAIN §1, §7). A `Scope` is built once per request from
//! the caller's role, unit and grants; the only way a handler reaches a case or a person
//! is through it, so a list cannot forget to filter. What it yields is a *view*: full,
//! full with a protected identity masked, or pseudonymised.
//!
//! | role | full view of | pseudonymised view of |
//! |---|---|---|
//! | registrator, socialsekreterare, teamledare | cases of their enhet (their team's unit and its teams) and cases allocated to them | — |
//! | enhetschef, områdeschef, förvaltningschef | cases in the units they manage (subtree) | — |
//! | kvalitetsutvecklare, revisor | — | cases in their unit's subtree |
//! | everyone above | a person's cases under an active wider-access grant | |
//! | systemadministratör, nämnd, utskott, systemet | nothing | nothing |
//!
//! Quality matters (`matter_access`): a deviation, lex Sarah or complaint is seen in full by
//! whoever has a part in it (reporter, assignee, a measure's owner) and by the managers over
//! its unit; quality staff and auditors see the rest pseudonymised (codes, dates, statuses —
//! no text). Risks, control plans and surveys are the organisation's own and carry no
//! personal data: managers, quality staff and auditors see them, and so do the owners of
//! their control moments and measures.

use skyndsam_domain::case::CaseState;
use skyndsam_domain::ids::{PersonId, StaffId, UnitId};
use skyndsam_domain::org::{Organisation, Role, UnitKind};
use skyndsam_domain::quality::Matter;
use skyndsam_domain::rules::Privacy;
use skyndsam_store::projections::{PersonEntry, Projections};
use skyndsam_store::security::{AccessBasis, AccessGrant};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// The record as written (a protected identity still masked unless the role may see it).
    Full,
    /// No names, no personnummer, no free text; persons by pseudonym.
    Pseudonymised,
}

/// How the caller may see one case or person, and why (for the access log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    pub view: View,
    pub basis: AccessBasis,
    pub reason: Option<String>,
}

/// What one caller may see.
#[derive(Debug, Clone)]
pub struct Scope {
    pub staff: StaffId,
    pub role: Role,
    pub unit: UnitId,
    units: Arc<ScopeUnits>,
    /// May see protected identities unmasked.
    pub see_protected: bool,
    /// Active wider-access grants: person → reason.
    grants: HashMap<PersonId, String, ahash::RandomState>,
}

/// The enhet a team belongs to: the nearest unit of kind `Unit` at or above `u`.
fn enhet_of(org: &Organisation, u: &UnitId) -> UnitId {
    org.ancestors(u)
        .into_iter()
        .find(|a| {
            org.unit(a).is_some_and(|x| matches!(x.kind, UnitKind::Unit | UnitKind::Area | UnitKind::Administration))
        })
        .unwrap_or_else(|| u.clone())
}

/// A set of units, asked once per case of a list (Att göra walks thousands): ahash, not
/// std's SipHash, which was a seventh of Att göra's time for a unit of 5 000 open cases.
type UnitSet = HashSet<UnitId, ahash::RandomState>;

/// The units a role in a unit sees, and how: a function of the organisation only, so it is
/// computed once per (role, unit) and organisation revision and shared (see `App`).
#[derive(Debug, Default)]
pub struct ScopeUnits {
    /// Units whose cases the caller sees in full as their own unit.
    own: UnitSet,
    /// Units whose cases the caller sees in full as a manager.
    managed: UnitSet,
    /// Units whose cases the caller sees pseudonymised.
    pseudo: UnitSet,
}

impl ScopeUnits {
    pub fn of(role: Role, unit: &UnitId, org: &Organisation) -> Self {
        let mut u = Self::default();
        match role {
            Role::Registrar | Role::Handler | Role::TeamLeader => {
                u.own.extend(org.subtree(&enhet_of(org, unit)));
            }
            Role::UnitManager | Role::AreaManager | Role::HeadOfAdministration => {
                u.managed.extend(org.subtree(unit));
            }
            Role::QualityDeveloper | Role::Auditor => {
                u.pseudo.extend(org.subtree(unit));
            }
            Role::SystemAdministrator | Role::Board | Role::Committee | Role::System => {}
        }
        u
    }
}

impl Scope {
    pub fn new(
        staff: StaffId,
        role: Role,
        unit: UnitId,
        units: Arc<ScopeUnits>,
        privacy: &Privacy,
        grants: &[AccessGrant],
    ) -> Self {
        let may_be_granted = !matches!(role, Role::SystemAdministrator | Role::Board | Role::Committee | Role::System);
        let grants = if may_be_granted {
            grants.iter().filter(|g| g.staff == staff && g.role == role).map(|g| (g.person, g.reason.clone())).collect()
        } else {
            HashMap::default()
        };
        Self { see_protected: privacy.protected_identity_roles.contains(&role), staff, role, unit, units, grants }
    }

    /// May this role ask for wider access to a person's record?
    pub fn may_request_grant(&self) -> bool {
        !matches!(self.role, Role::SystemAdministrator | Role::Board | Role::Committee | Role::System)
    }

    /// How the caller may see `case`, or None (then it does not exist for them).
    pub fn access(&self, case: &CaseState) -> Option<Access> {
        let full = |basis| Some(Access { view: View::Full, basis, reason: None });
        if case.handler.as_ref() == Some(&self.staff) {
            return full(AccessBasis::OwnCase);
        }
        if self.units.own.contains(&case.unit) {
            return full(AccessBasis::OwnUnit);
        }
        if self.units.managed.contains(&case.unit) {
            return full(AccessBasis::ManagedUnit);
        }
        if let Some(reason) = self.grants.get(&case.child) {
            return Some(Access { view: View::Full, basis: AccessBasis::Grant, reason: Some(reason.clone()) });
        }
        if self.units.pseudo.contains(&case.unit) {
            return Some(Access { view: View::Pseudonymised, basis: AccessBasis::Pseudonymised, reason: None });
        }
        None
    }

    /// How the caller may see what a unit received but has not yet made a case of (the
    /// e-tjänst's submissions): in full as their own or managed unit, or not at all.
    pub fn unit_access(&self, unit: &UnitId) -> Option<Access> {
        let full = |basis| Some(Access { view: View::Full, basis, reason: None });
        if self.units.own.contains(unit) {
            full(AccessBasis::OwnUnit)
        } else if self.units.managed.contains(unit) {
            full(AccessBasis::ManagedUnit)
        } else {
            None
        }
    }

    /// Units whose cases the caller sees in full as their own unit or a unit they manage.
    pub fn full_units(&self) -> Vec<UnitId> {
        let mut v: Vec<UnitId> = self.units.own.iter().chain(&self.units.managed).cloned().collect();
        v.sort();
        v
    }

    /// The best access the caller has to any of a person's cases (or by grant).
    pub fn person_access(&self, p: &Projections, person: &PersonId) -> Option<Access> {
        let mut best: Option<Access> = None;
        for c in p.cases_of_person(person) {
            if let Some(a) = self.access(c) {
                if a.view == View::Full && a.basis != AccessBasis::Grant {
                    return Some(a);
                }
                if best.as_ref().is_none_or(|b| b.view == View::Pseudonymised && a.view == View::Full) {
                    best = Some(a);
                }
            }
        }
        if best.as_ref().is_none_or(|b| b.view == View::Pseudonymised) {
            if let Some(reason) = self.grants.get(person) {
                return Some(Access { view: View::Full, basis: AccessBasis::Grant, reason: Some(reason.clone()) });
            }
        }
        best
    }

    /// May the caller find this person by personnummer? Search is intake's check of
    /// earlier knowledge; a protected identity is found only by the roles allowed to see it.
    pub fn may_find(&self, person: &PersonEntry) -> bool {
        let searches = matches!(
            self.role,
            Role::Registrar
                | Role::Handler
                | Role::TeamLeader
                | Role::UnitManager
                | Role::AreaManager
                | Role::HeadOfAdministration
        );
        searches && (!person.protected_identity || self.see_protected)
    }

    /// Every open case the caller may see, with the access to each.
    pub fn open_cases<'p>(&self, p: &'p Projections) -> Vec<(&'p CaseState, Access)> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        let units = self.units.own.iter().chain(&self.units.managed).chain(&self.units.pseudo);
        let candidates = units
            .flat_map(|u| p.open_cases_in_unit(u))
            .chain(p.open_cases_of_handler(&self.staff))
            .chain(self.grants.keys().flat_map(|person| p.cases_of_person(person).filter(|c| c.is_open())));
        for c in candidates {
            if seen.insert(c.case) {
                if let Some(a) = self.access(c) {
                    out.push((c, a));
                }
            }
        }
        out.sort_by_key(|(c, _)| (c.received_at, c.case));
        out
    }

    /// Units whose deadline book the caller sees (own, managed, pseudonymised).
    pub fn book_units(&self) -> Vec<UnitId> {
        let mut v: Vec<UnitId> =
            self.units.own.iter().chain(&self.units.managed).chain(&self.units.pseudo).cloned().collect();
        v.sort();
        v
    }

    /// Units whose staff's reads a manager reviews (loggkontroll): their subtree.
    pub fn reviewed_units(&self) -> Option<Vec<UnitId>> {
        if matches!(self.role, Role::UnitManager | Role::AreaManager | Role::HeadOfAdministration) {
            let mut v: Vec<UnitId> = self.units.managed.iter().cloned().collect();
            v.sort();
            Some(v)
        } else {
            None
        }
    }

    /// How the caller may see a quality matter, or None (then it does not exist for them).
    pub fn matter_access(&self, m: &Matter) -> Option<Access> {
        let full = |basis| Some(Access { view: View::Full, basis, reason: None });
        let manager = matches!(self.role, Role::UnitManager | Role::AreaManager | Role::HeadOfAdministration);
        let quality = matches!(self.role, Role::QualityDeveloper | Role::Auditor);
        if let Some(h) = m.handling() {
            if h.involves(&self.staff) && !matches!(self.role, Role::Auditor | Role::Board | Role::Committee) {
                return full(AccessBasis::OwnCase);
            }
            if self.units.managed.contains(&h.unit) {
                return full(AccessBasis::ManagedUnit);
            }
            if self.units.pseudo.contains(&h.unit) {
                return Some(Access { view: View::Pseudonymised, basis: AccessBasis::Pseudonymised, reason: None });
            }
            return None;
        }
        let owner = match m {
            Matter::ControlPlan(p) => {
                p.moments.iter().any(|x| x.moment.owner == self.staff)
                    || p.measures.iter().any(|x| x.owner == self.staff)
            }
            _ => false,
        };
        if manager || quality || owner {
            return full(AccessBasis::OwnUnit);
        }
        None
    }

    /// Every quality matter the caller may see, with the access to each.
    pub fn matters<'p>(&self, p: &'p Projections) -> Vec<(&'p Matter, Access)> {
        p.matters().filter_map(|m| self.matter_access(m).map(|a| (m, a))).collect()
    }
}
