//! The fictitious municipality's organisation: units, staff and role grants, built as
//! `org` events and folded into an [`Organisation`] the way the store would.

use chrono::NaiveDate;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeSet;

use skyndsam_domain::events::{EventMeta, NewEvent, Payload, RoleGranted, StaffRegistered, UnitCreated, ORG_STREAM};
use skyndsam_domain::ids::{StaffId, UnitId};
use skyndsam_domain::journal;
use skyndsam_domain::org::{Actor, Organisation, Role, UnitFunction, UnitKind};
use skyndsam_domain::{DomainError, ErrorCode};

use crate::names;
use crate::time::local;

/// Indices of the operative units.
pub const MOTTAGNING: usize = 0;
pub const UTREDNING_1: usize = 1;
pub const UTREDNING_2: usize = 2;
pub const VALD: usize = 3;
pub const UNGDOM: usize = 4;
pub const OPPENVARD: usize = 5;

/// One member of staff with the single role they act through.
#[derive(Debug, Clone)]
pub struct Member {
    pub name: String,
    pub title: String,
    pub qualified: bool,
    pub actor: Actor,
}

/// The staff of one operative unit (indices into `Municipality::staff`).
#[derive(Debug, Clone)]
pub struct UnitStaff {
    pub id: UnitId,
    pub manager: usize,
    pub leaders: Vec<usize>,
    /// All handlers, qualified or not.
    pub handlers: Vec<usize>,
    /// Qualified handlers only (never empty).
    pub qualified: Vec<usize>,
    pub registrars: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct Municipality {
    /// Index 0 is the system itself.
    pub staff: Vec<Member>,
    pub units: Vec<UnitStaff>,
    pub area_manager: usize,
    pub head: usize,
    /// The quality developer (kvalitetsutvecklare): internal control, surveys, lex Sarah.
    pub quality: usize,
}

pub const SYSTEM: usize = 0;

struct UnitSpec {
    slug: &'static str,
    name: &'static str,
    function: UnitFunction,
    /// handlers per team
    teams: &'static [usize],
}

const UNITS: [UnitSpec; 6] = [
    UnitSpec { slug: "mottagning", name: "Mottagningsenheten", function: UnitFunction::Intake, teams: &[4, 4] },
    UnitSpec { slug: "utredning-1", name: "Utredningsenhet 1", function: UnitFunction::Investigation, teams: &[5, 5] },
    UnitSpec { slug: "utredning-2", name: "Utredningsenhet 2", function: UnitFunction::Investigation, teams: &[5, 4] },
    UnitSpec {
        slug: "vald-i-nara-relation",
        name: "Enheten för våld i nära relation",
        function: UnitFunction::DomesticViolence,
        teams: &[8],
    },
    UnitSpec { slug: "ungdomsenheten", name: "Ungdomsenheten", function: UnitFunction::Youth, teams: &[7] },
    UnitSpec { slug: "oppenvarden", name: "Öppenvården", function: UnitFunction::OpenCare, teams: &[3, 3] },
];

const TEAM_LETTERS: [&str; 2] = ["a", "b"];

fn bug(what: &str) -> DomainError {
    DomainError::new(ErrorCode::InvalidInput, format!("Demokommunen kunde inte byggas: {what}."))
}

struct Builder<'r> {
    rng: &'r mut ChaCha8Rng,
    events: Vec<NewEvent>,
    meta: EventMeta,
    from: NaiveDate,
    used: BTreeSet<String>,
    /// (staff, role, qualified, name, title)
    people: Vec<(StaffId, Role, bool, String, String)>,
}

impl Builder<'_> {
    fn push(&mut self, payload: Payload) {
        self.events.push(NewEvent { stream: ORG_STREAM.into(), meta: self.meta.clone(), payload });
    }

    fn unit(
        &mut self,
        slug: &str,
        name: &str,
        parent: Option<&UnitId>,
        kind: UnitKind,
        function: UnitFunction,
    ) -> Result<UnitId, DomainError> {
        let unit = UnitId::parse(slug)?;
        self.push(Payload::UnitCreated(UnitCreated {
            unit: unit.clone(),
            name: name.to_owned(),
            parent: parent.cloned(),
            kind,
            function,
        }));
        Ok(unit)
    }

    /// Registers a member of staff with one role at `unit`; returns their index.
    fn staff(&mut self, role: Role, unit: &UnitId, title: &str, qualified: bool) -> Result<usize, DomainError> {
        let (first, last, slug) = loop {
            let first = names::ADULTS[self.rng.gen_range(0..names::ADULTS.len())];
            let last = names::SURNAMES[self.rng.gen_range(0..names::SURNAMES.len())];
            let slug = names::slug(first, last);
            if self.used.insert(slug.clone()) {
                break (first, last, slug);
            }
        };
        let id = StaffId::parse(&slug)?;
        let name = format!("{first} {last}");
        self.push(Payload::StaffRegistered(StaffRegistered {
            staff: id.clone(),
            name: name.clone(),
            title: title.to_owned(),
            qualified,
        }));
        self.push(Payload::RoleGranted(RoleGranted {
            staff: id.clone(),
            role,
            unit: unit.clone(),
            from: self.from,
            to: None,
        }));
        self.people.push((id, role, qualified, name, title.to_owned()));
        // index 0 is the system
        Ok(self.people.len())
    }
}

/// Builds the organisation. Returns its events, the folded organisation, the staff
/// tables and the next journal sequence number.
pub fn build(rng: &mut ChaCha8Rng, year: i32) -> Result<(Vec<NewEvent>, Organisation, Municipality, u64), DomainError> {
    let from = NaiveDate::from_ymd_opt(year - 1, 1, 1).ok_or_else(|| bug("ogiltigt år"))?;
    let meta = EventMeta {
        recorded_at: local(from, 7 * 60),
        effective_on: from,
        actor: StaffId::system(),
        role: Role::System,
        unit: None,
        delegation: None,
        corrects: None,
    };
    let mut b = Builder { rng, events: Vec::new(), meta, from, used: BTreeSet::new(), people: Vec::new() };

    let admin =
        b.unit("socialforvaltningen", "Socialförvaltningen", None, UnitKind::Administration, UnitFunction::Management)?;
    let area = b.unit("barn-och-unga", "Barn och unga", Some(&admin), UnitKind::Area, UnitFunction::Management)?;
    let head = b.staff(Role::HeadOfAdministration, &admin, "Förvaltningschef", true)?;
    let area_manager = b.staff(Role::AreaManager, &area, "Områdeschef", true)?;
    let quality = b.staff(Role::QualityDeveloper, &admin, "Kvalitetsutvecklare", true)?;
    b.staff(Role::Auditor, &admin, "Revisor", false)?;
    b.staff(Role::SystemAdministrator, &admin, "Systemadministratör", false)?;

    let mut units = Vec::new();
    let mut handler_no = 0usize;
    for spec in &UNITS {
        let unit = b.unit(spec.slug, spec.name, Some(&area), UnitKind::Unit, spec.function)?;
        let manager = b.staff(Role::UnitManager, &unit, "Enhetschef", true)?;
        let mut leaders = Vec::new();
        let mut handlers = Vec::new();
        let mut qualified = Vec::new();
        for (t, &n) in spec.teams.iter().enumerate() {
            let letter = TEAM_LETTERS.get(t).copied().unwrap_or("c");
            let team = b.unit(
                &format!("{}-team-{letter}", spec.slug),
                &format!("{}, team {}", spec.name, letter.to_uppercase()),
                Some(&unit),
                UnitKind::Team,
                spec.function,
            )?;
            leaders.push(b.staff(Role::TeamLeader, &team, "Teamledare", true)?);
            for _ in 0..n {
                handler_no += 1;
                // About one handler in ten lacks the qualification (3 kap. 3 a § SoL).
                let q = handler_no % 10 != 7;
                let title = if q { "Socialsekreterare" } else { "Handläggare (ej socionomexamen)" };
                let h = b.staff(Role::Handler, &team, title, q)?;
                handlers.push(h);
                if q {
                    qualified.push(h);
                }
            }
        }
        let mut registrars = Vec::new();
        if spec.function == UnitFunction::Intake {
            for _ in 0..3 {
                registrars.push(b.staff(Role::Registrar, &unit, "Registrator", false)?);
            }
        }
        if qualified.is_empty() || leaders.is_empty() {
            return Err(bug("en enhet saknar behörig personal"));
        }
        units.push(UnitStaff { id: unit, manager, leaders, handlers, qualified, registrars });
    }

    // Fold the organisation the way the store will.
    let mut org = Organisation::default();
    let mut seq = 1u64;
    let mut prev = journal::GENESIS_HASH.to_owned();
    for (i, ev) in b.events.iter().enumerate() {
        let version = u32::try_from(i + 1).map_err(|_| bug("för många händelser"))?;
        let rec = journal::seal(ev.clone(), seq, version, &prev)?;
        org.apply(&rec);
        prev = rec.hash;
        seq += 1;
    }

    let on = NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(|| bug("ogiltigt år"))?;
    let mut staff =
        vec![Member { name: "Systemet".into(), title: "E-tjänst".into(), qualified: false, actor: Actor::system() }];
    for (id, role, qualified, name, title) in b.people {
        let actor = org.actor(&id, role, on).ok_or_else(|| bug("en roll saknas"))?;
        staff.push(Member { name, title, qualified, actor });
    }
    let events = b.events;
    Ok((events, org, Municipality { staff, units, area_manager, head, quality }, seq))
}
