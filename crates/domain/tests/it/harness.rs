//! A tiny in-memory journal for driving the domain with a simulated clock.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use skyndsam_domain::calendar::TZ;
use skyndsam_domain::case::CaseState;
use skyndsam_domain::clock::{deadlines, DeadlineKind, DeadlineState};
use skyndsam_domain::commands::{self, CaseCommand, Context, RegisterActualisation};
use skyndsam_domain::events::*;
use skyndsam_domain::ids::*;
use skyndsam_domain::journal::seal;
use skyndsam_domain::org::{Actor, Organisation, Role, UnitFunction, UnitKind};
use skyndsam_domain::rules::RuleTable;
use skyndsam_domain::DomainError;
use std::collections::HashMap;

/// Stockholm local time.
pub fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    TZ.with_ymd_and_hms(y, m, d, h, min, 0).earliest().unwrap().with_timezone(&Utc)
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub struct World {
    pub rules: RuleTable,
    pub org: Organisation,
    pub streams: HashMap<String, Vec<RecordedEvent>>,
    seq: u64,
}

impl World {
    pub fn new() -> Self {
        Self::with_rules(RuleTable::defaults().unwrap())
    }

    pub fn with_rules(rules: RuleTable) -> Self {
        let mut w = Self { rules, org: Organisation::default(), streams: HashMap::new(), seq: 0 };
        let t = at(2020, 1, 1, 8, 0);
        let sys = |payload| NewEvent {
            stream: ORG_STREAM.into(),
            meta: EventMeta {
                recorded_at: t,
                effective_on: date(2020, 1, 1),
                actor: StaffId::system(),
                role: Role::System,
                unit: None,
                delegation: None,
                corrects: None,
            },
            payload,
        };
        let unit = |id: &str, parent: Option<&str>, kind, function| {
            Payload::UnitCreated(UnitCreated {
                unit: UnitId::parse(id).unwrap(),
                name: id.into(),
                parent: parent.map(|p| UnitId::parse(p).unwrap()),
                kind,
                function,
            })
        };
        let mut evs = vec![
            sys(unit("forvaltning", None, UnitKind::Administration, UnitFunction::Management)),
            sys(unit("mottagning", Some("forvaltning"), UnitKind::Unit, UnitFunction::Intake)),
            sys(unit("utredning", Some("forvaltning"), UnitKind::Unit, UnitFunction::Investigation)),
        ];
        for (id, qualified, role, unit) in [
            ("amira", true, Role::Handler, "mottagning"),
            ("omar.unq", false, Role::Handler, "mottagning"),
            ("karin", true, Role::TeamLeader, "mottagning"),
            ("lina", true, Role::Handler, "utredning"),
            ("ulla", true, Role::UnitManager, "utredning"),
            ("tove", true, Role::TeamLeader, "utredning"),
            ("rita", false, Role::Registrar, "mottagning"),
            ("greta", true, Role::HeadOfAdministration, "forvaltning"),
        ] {
            evs.push(sys(Payload::StaffRegistered(StaffRegistered {
                staff: StaffId::parse(id).unwrap(),
                name: format!("{id} Exempelsson"),
                title: role.label_sv().into(),
                qualified,
            })));
            evs.push(sys(Payload::RoleGranted(RoleGranted {
                staff: StaffId::parse(id).unwrap(),
                role,
                unit: UnitId::parse(unit).unwrap(),
                from: date(2020, 1, 1),
                to: None,
            })));
        }
        for e in evs {
            let rec = w.seal(e);
            w.org.apply(&rec);
        }
        w
    }

    /// Appends an event as it stands (an imported legacy entry, not judged by the commands);
    /// org events are folded into the organisation. Returns its sequence number.
    pub fn push(
        &mut self,
        stream: String,
        who: (&str, Role),
        now: DateTime<Utc>,
        payload: Payload,
        corrects: Option<u64>,
    ) -> u64 {
        let e = NewEvent {
            stream,
            meta: EventMeta {
                recorded_at: now,
                effective_on: skyndsam_domain::calendar::local_date(now),
                actor: StaffId::parse(who.0).unwrap(),
                role: who.1,
                unit: None,
                delegation: None,
                corrects,
            },
            payload,
        };
        let rec = self.seal(e);
        if rec.stream == ORG_STREAM {
            self.org.apply(&rec);
        }
        rec.seq
    }

    /// Runs an org-level command's event (re-delegation) through sealing and the org fold.
    pub fn org_event(&mut self, e: NewEvent) -> u64 {
        let rec = self.seal(e);
        self.org.apply(&rec);
        rec.seq
    }

    /// Seals a command's event as it stands (any stream); returns it as recorded.
    pub fn append(&mut self, e: NewEvent) -> RecordedEvent {
        self.seal(e)
    }

    pub fn events(&self, case: CaseId) -> Vec<RecordedEvent> {
        self.streams[&case.stream()].clone()
    }

    fn seal(&mut self, e: NewEvent) -> RecordedEvent {
        self.seq += 1;
        let stream = self.streams.entry(e.stream.clone()).or_default();
        let rec = seal(e, self.seq, stream.len() as u32 + 1, "x").unwrap();
        stream.push(rec.clone());
        rec
    }

    pub fn actor(&self, staff: &str, role: Role) -> Actor {
        self.org.actor(&StaffId::parse(staff).unwrap(), role, date(2024, 1, 1)).unwrap()
    }

    pub fn register(
        &mut self,
        kind: ActualisationKind,
        received: DateTime<Utc>,
        reasons: Vec<Reason>,
        children: usize,
    ) -> Vec<CaseId> {
        let ids: Vec<(CaseId, PersonId)> = (0..children)
            .map(|i| (CaseId::from_u128(self.seq as u128 * 100 + i as u128 + 1), PersonId::from_u128(i as u128 + 1)))
            .collect();
        let cmd = RegisterActualisation {
            actualisation: ActualisationId::from_u128(self.seq as u128 + 7),
            children: ids.clone(),
            kind,
            received_at: received,
            channel: Channel::EService,
            reporter: Reporter {
                category: ReporterCategory::School,
                name: Some("Lärare Testberg".into()),
                organisation: Some("Påhittade skolan".into()),
                contact: Some("08-000 00 00".into()),
            },
            reasons,
            text: "Eleven berättar om blåmärken.".into(),
            unit: UnitId::parse("mottagning").unwrap(),
            receipt: None,
        };
        let actor = self.actor("rita", Role::Registrar);
        let ctx = Context { now: received, rules: &self.rules, org: &self.org, actor: &actor };
        let evs = commands::register_actualisation(&cmd, &ctx).unwrap();
        for e in evs {
            self.seal(e);
        }
        ids.into_iter().map(|(c, _)| c).collect()
    }

    pub fn state(&self, case: CaseId) -> CaseState {
        CaseState::from_events(self.streams[&case.stream()].iter()).unwrap()
    }

    pub fn try_cmd(
        &mut self,
        case: CaseId,
        who: (&str, Role),
        now: DateTime<Utc>,
        cmd: CaseCommand,
    ) -> Result<(), DomainError> {
        self.try_cmd_with(case, who, now, cmd, None)
    }

    pub fn try_cmd_with(
        &mut self,
        case: CaseId,
        who: (&str, Role),
        now: DateTime<Utc>,
        cmd: CaseCommand,
        other: Option<CaseId>,
    ) -> Result<(), DomainError> {
        let actor = self.actor(who.0, who.1);
        let state = self.state(case);
        let other_state = other.map(|o| self.state(o));
        let evs = {
            let ctx = Context { now, rules: &self.rules, org: &self.org, actor: &actor };
            commands::handle(&state, &cmd, &ctx, other_state.as_ref())?
        };
        for e in evs {
            self.seal(e);
        }
        Ok(())
    }

    pub fn cmd(&mut self, case: CaseId, who: (&str, Role), now: DateTime<Utc>, cmd: CaseCommand) {
        if let Err(e) = self.try_cmd(case, who, now, cmd) {
            panic!("refused: {} {}", e.code.as_str(), e.message);
        }
    }

    /// Deadline states at `now`, by kind.
    pub fn states(&self, case: CaseId, now: DateTime<Utc>) -> Vec<(DeadlineKind, DeadlineState)> {
        deadlines(&self.state(case), &self.rules, now).into_iter().map(|d| (d.spec.kind, d.state)).collect()
    }

    pub fn state_of(&self, case: CaseId, kind: DeadlineKind, now: DateTime<Utc>) -> Option<DeadlineState> {
        self.states(case, now).into_iter().find(|(k, _)| *k == kind).map(|(_, s)| s)
    }
}
