//! Roles, units, staff and the organisation tree — folded from the `org` journal stream.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

use crate::events::{Payload, RecordedEvent};
use crate::ids::{StaffId, UnitId};
use crate::rules::DecisionType;

/// The role a user acts through (DOMAIN §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// registrator / mottagning
    Registrar,
    /// socialsekreterare (handläggare)
    Handler,
    /// teamledare
    TeamLeader,
    /// enhetschef
    UnitManager,
    /// områdeschef
    AreaManager,
    /// förvaltningschef
    HeadOfAdministration,
    /// nämnd
    Board,
    /// biståndsutskott
    Committee,
    /// kvalitetsutvecklare
    QualityDeveloper,
    /// revisor (read-only)
    Auditor,
    /// systemadministratör
    SystemAdministrator,
    /// the system itself (e-tjänst, automatic acts, imports)
    System,
}

impl Role {
    pub fn label_sv(self) -> &'static str {
        match self {
            Self::Registrar => "registrator",
            Self::Handler => "socialsekreterare",
            Self::TeamLeader => "teamledare",
            Self::UnitManager => "enhetschef",
            Self::AreaManager => "områdeschef",
            Self::HeadOfAdministration => "förvaltningschef",
            Self::Board => "nämnd",
            Self::Committee => "biståndsutskott",
            Self::QualityDeveloper => "kvalitetsutvecklare",
            Self::Auditor => "revisor",
            Self::SystemAdministrator => "systemadministratör",
            Self::System => "systemet",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// förvaltning
    Administration,
    /// område
    Area,
    /// enhet
    Unit,
    /// team
    Team,
}

/// What a unit does; used for routing, for indicator breakdowns and for the file audit's
/// questionnaire template (one per unit type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnitFunction {
    /// mottagning
    Intake,
    /// utredning barn
    Investigation,
    /// våld i nära relation
    DomesticViolence,
    /// ungdom
    Youth,
    /// placeringar / familjehem
    Placement,
    /// öppenvård
    OpenCare,
    Management,
    Other,
}

impl UnitFunction {
    /// Every unit type, in display order.
    pub const ALL: [Self; 8] = [
        Self::Intake,
        Self::Investigation,
        Self::DomesticViolence,
        Self::Youth,
        Self::Placement,
        Self::OpenCare,
        Self::Management,
        Self::Other,
    ];

    pub fn label_sv(self) -> &'static str {
        match self {
            Self::Intake => "Mottagning",
            Self::Investigation => "Utredning barn och unga",
            Self::DomesticViolence => "Våld i nära relation",
            Self::Youth => "Ungdom",
            Self::Placement => "Placering och familjehem",
            Self::OpenCare => "Öppenvård",
            Self::Management => "Ledning",
            Self::Other => "Övrigt",
        }
    }

    /// The snake_case name (as in JSON and addresses).
    pub fn code(self) -> &'static str {
        match self {
            Self::Intake => "intake",
            Self::Investigation => "investigation",
            Self::DomesticViolence => "domestic_violence",
            Self::Youth => "youth",
            Self::Placement => "placement",
            Self::OpenCare => "open_care",
            Self::Management => "management",
            Self::Other => "other",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.code() == code)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    pub id: UnitId,
    pub name: String,
    pub parent: Option<UnitId>,
    pub kind: UnitKind,
    pub function: UnitFunction,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staff {
    pub id: StaffId,
    pub name: String,
    pub title: String,
    /// socionomexamen or equivalent (3 kap. 3 a § SoL)
    pub qualified: bool,
    /// Work e-mail for notices (`StaffEmailChanged`), when the municipality has given one.
    pub email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub staff: StaffId,
    pub role: Role,
    pub unit: UnitId,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
}

impl Grant {
    pub fn active_on(&self, d: NaiveDate) -> bool {
        self.from <= d && self.to.is_none_or(|t| d <= t)
    }
}

/// A written re-delegation (vidaredelegering) as folded from the journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redelegation {
    pub id: String,
    pub decisions: Vec<DecisionType>,
    pub delegates: Vec<StaffId>,
    pub unit: Option<UnitId>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub decided_on: NaiveDate,
    /// Who decided it, in which role (from the event's meta).
    pub decided_by: StaffId,
    pub decided_role: Role,
    /// First day no longer in force, if revoked before `to`.
    pub revoked_on: Option<NaiveDate>,
    /// Journal sequence number of the decision (evidence).
    pub seq: u64,
}

impl Redelegation {
    /// In force on `d`: between `from` and `to`, not revoked. Expires by itself.
    pub fn active_on(&self, d: NaiveDate) -> bool {
        self.from <= d && d <= self.to && self.revoked_on.is_none_or(|r| d < r)
    }
}

/// The organisation as of the events folded so far.
#[derive(Debug, Clone, Default)]
pub struct Organisation {
    pub units: BTreeMap<UnitId, Unit>,
    pub staff: HashMap<StaffId, Staff>,
    pub grants: Vec<Grant>,
    pub redelegations: Vec<Redelegation>,
    /// The file audit's questionnaire per unit type, the latest recorded (`audit_template_set`).
    pub audit_templates: BTreeMap<UnitFunction, crate::checks::AuditTemplate>,
}

/// Who is acting, resolved against the organisation: the shell builds it from the
/// logged-in user, the domain checks roles, qualification and delegation against it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub staff: StaffId,
    pub role: Role,
    pub unit: Option<UnitId>,
    pub qualified: bool,
}

impl Actor {
    /// The system itself (public e-tjänst, automatic acts).
    pub fn system() -> Self {
        Self { staff: StaffId::system(), role: Role::System, unit: None, qualified: false }
    }
}

impl Organisation {
    pub fn apply(&mut self, ev: &RecordedEvent) {
        match &ev.payload {
            Payload::UnitCreated(u) => {
                self.units.insert(
                    u.unit.clone(),
                    Unit {
                        id: u.unit.clone(),
                        name: u.name.clone(),
                        parent: u.parent.clone(),
                        kind: u.kind,
                        function: u.function,
                    },
                );
            }
            Payload::StaffRegistered(s) => {
                self.staff.insert(
                    s.staff.clone(),
                    Staff {
                        id: s.staff.clone(),
                        name: s.name.clone(),
                        title: s.title.clone(),
                        qualified: s.qualified,
                        email: None,
                    },
                );
            }
            Payload::StaffQualificationChanged(q) => {
                if let Some(s) = self.staff.get_mut(&q.staff) {
                    s.qualified = q.qualified;
                }
            }
            Payload::StaffEmailChanged(m) => {
                if let Some(s) = self.staff.get_mut(&m.staff) {
                    s.email = m.email.clone();
                }
            }
            Payload::RoleGranted(g) => self.grants.push(Grant {
                staff: g.staff.clone(),
                role: g.role,
                unit: g.unit.clone(),
                from: g.from,
                to: g.to,
            }),
            Payload::RoleRevoked(r) => {
                for g in self.grants.iter_mut() {
                    if g.staff == r.staff && g.role == r.role && g.unit == r.unit && g.to.is_none_or(|t| t > r.on) {
                        g.to = Some(r.on);
                    }
                }
            }
            Payload::RedelegationDecided(r) => self.redelegations.push(Redelegation {
                id: r.redelegation.clone(),
                decisions: r.decisions.clone(),
                delegates: r.delegates.clone(),
                unit: r.unit.clone(),
                from: r.from,
                to: r.to,
                decided_on: r.decided_on,
                decided_by: ev.meta.actor.clone(),
                decided_role: ev.meta.role,
                revoked_on: None,
                seq: ev.seq,
            }),
            Payload::AuditTemplateSet(t) => {
                self.audit_templates.insert(t.function, t.clone());
            }
            Payload::RedelegationRevoked(r) => {
                for x in self.redelegations.iter_mut().filter(|x| x.id == r.redelegation) {
                    x.revoked_on = Some(x.revoked_on.map_or(r.on, |o| o.min(r.on)));
                }
            }
            _ => {}
        }
    }

    /// The questions a file audit of `unit` asks: its unit type's template, or the whole
    /// catalogue when none is recorded (or the unit is unknown).
    pub fn audit_questions(
        &self,
        unit: &UnitId,
        catalogue: &crate::checks::Questionnaire,
    ) -> crate::checks::Questionnaire {
        match self.unit(unit).and_then(|u| self.audit_templates.get(&u.function)) {
            Some(t) => t.questionnaire(catalogue),
            None => catalogue.clone(),
        }
    }

    pub fn redelegation(&self, id: &str) -> Option<&Redelegation> {
        self.redelegations.iter().find(|r| r.id == id)
    }

    pub fn unit(&self, id: &UnitId) -> Option<&Unit> {
        self.units.get(id)
    }

    /// The unit and its ancestors, nearest first.
    pub fn ancestors(&self, id: &UnitId) -> Vec<UnitId> {
        let mut out = Vec::new();
        let mut cur = Some(id.clone());
        while let Some(u) = cur {
            if out.contains(&u) || out.len() > 64 {
                break; // a cycle cannot be created through commands; guard anyway
            }
            cur = self.units.get(&u).and_then(|x| x.parent.clone());
            out.push(u);
        }
        out
    }

    /// The unit and every unit below it.
    pub fn subtree(&self, id: &UnitId) -> Vec<UnitId> {
        let mut children: std::collections::HashMap<&UnitId, Vec<&UnitId>> = std::collections::HashMap::new();
        for u in self.units.values() {
            if let Some(parent) = &u.parent {
                children.entry(parent).or_default().push(&u.id);
            }
        }
        let mut out = vec![id.clone()];
        let mut seen: std::collections::HashSet<&UnitId> = std::collections::HashSet::from([id]);
        let mut i = 0;
        while i < out.len() {
            if let Some(kids) = children.get(&out[i]) {
                let fresh: Vec<UnitId> = kids.iter().filter(|k| seen.insert(*k)).map(|k| (*k).clone()).collect();
                out.extend(fresh);
            }
            i += 1;
        }
        out
    }

    /// Resolves a member of staff acting through `role` on date `on`. The role must be
    /// granted to them on that date; the unit is the unit of that grant.
    pub fn actor(&self, staff: &StaffId, role: Role, on: NaiveDate) -> Option<Actor> {
        if *staff == StaffId::system() && role == Role::System {
            return Some(Actor::system());
        }
        let s = self.staff.get(staff)?;
        let g = self.grants.iter().find(|g| g.staff == *staff && g.role == role && g.active_on(on))?;
        Some(Actor { staff: staff.clone(), role, unit: Some(g.unit.clone()), qualified: s.qualified })
    }

    pub fn roles_of(&self, staff: &StaffId, on: NaiveDate) -> Vec<(Role, UnitId)> {
        self.grants.iter().filter(|g| g.staff == *staff && g.active_on(on)).map(|g| (g.role, g.unit.clone())).collect()
    }
}

/// A work e-mail address as the notices need it: `local@domain`, at most 254 characters,
/// no spaces, control characters or the characters that would end an address in a header.
/// Not full RFC 5322: the municipality's own addresses, checked before they are stored.
pub fn plausible_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else { return false };
    s.len() <= 254
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && s.chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, '<' | '>' | ',' | ';' | '"' | '(' | ')' | '[' | ']' | '\\'))
}
