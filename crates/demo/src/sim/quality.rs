//! The demo municipality's quality-management system, through the domain's own quality
//! commands (`quality::commands::handle`) at the simulated instant of each act:
//!
//! - deviations reported by staff, calibrated to Eskilstuna 2022 (184 a year for about
//!   8,900 reports: 10 from other administrations or the region, 29 concerning external
//!   actors and sent on, the rest internal; about 139 closed at the year's end); categories
//!   per unit as in the seed (absence routines and communication in the investigation units,
//!   documents linked too late at intake, decisions expired while the insats goes on);
//!   each investigated, given measures, feedback and locked — or escalated to lex Sarah;
//! - lex Sarah reports, classified, the serious ones reported to IVO;
//! - comments and complaints by source, subject and kind, answered and closed;
//! - internal control: the seed's five risks, a yearly plan with a control moment per risk
//!   (three of five with remarks, as in the seed), measures and the report to the board;
//! - a user survey each autumn with responses (response rate and NKI);
//! - the detection sweep (`quality::detect`, as `Store::sweep_detections` runs it) every
//!   Monday morning over the open cases, with the rule table's detections; the unit
//!   manager investigates and locks what it finds.
//!
//! Volumes scale with `reports_per_year`. The quality acts draw from their own seeded
//! random stream, so the cases are the same with or without them.

use chrono::{Datelike, NaiveDate, Weekday};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;

use skyndsam_domain::calendar::local_date;
use skyndsam_domain::case::CaseState;
use skyndsam_domain::commands::Context;
use skyndsam_domain::events::{NewEvent, RecordedEvent};
use skyndsam_domain::ids::{CaseId, ComplaintId, ControlPlanId, DeviationId, LexSarahId, RiskId, StaffId, SurveyId};
use skyndsam_domain::journal;
use skyndsam_domain::org::Role;
use skyndsam_domain::personnummer::Sex;
use skyndsam_domain::quality::commands::{
    handle, responsible, ComplaintCommand, ControlPlanCommand, DeviationCommand, LexSarahCommand, Lookup,
    MatterCommand, QualityCommand, RiskCommand, SurveyCommand,
};
use skyndsam_domain::quality::model::*;
use skyndsam_domain::quality::{detect, Matter};
use skyndsam_domain::DomainError;

use super::{bug, chance, pick, weighted, Act, Sim};
use crate::muni::{MOTTAGNING, OPPENVARD, SYSTEM, UNGDOM, UTREDNING_1, UTREDNING_2, VALD};
use crate::time::{at, local, plus, uniform, working_on_or_after};

/// Eskilstuna 2022 for about 8,900 reports a year.
const CALIBRATION_REPORTS: f64 = 8900.0;
const DEVIATIONS: f64 = 184.0;
/// From other administrations or the region (5 + 3 + 2 of 184).
const INCOMING: f64 = 10.0 / 184.0;
/// Concerning external actors or other administrations, sent on (29 of 184).
const OUTGOING: f64 = 29.0 / 184.0;
/// Internal deviations escalated to lex Sarah.
const ESCALATED: f64 = 0.03;
/// Lex Sarah reports made directly (besides the escalated ones).
const LEX_SARAH: f64 = 6.0;
const COMPLAINTS: f64 = 40.0;
/// Internal deviations linked to a person's case (the rest are organisational).
const LINKED: f64 = 0.55;

/// Deviations per unit (Eskilstuna: 39 at intake, 49 in the investigation units).
const UNIT_WEIGHTS: &[(usize, u32)] =
    &[(MOTTAGNING, 39), (UTREDNING_1, 25), (UTREDNING_2, 24), (VALD, 25), (UNGDOM, 28), (OPPENVARD, 43)];

fn categories(unit: usize) -> &'static [(&'static str, u32)] {
    match unit {
        MOTTAGNING => &[
            ("registrering", 45),
            ("kommunikation", 15),
            ("tidsfrister", 10),
            ("dokumentation", 10),
            ("sekretess", 8),
            ("samverkan", 7),
            ("ovrigt", 5),
        ],
        UTREDNING_1 | UTREDNING_2 => &[
            ("rutin", 25),
            ("kommunikation", 20),
            ("insats", 20),
            ("tidsfrister", 15),
            ("dokumentation", 10),
            ("samverkan", 5),
            ("ovrigt", 5),
        ],
        VALD => &[
            ("samverkan", 25),
            ("rutin", 20),
            ("dokumentation", 15),
            ("kommunikation", 15),
            ("sekretess", 10),
            ("tidsfrister", 10),
            ("ovrigt", 5),
        ],
        UNGDOM => &[
            ("samverkan", 30),
            ("insats", 20),
            ("rutin", 15),
            ("dokumentation", 15),
            ("kommunikation", 10),
            ("ovrigt", 10),
        ],
        _ => &[
            ("insats", 35),
            ("kommunikation", 20),
            ("dokumentation", 15),
            ("rutin", 15),
            ("samverkan", 10),
            ("ovrigt", 5),
        ],
    }
}

fn description(category: &str) -> &'static str {
    match category {
        "registrering" => {
            "En inkommen handling skannades in men länkades inte till handläggaren förrän flera dagar senare."
        }
        "kommunikation" => {
            "Vårdnadshavare har inte fått besked om handläggningen trots upprepade försök att nå handläggaren."
        }
        "tidsfrister" => "Handläggningen har dragit ut på tiden på grund av frånvaro utan att ärendet lämnats över.",
        "dokumentation" => "Journalanteckningar från samtal har inte förts in, vilket försvårade överlämningen.",
        "sekretess" => "En handling skickades till fel mottagare inom förvaltningen.",
        "samverkan" => "Samverkan vid handräckning fungerade inte; barnet fick vänta på ett beslutat ingripande.",
        "rutin" => "Det saknades en fungerande rutin vid frånvaro och ärendet blev liggande.",
        "insats" => "Ett insatsbeslut har löpt ut utan att förnyas medan insatsen fortsätter.",
        "delegation" => "Ett beslut fattades av någon utan delegation.",
        _ => "Händelsen blev inte bra för brukaren och rapporteras för att förebygga att den upprepas.",
    }
}

const INCOMING_FROM: &[(&str, u32)] = &[
    ("Arbetsmarknads- och vuxenutbildningsförvaltningen", 5),
    ("Barn- och utbildningsförvaltningen", 3),
    ("Region Exempellän", 2),
];
const OUTGOING_TO: &[(&str, u32)] = &[
    ("Polismyndigheten (handräckning)", 10),
    ("Region Exempellän (barn- och ungdomspsykiatrin)", 8),
    ("Barn- och utbildningsförvaltningen (sena orosanmälningar)", 7),
    ("Arbetsmarknads- och vuxenutbildningsförvaltningen", 4),
];

/// The seed's five risks of the year's internal-control plan (Eskilstuna 2022): title,
/// process, (severity, probability), whether the control found deficiencies.
const RISKS: [(&str, &str, u8, u8, bool); 5] = [
    ("Kö till nämndens insatser", "Verkställighet", 3, 4, true),
    ("Efterlevnad av riktlinjer", "Utredning och beslut", 3, 3, true),
    ("Efterlevnad av styrande och stödjande dokument", "Ledning och styrning", 2, 3, true),
    ("Uppsägning av extern dygnsvård", "Placeringar", 3, 1, false),
    ("Förvaltningens beställarorganisation", "Upphandling och beställning", 2, 2, false),
];

/// What the quality simulation holds between acts.
pub(super) struct QState {
    rng: ChaCha8Rng,
    matters: HashMap<String, Matter>,
    /// Stream → (version, hash of the last event).
    heads: HashMap<String, (u32, String)>,
    staff: HashMap<StaffId, usize>,
    risks: Vec<RiskId>,
}

impl QState {
    pub(super) fn new(seed: u64, staff: HashMap<StaffId, usize>) -> Self {
        Self {
            rng: ChaCha8Rng::seed_from_u64(seed ^ 0x5175_616c_6974_7921),
            matters: HashMap::new(),
            heads: HashMap::new(),
            staff,
            risks: Vec::new(),
        }
    }
}

/// A planned staff-reported deviation; its case is chosen when it is reported.
pub(super) struct DevPlan {
    id: DeviationId,
    unit: usize,
    reporter: usize,
    category: &'static str,
    direction: DeviationDirection,
    body: Option<&'static str>,
}

pub(super) enum QAct {
    /// Plan a year's quality work.
    Year(i32),
    /// The detection sweep.
    Sweep,
    Deviation(Box<DevPlan>),
    /// A command prepared in advance, run by staff member `by`.
    Cmd {
        by: usize,
        cmd: Box<QualityCommand>,
    },
}

impl std::fmt::Debug for QAct {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            QAct::Year(y) => write!(f, "Year({y})"),
            QAct::Sweep => write!(f, "Sweep"),
            QAct::Deviation(d) => write!(f, "Deviation({})", d.id),
            QAct::Cmd { by, cmd } => write!(f, "Cmd({by}, {cmd:?})"),
        }
    }
}

/// The matters, and at most the one case a command links to.
struct Look<'a> {
    matters: &'a HashMap<String, Matter>,
    case: Option<&'a CaseState>,
}

impl Lookup for Look<'_> {
    fn matter(&self, stream: &str) -> Option<&Matter> {
        self.matters.get(stream)
    }
    fn case(&self, id: &CaseId) -> Option<&CaseState> {
        self.case.filter(|c| c.case == *id)
    }
}

fn scaled(rng: &mut ChaCha8Rng, per_year: f64, reports: u32) -> u32 {
    let x = per_year * f64::from(reports) / CALIBRATION_REPORTS;
    // Round at random so small municipalities get their share on average.
    let whole = x.floor();
    let frac = x - whole;
    whole as u32 + u32::from(rng.gen::<f64>() < frac)
}

fn day(year: i32, ordinal: u32) -> NaiveDate {
    NaiveDate::from_yo_opt(year, ordinal).unwrap_or(NaiveDate::MIN)
}

fn days_in(year: i32) -> u32 {
    if NaiveDate::from_ymd_opt(year, 2, 29).is_some() {
        366
    } else {
        365
    }
}

impl Sim<'_> {
    /// Puts each year's planning and every Monday's sweep on the schedule.
    pub(super) fn schedule_quality(&mut self) -> Result<(), DomainError> {
        for y in 0..self.cfg.years {
            let year = self.cfg.year + i32::try_from(y).map_err(|_| bug("för många år"))?;
            self.push(local(day(year, 1), 30), Act::Quality(QAct::Year(year)));
            let mut d = day(year, 1);
            while d.year() == year {
                if d.weekday() == Weekday::Mon {
                    self.push(local(d, 6 * 60 + 15), Act::Quality(QAct::Sweep));
                }
                d = plus(d, 1);
            }
        }
        Ok(())
    }

    pub(super) fn quality_act(&mut self, act: QAct) -> Result<(), DomainError> {
        match act {
            QAct::Year(y) => self.plan_year(y),
            QAct::Sweep => self.sweep(),
            QAct::Deviation(p) => self.report_deviation(*p),
            QAct::Cmd { by, cmd } => self.qexec(by, &cmd, None).map(|_| ()),
        }
    }

    fn qpush(&mut self, on: NaiveDate, from: u32, to: u32, by: usize, cmd: QualityCommand) {
        let t = at(&mut self.q.rng, on, from, to);
        self.push(t, Act::Quality(QAct::Cmd { by, cmd: Box::new(cmd) }));
    }

    /// A working day `lo..=hi` days after `d`.
    fn qday(&mut self, d: NaiveDate, lo: i64, hi: i64) -> NaiveDate {
        let n = uniform(&mut self.q.rng, lo, hi);
        working_on_or_after(plus(d, n))
    }

    fn staff_no(&self, id: Option<&StaffId>, fallback: usize) -> usize {
        id.and_then(|s| self.q.staff.get(s)).copied().unwrap_or(fallback)
    }

    /// Runs a quality command as `by` now; seals, folds and records its events.
    fn qexec(&mut self, by: usize, cmd: &QualityCommand, case: Option<usize>) -> Result<(), DomainError> {
        let out = {
            let state = match case {
                Some(i) => self.cases.get(i).and_then(|c| c.as_ref()).and_then(|c| c.state.as_ref()),
                None => None,
            };
            let look = Look { matters: &self.q.matters, case: state };
            let ctx = Context { now: self.now, rules: self.rules, org: &self.org, actor: self.ctx_actor(by)? };
            handle(cmd, &ctx, &look).map_err(|e| DomainError {
                message: format!("{} (demo: kvalitet {cmd:?} {})", e.message, self.now),
                ..e
            })?
        };
        for ev in out.events {
            self.qcommit(ev)?;
        }
        Ok(())
    }

    fn qcommit(&mut self, ev: NewEvent) -> Result<(), DomainError> {
        self.seq += 1;
        let (version, prev) = match self.q.heads.get(&ev.stream) {
            Some((v, h)) => (v + 1, h.clone()),
            None => (1, journal::GENESIS_HASH.to_owned()),
        };
        let rec = journal::seal(ev, self.seq, version, &prev)?;
        match self.q.matters.get_mut(&rec.stream) {
            Some(m) => m.apply(&rec),
            None => {
                let m = Matter::start(&rec).ok_or_else(|| bug("kvalitetsärendet börjar fel"))?;
                match &m {
                    Matter::Deviation(d) if d.detection.is_some() => self.stats.deviations_detected += 1,
                    Matter::Deviation(_) => self.stats.deviations += 1,
                    Matter::LexSarah(_) => self.stats.lex_sarah += 1,
                    Matter::Complaint(_) => self.stats.complaints += 1,
                    _ => {}
                }
                self.q.matters.insert(rec.stream.clone(), m);
            }
        }
        let RecordedEvent { stream, meta, payload, hash, .. } = rec;
        self.q.heads.insert(stream.clone(), (version, hash));
        self.events.push(NewEvent { stream, meta, payload });
        Ok(())
    }

    // -------------------------------------------------------------- the year

    fn plan_year(&mut self, year: i32) -> Result<(), DomainError> {
        let reports = self.cfg.reports_per_year;
        let len = days_in(year);
        let random_day = |s: &mut Self| {
            let d = day(year, s.q.rng.gen_range(1..=len));
            working_on_or_after(d)
        };
        // Deviations reported by staff.
        let n = scaled(&mut self.q.rng, DEVIATIONS, reports);
        for _ in 0..n {
            let d = random_day(self);
            if d.year() != year {
                continue;
            }
            let unit = weighted(&mut self.q.rng, UNIT_WEIGHTS).unwrap_or(MOTTAGNING);
            let r = self.q.rng.gen::<f64>();
            let (direction, body, category) = if r < INCOMING {
                let body = weighted(&mut self.q.rng, INCOMING_FROM);
                let cat = weighted(&mut self.q.rng, &[("samverkan", 5), ("kommunikation", 3), ("rutin", 2)]);
                (DeviationDirection::ExternalIncoming, body, cat.unwrap_or("samverkan"))
            } else if r < INCOMING + OUTGOING {
                let body = weighted(&mut self.q.rng, OUTGOING_TO);
                let cat = weighted(&mut self.q.rng, &[("samverkan", 7), ("tidsfrister", 3)]);
                (DeviationDirection::ExternalOutgoing, body, cat.unwrap_or("samverkan"))
            } else {
                let cat = weighted(&mut self.q.rng, categories(unit)).unwrap_or("ovrigt");
                (DeviationDirection::Internal, None, cat)
            };
            let u = self.unit(unit)?.clone();
            // At intake the registrars report the documents; elsewhere handlers and team leaders.
            let pool: Vec<usize> = if category == "registrering" && !u.registrars.is_empty() {
                u.registrars.clone()
            } else if chance(&mut self.q.rng, 0.25) {
                u.leaders.clone()
            } else {
                u.handlers.clone()
            };
            let reporter = pick(&mut self.q.rng, &pool).copied().unwrap_or(u.manager);
            let id = DeviationId::from_u128(self.q.rng.gen());
            let t = at(&mut self.q.rng, d, 8 * 60, 16 * 60 + 30);
            let plan = DevPlan { id, unit, reporter, category, direction, body };
            self.push(t, Act::Quality(QAct::Deviation(Box::new(plan))));
        }
        // Lex Sarah reports made directly.
        let n = scaled(&mut self.q.rng, LEX_SARAH, reports);
        for _ in 0..n {
            let d = random_day(self);
            if d.year() == year {
                self.plan_lex_sarah_report(d)?;
            }
        }
        // Comments and complaints.
        let n = scaled(&mut self.q.rng, COMPLAINTS, reports);
        for _ in 0..n {
            let d = random_day(self);
            if d.year() == year {
                self.plan_complaint(d)?;
            }
        }
        self.plan_internal_control(year)?;
        self.plan_survey(year)
    }

    // -------------------------------------------------------------- deviations

    fn report_deviation(&mut self, p: DevPlan) -> Result<(), DomainError> {
        let today = local_date(self.now);
        let unit_id = self.unit(p.unit)?.id.clone();
        // Link to a live case of the unit (a person's file) or report it as organisational.
        // (A few random draws among the recent cases: the case list only grows.)
        let mut case = None;
        if p.direction == DeviationDirection::Internal && chance(&mut self.q.rng, LINKED) {
            let n = self.cases.len();
            let window = usize::try_from(self.cfg.reports_per_year).unwrap_or(n).max(1);
            for _ in 0..50 {
                if n == 0 {
                    break;
                }
                let i = self.q.rng.gen_range(n.saturating_sub(window)..n);
                let live =
                    self.cases.get(i).and_then(|c| c.as_ref()).is_some_and(|c| c.unit == p.unit && c.state.is_some());
                if live {
                    case = Some(i);
                    break;
                }
            }
        }
        let case_id = match case {
            Some(i) => self.cases.get(i).and_then(|c| c.as_ref()).and_then(|c| c.state.as_ref()).map(|s| s.case),
            None => None,
        };
        let occurred = plus(today, -uniform(&mut self.q.rng, 0, 6));
        let cmd = QualityCommand::ReportDeviation(DeviationReported {
            deviation: p.id,
            unit: unit_id.clone(),
            assignee: None,
            occurred_on: occurred,
            category: p.category.to_owned(),
            direction: p.direction,
            external_body: p.body.map(str::to_owned),
            case: case_id,
            description: description(p.category).to_owned(),
            immediate_action: chance(&mut self.q.rng, 0.4)
                .then(|| "Enhetschefen informerades och ärendet prioriterades.".to_owned()),
            source: DeviationSource::Staff,
            risk: None,
        });
        self.qexec(p.reporter, &cmd, case)?;
        let manager = self.unit(p.unit)?.manager;
        let assignee = match self.q.matters.get(&p.id.stream()) {
            Some(Matter::Deviation(d)) => self.staff_no(d.handling.assignee.as_ref(), manager),
            _ => manager,
        };
        self.plan_deviation(p.id, p.unit, assignee, p.direction, true, today)
    }

    /// The deviation's handling after its report on `on`: investigation, measure, feedback
    /// and lock within a drawn time (half within six weeks, a fifth late, some months, some
    /// over a year — so that about three in four of a year's deviations are closed at its
    /// end, as in Eskilstuna), sent on (external), or escalated to lex Sarah. The system's
    /// findings are investigated and locked within two months.
    fn plan_deviation(
        &mut self,
        id: DeviationId,
        unit: usize,
        by: usize,
        direction: DeviationDirection,
        human: bool,
        on: NaiveDate,
    ) -> Result<(), DomainError> {
        let dev = |c: DeviationCommand| QualityCommand::Deviation(id, c);
        if direction == DeviationDirection::ExternalOutgoing {
            let sent = self.qday(on, 1, 7);
            let body = weighted(&mut self.q.rng, OUTGOING_TO).unwrap_or("Polismyndigheten");
            let forward =
                DeviationForwarded { to_body: body.to_owned(), contact: "funktionsbrevlådan".into(), sent_on: sent };
            self.qpush(sent, 9 * 60, 11 * 60, by, dev(DeviationCommand::Forward(forward)));
            let lock = self.qday(sent, 0, 10);
            let fb = FeedbackGiven {
                text: "Avvikelsen är skickad vidare för utredning hos berörd aktör.".into(),
                channel: FeedbackChannel::InApp,
            };
            self.qpush(lock, 12 * 60, 13 * 60, by, dev(DeviationCommand::Feedback(fb)));
            let summary = "Skickad vidare; utreds av mottagaren.".into();
            self.qpush(lock, 13 * 60, 16 * 60, by, dev(DeviationCommand::Lock(MatterLocked { summary })));
            // The other body rarely answers (the seed).
            if chance(&mut self.q.rng, 0.15) {
                let d = self.qday(sent, 20, 60);
                let a = ExternalAnswerReceived { received_on: d, text: "Mottagarens utredning och åtgärder.".into() };
                self.qpush(d, 9 * 60, 15 * 60, by, dev(DeviationCommand::ExternalAnswer(a)));
            }
            return Ok(());
        }
        if human && direction == DeviationDirection::Internal && chance(&mut self.q.rng, ESCALATED) {
            let d = self.qday(on, 3, 20);
            let lex = LexSarahId::from_u128(self.q.rng.gen());
            let risk =
                RiskScore { severity: 4, probability: u8::try_from(uniform(&mut self.q.rng, 2, 3)).unwrap_or(2) };
            let cmd = dev(DeviationCommand::Escalate {
                lex_sarah: lex,
                reason: "Bedömd med riskmatrisen som ett möjligt missförhållande.".into(),
                risk,
                assignee: None,
            });
            self.qpush(d, 9 * 60, 12 * 60, self.muni.quality, cmd);
            return self.plan_lex_sarah(lex, unit, d);
        }
        // Days from the report to the lock.
        let r = self.q.rng.gen::<f64>();
        let total = if !human {
            uniform(&mut self.q.rng, 5, 60)
        } else if r < 0.50 {
            uniform(&mut self.q.rng, 8, 41)
        } else if r < 0.70 {
            uniform(&mut self.q.rng, 43, 100)
        } else if r < 0.85 {
            uniform(&mut self.q.rng, 100, 250)
        } else {
            uniform(&mut self.q.rng, 300, 500)
        };
        let lock = working_on_or_after(plus(on, total.max(1)));
        let inv = working_on_or_after(plus(lock, -uniform(&mut self.q.rng, 0, 6)).max(plus(on, 1)));
        let inv = if inv > lock { lock } else { inv };
        let investigated = DeviationInvestigated {
            what_happened: "Händelseförloppet har gåtts igenom med berörda medarbetare.".into(),
            failures: "Rutinen följdes inte i det enskilda fallet.".into(),
            causes: "Hög arbetsbelastning och frånvaro utan överlämning.".into(),
            measures: "Rutinen gås igenom på arbetsplatsträff; ansvar vid frånvaro förtydligas.".into(),
            recurrence_prevented: chance(&mut self.q.rng, 0.7),
            risk: None,
        };
        self.qpush(inv, 8 * 60, 10 * 60, by, dev(DeviationCommand::Investigate(investigated)));
        if human && chance(&mut self.q.rng, 0.7) {
            let u = self.unit(unit)?.clone();
            let owner = pick(&mut self.q.rng, &u.leaders).copied().unwrap_or(u.manager);
            let owner_id = self.ctx_actor(owner)?.staff.clone();
            let due = self.qday(inv, 14, 45);
            let m = MeasureDecided {
                measure: 0,
                description: "Rutinen för frånvaro revideras och gås igenom i teamet.".into(),
                owner: owner_id,
                due,
            };
            self.qpush(inv, 10 * 60, 11 * 60, by, dev(DeviationCommand::Matter(MatterCommand::DecideMeasure(m))));
            if chance(&mut self.q.rng, 0.85) {
                let done = working_on_or_after(plus(due, -uniform(&mut self.q.rng, 0, 10)).max(plus(inv, 1)));
                let c = MeasureCompleted { measure: 1, completed_on: done, comment: None };
                self.qpush(
                    done,
                    9 * 60,
                    15 * 60,
                    owner,
                    dev(DeviationCommand::Matter(MatterCommand::CompleteMeasure(c))),
                );
                if chance(&mut self.q.rng, 0.4) {
                    let f = self.qday(done, 20, 50);
                    let effect = weighted(
                        &mut self.q.rng,
                        &[(Effect::Achieved, 6), (Effect::Partly, 3), (Effect::NotAchieved, 1)],
                    )
                    .unwrap_or(Effect::Achieved);
                    let fu = FollowUpRecorded {
                        text: "Uppföljning på arbetsplatsträff.".into(),
                        effect,
                        next_follow_up: None,
                    };
                    self.qpush(f, 9 * 60, 15 * 60, by, dev(DeviationCommand::Matter(MatterCommand::FollowUp(fu))));
                }
            }
        }
        if human {
            let fb = FeedbackGiven {
                text: "Tack för rapporten. Utredningen och åtgärderna finns i avvikelsen.".into(),
                channel: FeedbackChannel::InApp,
            };
            self.qpush(lock, 11 * 60, 12 * 60, by, dev(DeviationCommand::Feedback(fb)));
        }
        let summary = "Utredd; åtgärder beslutade där det behövdes.".into();
        self.qpush(lock, 13 * 60, 16 * 60, by, dev(DeviationCommand::Lock(MatterLocked { summary })));
        Ok(())
    }

    /// The detection sweep, as `Store::sweep_detections` does it: every open case (and every
    /// case with a decision flagged outside delegation) through `detect`; each new finding
    /// reported by the system to the case unit's manager.
    fn sweep(&mut self) -> Result<(), DomainError> {
        let today = local_date(self.now);
        let mut found: Vec<(usize, detect::Detection)> = Vec::new();
        for (i, c) in self.cases.iter().enumerate() {
            let Some(s) = c.as_ref().and_then(|c| c.state.as_ref()) else { continue };
            if !s.is_open() && s.delegation_flags.is_empty() {
                continue;
            }
            for d in detect::detect(s, self.rules, self.now) {
                if !self.q.matters.contains_key(&d.deviation_id().stream()) {
                    found.push((i, d));
                }
            }
        }
        for (i, d) in found {
            let assignee = responsible(&self.org, &d.unit, &[Role::UnitManager], today);
            let report = d.report(self.rules, assignee.clone());
            self.qexec(SYSTEM, &QualityCommand::ReportDeviation(report), Some(i))?;
            let unit = self.cs(i)?.unit;
            let fallback = self.unit(unit)?.manager;
            let by = self.staff_no(assignee.as_ref(), fallback);
            self.plan_deviation(d.deviation_id(), unit, by, DeviationDirection::Internal, false, today)?;
        }
        Ok(())
    }

    // -------------------------------------------------------------- lex Sarah

    fn plan_lex_sarah_report(&mut self, d: NaiveDate) -> Result<(), DomainError> {
        let unit = weighted(&mut self.q.rng, UNIT_WEIGHTS).unwrap_or(UTREDNING_1);
        let u = self.unit(unit)?.clone();
        let by = if chance(&mut self.q.rng, 0.5) {
            u.manager
        } else {
            pick(&mut self.q.rng, &u.handlers).copied().unwrap_or(u.manager)
        };
        let id = LexSarahId::from_u128(self.q.rng.gen());
        let cmd = QualityCommand::ReportLexSarah(LexSarahReported {
            lex_sarah: id,
            unit: u.id.clone(),
            assignee: None,
            occurred_on: plus(d, -uniform(&mut self.q.rng, 0, 10)),
            case: None,
            description: "Ett barn blev utan omedelbar skyddsbedömning under en helg.".into(),
            immediate_action: Some("Skyddsbedömningen gjordes direkt när det upptäcktes.".into()),
            from_deviation: None,
            risk: Some(RiskScore { severity: 4, probability: 2 }),
        });
        self.qpush(d, 9 * 60, 15 * 60, by, cmd);
        self.plan_lex_sarah(id, unit, d)
    }

    /// Investigation by the quality developer, classification and (when serious) the report
    /// to IVO by the area manager, measures, and closing.
    fn plan_lex_sarah(&mut self, id: LexSarahId, unit: usize, on: NaiveDate) -> Result<(), DomainError> {
        let ls = |c: LexSarahCommand| QualityCommand::LexSarah(id, c);
        let q = self.muni.quality;
        let decider = self.muni.area_manager;
        let inv = self.qday(on, 20, 50);
        let investigated = LexSarahInvestigated {
            course_of_events: "Händelseförloppet är rekonstruerat ur akten och intervjuer.".into(),
            consequences: "Barnet riskerade att inte få skydd i tid.".into(),
            causes: "Hög arbetsbelastning och brister i överlämningen.".into(),
            immediate_measures: "Ärendet fördelades och skyddsbedömning gjordes.".into(),
            users_view: "Vårdnadshavaren har lämnat synpunkter vid samtal.".into(),
            staff_view: "Medarbetarna beskriver en ansträngd situation.".into(),
            analysis: "Rutinen för omedelbar skyddsbedömning behöver förtydligas.".into(),
        };
        self.qpush(inv, 9 * 60, 12 * 60, q, ls(LexSarahCommand::Investigate(investigated)));
        let classified_on = self.qday(inv, 5, 15);
        let classification = weighted(
            &mut self.q.rng,
            &[
                (LexSarahClassification::SeriousImpropriety, 2),
                (LexSarahClassification::SubstantialRiskOfSerious, 2),
                (LexSarahClassification::Impropriety, 4),
                (LexSarahClassification::RiskOfImpropriety, 3),
                (LexSarahClassification::NoImpropriety, 3),
            ],
        )
        .unwrap_or(LexSarahClassification::Impropriety);
        let c = LexSarahClassified {
            classification,
            motivation: "Bedömningen grundas på utredningen.".into(),
            decided_on: classified_on,
        };
        self.qpush(classified_on, 13 * 60, 14 * 60, decider, ls(LexSarahCommand::Classify(c)));
        let mut last = classified_on;
        if classification.must_report_to_ivo() {
            let sent = self.qday(classified_on, 1, 10);
            let r = LexSarahReportedToIvo {
                sent_on: sent,
                ivo_reference: None,
                summary: "Anmälan enligt 14 kap. 7 § SoL.".into(),
            };
            self.qpush(sent, 9 * 60, 11 * 60, decider, ls(LexSarahCommand::ReportToIvo(r)));
            last = sent;
        }
        if classification != LexSarahClassification::NoImpropriety {
            let owner = self.unit(unit)?.manager;
            let owner_id = self.ctx_actor(owner)?.staff.clone();
            let due = self.qday(last, 30, 90);
            let m = MeasureDecided {
                measure: 0,
                description: "Rutinen för omedelbar skyddsbedömning revideras.".into(),
                owner: owner_id,
                due,
            };
            self.qpush(last, 14 * 60, 15 * 60, q, ls(LexSarahCommand::Matter(MatterCommand::DecideMeasure(m))));
        }
        let close = self.qday(last, 5, 30);
        let summary = "Utredd, bedömd och åtgärdad.".into();
        self.qpush(close, 15 * 60, 16 * 60, decider, ls(LexSarahCommand::Close(MatterLocked { summary })));
        Ok(())
    }

    // -------------------------------------------------------------- complaints

    fn plan_complaint(&mut self, d: NaiveDate) -> Result<(), DomainError> {
        let unit = weighted(&mut self.q.rng, UNIT_WEIGHTS).unwrap_or(UTREDNING_1);
        let u = self.unit(unit)?.clone();
        let source = weighted(
            &mut self.q.rng,
            &[
                (ComplaintSource::User, 40),
                (ComplaintSource::Relative, 25),
                (ComplaintSource::Staff, 5),
                (ComplaintSource::OtherBody, 10),
                (ComplaintSource::Ivo, 5),
                (ComplaintSource::Anonymous, 15),
            ],
        )
        .unwrap_or(ComplaintSource::User);
        let subject = weighted(
            &mut self.q.rng,
            &[
                (ComplaintSubject::Handling, 40),
                (ComplaintSubject::Treatment, 35),
                (ComplaintSubject::Intervention, 15),
                (ComplaintSubject::Other, 10),
            ],
        )
        .unwrap_or(ComplaintSubject::Handling);
        let kind = weighted(
            &mut self.q.rng,
            &[(ComplaintKind::Complaint, 80), (ComplaintKind::Suggestion, 12), (ComplaintKind::Praise, 8)],
        )
        .unwrap_or(ComplaintKind::Complaint);
        let anonymous = source == ComplaintSource::Anonymous;
        let id = ComplaintId::from_u128(self.q.rng.gen());
        let registrar = pick(&mut self.q.rng, &u.handlers).copied().unwrap_or(u.manager);
        let cmd = QualityCommand::ReceiveComplaint(ComplaintReceived {
            complaint: id,
            kind,
            source,
            subject,
            received_on: d,
            unit: u.id.clone(),
            assignee: None,
            case: None,
            description: "Synpunkt på handläggningen och bemötandet.".into(),
            contact: (!anonymous).then(|| "Via e-tjänsten".to_owned()),
        });
        self.qpush(d, 9 * 60, 12 * 60, registrar, cmd);
        let by = u.manager;
        let c = |x: ComplaintCommand| QualityCommand::Complaint(id, x);
        if anonymous {
            let close = self.qday(d, 2, 10);
            let summary = "Anonym synpunkt; tagen upp på arbetsplatsträff.".into();
            self.qpush(close, 13 * 60, 16 * 60, by, c(ComplaintCommand::Close(MatterLocked { summary })));
            return Ok(());
        }
        let mut last = d;
        if chance(&mut self.q.rng, 0.5) {
            let on = self.qday(d, 1, 5);
            self.qpush(
                on,
                12 * 60 + 30,
                13 * 60,
                by,
                c(ComplaintCommand::Contact(ComplaintContacted { on, text: "Telefonsamtal.".into() })),
            );
            last = on;
        }
        // One in ten takes longer than the routine's time.
        let answer = if chance(&mut self.q.rng, 0.9) { self.qday(last, 1, 12) } else { self.qday(last, 15, 45) };
        self.qpush(
            answer,
            13 * 60,
            14 * 60,
            by,
            c(ComplaintCommand::Answer(ComplaintAnswered {
                on: answer,
                text: "Svar med förklaring och åtgärd.".into(),
            })),
        );
        let close = self.qday(answer, 0, 5);
        let summary = "Besvarad.".into();
        self.qpush(close, 14 * 60, 16 * 60, by, c(ComplaintCommand::Close(MatterLocked { summary })));
        Ok(())
    }

    // -------------------------------------------------------------- internal control

    fn plan_internal_control(&mut self, year: i32) -> Result<(), DomainError> {
        let q = self.muni.quality;
        // The risk register, once: the seed's five risks.
        if self.q.risks.is_empty() {
            let on = working_on_or_after(day(year, 20));
            for (title, process, severity, probability, _) in RISKS {
                let id = RiskId::from_u128(self.q.rng.gen());
                self.q.risks.push(id);
                let cmd = QualityCommand::RegisterRisk(RiskRegistered {
                    risk: id,
                    title: title.into(),
                    description: format!("Risk inom {}.", process.to_lowercase()),
                    process: process.into(),
                    unit: None,
                    score: RiskScore { severity, probability },
                });
                self.qpush(on, 9 * 60, 11 * 60, q, cmd);
            }
        } else if let Some(&risk) = self.q.risks.first() {
            // Each later year the queue's risk is reassessed.
            let on = working_on_or_after(day(year, 25));
            let p = u8::try_from(uniform(&mut self.q.rng, 3, 4)).unwrap_or(4);
            let r = RiskReassessed {
                score: RiskScore { severity: 3, probability: p },
                comment: "Omprövad i årets riskanalys.".into(),
            };
            self.qpush(on, 9 * 60, 11 * 60, q, QualityCommand::Risk(risk, RiskCommand::Reassess(r)));
        }
        let plan = ControlPlanId::from_u128(self.q.rng.gen());
        let adopted = working_on_or_after(day(year, 46));
        let owners = [q, self.unit(OPPENVARD)?.manager, q, self.unit(UNGDOM)?.manager, q];
        let controls = [
            ("Väntetid från beslut till verkställd insats", "Statistik ur journalen, kvartalsvis"),
            ("Beslut följer riktlinjerna för bistånd", "Stickprov om 20 beslut"),
            ("Rutiner och riktlinjer är kända och används", "Enkät och intervjuer med enhetschefer"),
            ("Uppsägning av avtal för extern dygnsvård görs enligt avtal", "Granskning av samtliga uppsägningar"),
            ("Beställningar görs enligt delegation och avtal", "Stickprov om 15 beställningar"),
        ];
        let mut moments = Vec::new();
        let mut dues = Vec::new();
        for (i, ((control, method), owner)) in controls.iter().zip(owners).enumerate() {
            let due = working_on_or_after(day(year, 244 + 14 * u32::try_from(i).unwrap_or(0)));
            dues.push((due, owner));
            moments.push(ControlMoment {
                moment: 0,
                risk: self.q.risks.get(i).copied().ok_or_else(|| bug("risk saknas"))?,
                control: (*control).into(),
                method: (*method).into(),
                owner: self.ctx_actor(owner)?.staff.clone(),
                due,
            });
        }
        let adopt = ControlPlanAdopted {
            plan,
            year,
            adopted_on: adopted,
            board_reference: format!("SN {adopted} § {}", uniform(&mut self.q.rng, 10, 30)),
            moments,
        };
        self.qpush(adopted, 10 * 60, 12 * 60, q, QualityCommand::AdoptControlPlan(adopt));
        let cp = |c: ControlPlanCommand| QualityCommand::ControlPlan(plan, c);
        let mut last = adopted;
        for (i, (due, owner)) in dues.iter().enumerate() {
            let on = working_on_or_after(plus(*due, -uniform(&mut self.q.rng, 0, 10)).max(plus(adopted, 1)));
            let remarks = RISKS.get(i).is_some_and(|r| r.4);
            let result = if remarks { "Brister konstaterades; åtgärder tas fram." } else { "Inga anmärkningar." };
            let moment = u32::try_from(i + 1).unwrap_or(1);
            let r = ControlResultRecorded { moment, on, result: result.into(), remarks };
            self.qpush(on, 9 * 60, 12 * 60, *owner, cp(ControlPlanCommand::RecordResult(r)));
            last = last.max(on);
            if remarks {
                let decided = self.qday(on, 1, 10);
                let due = self.qday(decided, 30, 90);
                let m = MeasureDecided {
                    measure: 0,
                    description: format!("Åtgärd efter kontrollmoment {moment}."),
                    owner: self.ctx_actor(q)?.staff.clone(),
                    due,
                };
                self.qpush(decided, 13 * 60, 15 * 60, q, cp(ControlPlanCommand::DecideMeasure(m)));
            }
        }
        // Measures are numbered in the order they are decided; complete them by number.
        for n in 1..=3u32 {
            let done = self.qday(last, 40 + i64::from(n) * 5, 80 + i64::from(n) * 5);
            let c = MeasureCompleted { measure: n, completed_on: done, comment: None };
            self.qpush(done, 9 * 60, 15 * 60, q, cp(ControlPlanCommand::CompleteMeasure(c)));
        }
        let report = working_on_or_after(day(year, 340)).max(self.qday(last, 5, 10));
        let r =
            ControlReportSubmitted { on: report, text: "Uppföljning av internkontrollplanen till nämnden.".into() };
        self.qpush(report, 10 * 60, 12 * 60, q, cp(ControlPlanCommand::SubmitReport(r)));
        Ok(())
    }

    // -------------------------------------------------------------- user survey

    fn plan_survey(&mut self, year: i32) -> Result<(), DomainError> {
        let q = self.muni.quality;
        let id = SurveyId::from_u128(self.q.rng.gen());
        let units = [UTREDNING_1, UTREDNING_2, VALD, UNGDOM, OPPENVARD];
        let unit_ids = units.iter().map(|u| self.unit(*u).map(|x| x.id.clone())).collect::<Result<Vec<_>, _>>()?;
        let defined = working_on_or_after(day(year, 230));
        let from = NaiveDate::from_ymd_opt(year, 9, 1).ok_or_else(|| bug("ogiltigt år"))?;
        let to = NaiveDate::from_ymd_opt(year, 11, 30).ok_or_else(|| bug("ogiltigt år"))?;
        let questions = [
            ("Hur nöjd är du sammantaget med det stöd du fått?", true),
            ("Hur väl uppfyllde stödet dina förväntningar?", true),
            ("Hur nära ett ideal var stödet?", true),
            ("Har du fått vara delaktig i planeringen?", false),
        ];
        let cmd = QualityCommand::DefineSurvey(SurveyDefined {
            survey: id,
            name: format!("Brukarundersökning {year}"),
            units: unit_ids.clone(),
            from,
            to,
            scale_max: 10,
            questions: questions.iter().map(|(t, nki)| SurveyQuestion { text: (*t).into(), nki: *nki }).collect(),
        });
        self.qpush(defined, 9 * 60, 11 * 60, q, cmd);
        // Asked at closed investigations and insatser in the period; a fifth to a third answer.
        let scale = f64::from(self.cfg.reports_per_year) / CALIBRATION_REPORTS;
        let mut invited = Vec::new();
        let mut responses = Vec::new();
        for (i, u) in unit_ids.iter().enumerate() {
            let rate = 0.15 + 0.2 * self.q.rng.gen::<f64>();
            // Units differ in how content their users are.
            let level = 5.5 + 2.5 * self.q.rng.gen::<f64>() + if i == 4 { 0.8 } else { 0.0 };
            for sex in [Sex::Female, Sex::Male] {
                let count = ((40.0 + 40.0 * self.q.rng.gen::<f64>()) * scale).round().max(1.0) as u32;
                invited.push(SurveyInvited { unit: u.clone(), sex: Some(sex), count });
                let answers = (f64::from(count) * rate).round() as u32;
                for _ in 0..answers {
                    let person = level + 1.8 * (self.q.rng.gen::<f64>() - 0.5) * 2.0;
                    let mut a = Vec::with_capacity(questions.len());
                    for (_, nki) in questions {
                        let x = person + (self.q.rng.gen::<f64>() - 0.5) * 2.0;
                        let v = x.round().clamp(1.0, 10.0) as u8;
                        // Now and then a question is left out (not one of the NKI ones).
                        a.push(if !nki && chance(&mut self.q.rng, 0.1) { None } else { Some(v) });
                    }
                    responses.push(SurveyResponse { unit: u.clone(), sex: Some(sex), answers: a });
                }
            }
        }
        let recorded = working_on_or_after(plus(to, uniform(&mut self.q.rng, 3, 10)));
        let s = |c: SurveyCommand| QualityCommand::Survey(id, c);
        self.qpush(
            recorded,
            9 * 60,
            10 * 60,
            q,
            s(SurveyCommand::RecordInvitations(SurveyInvitationsRecorded { invited })),
        );
        for chunk in responses.chunks(skyndsam_domain::quality::commands::MAX_ITEMS) {
            let r = SurveyResponsesRecorded { responses: chunk.to_vec(), source: format!("enkat-{year}.csv") };
            self.qpush(recorded, 10 * 60, 11 * 60, q, s(SurveyCommand::RecordResponses(r)));
        }
        Ok(())
    }
}
