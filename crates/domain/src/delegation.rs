//! Who may decide: a decision judged against the delegation order in force on its date
//! (`RuleTable::delegation_order_on`) and the written re-delegations folded into the
//! organisation (`Organisation::redelegations`). Pure; shared by the commands (refuse or
//! record and flag), self-inspection ("beslut av behörig delegat") and the board's list
//! of delegated decisions (anmälan av delegationsbeslut).

use chrono::NaiveDate;
use serde::Serialize;

use crate::events::{
    BoardDecision, GrantedIntervention, InvestigationOutcome, Payload, PreliminaryOutcome, RecordedEvent,
};
use crate::ids::{CaseId, StaffId, UnitId};
use crate::org::{Organisation, Role};
use crate::rules::{DecisionType, RuleTable};

/// On what basis a decision was (or was not) taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "basis", rename_all = "snake_case")]
pub enum Verdict {
    /// The decider's role holds the delegation in the order in force.
    Role,
    /// A written re-delegation in force covered the decider, the decision type and the case's unit.
    Redelegation { redelegation: String, seq: u64 },
    /// Recorded as the board's or committee's decision.
    Board { body: Role, meeting_on: NaiveDate, paragraph: String },
    /// Outside delegation.
    Outside,
    /// A decision the law keeps from officials, taken by an official.
    BoardOnly,
    /// The decision type is missing from the order in force.
    NotInOrder,
}

/// A decision judged against the delegation order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Judgement {
    pub decision: DecisionType,
    /// The decision type's name in the order (Swedish).
    pub name: String,
    pub on: NaiveDate,
    /// The version of the delegation order in force on `on`.
    pub order_version: String,
    pub citation: String,
    pub verdict: Verdict,
    /// Roles that may take the decision under that version (empty: the board only).
    pub may_decide: Vec<Role>,
    /// Whether this decision type is reported to the board.
    pub report_to_board: bool,
}

impl Judgement {
    pub fn authorised(&self) -> bool {
        matches!(self.verdict, Verdict::Role | Verdict::Redelegation { .. } | Verdict::Board { .. })
    }

    /// The reference recorded on the event (`EventMeta::delegation`).
    pub fn reference(&self) -> Option<String> {
        match &self.verdict {
            Verdict::Role => Some(self.decision.as_str().to_owned()),
            Verdict::Redelegation { redelegation, .. } => Some(format!("vidaredelegering {redelegation}")),
            Verdict::Board { body, meeting_on, paragraph } => {
                Some(format!("{} {} {}", body.label_sv(), meeting_on, paragraph.trim()))
            }
            Verdict::Outside | Verdict::BoardOnly | Verdict::NotInOrder => None,
        }
    }

    /// Who may decide, in Swedish ("teamledare eller enhetschef").
    pub fn who_sv(&self) -> String {
        if self.may_decide.is_empty() {
            return "nämnden eller biståndsutskottet".to_owned();
        }
        let names: Vec<&str> = self.may_decide.iter().map(|r| r.label_sv()).collect();
        names.join(" eller ")
    }

    /// One sentence for evidence and messages (Swedish).
    pub fn explain_sv(&self) -> String {
        match &self.verdict {
            Verdict::Role => format!(
                "Beslutet \"{}\" fattades av delegat enligt delegationsordningen ({}).",
                self.name, self.order_version
            ),
            Verdict::Redelegation { redelegation, .. } => format!(
                "Beslutet \"{}\" fattades med stöd av skriftlig vidaredelegering {redelegation}.",
                self.name
            ),
            Verdict::Board { body, meeting_on, paragraph } => {
                format!("Beslutet \"{}\" fattades av {} {meeting_on} {paragraph}.", self.name, body.label_sv())
            }
            Verdict::Outside => format!(
                "Beslutet \"{}\" fattades utan delegation: enligt delegationsordningen ({}) beslutar {}, och ingen skriftlig vidaredelegering gällde {}.",
                self.name,
                self.order_version,
                self.who_sv(),
                self.on
            ),
            Verdict::BoardOnly => format!(
                "Beslutet \"{}\" får inte delegeras till tjänsteperson ({}) men fattades av en tjänsteperson.",
                self.name, self.citation
            ),
            Verdict::NotInOrder => format!(
                "Beslutstypen saknas i delegationsordningen ({}) som gällde {}.",
                self.order_version, self.on
            ),
        }
    }
}

/// Judges one decision: `staff` acting as `role`, on a case of `unit`, on date `on`.
#[allow(clippy::too_many_arguments)]
pub fn judge(
    rules: &RuleTable,
    org: &Organisation,
    staff: &StaffId,
    role: Role,
    unit: Option<&UnitId>,
    decision: DecisionType,
    on: NaiveDate,
    board: Option<&BoardDecision>,
) -> Judgement {
    let (version, order) = rules.delegation_order_on(on);
    let rule = order.iter().find(|r| r.decision == decision);
    let mut j = Judgement {
        decision,
        name: rule.map(|r| r.name.clone()).unwrap_or_else(|| decision.as_str().to_owned()),
        on,
        order_version: version.to_owned(),
        citation: rule.map(|r| r.citation_old.clone()).unwrap_or_default(),
        verdict: Verdict::NotInOrder,
        may_decide: rule.map(|r| r.roles.clone()).unwrap_or_default(),
        report_to_board: rule.is_some_and(|r| r.report_to_board),
    };
    if let Some(b) = board.filter(|b| matches!(b.body, Role::Board | Role::Committee)) {
        j.verdict = Verdict::Board { body: b.body, meeting_on: b.meeting_on, paragraph: b.paragraph.clone() };
        return j;
    }
    if matches!(role, Role::Board | Role::Committee) {
        j.verdict = Verdict::Board { body: role, meeting_on: on, paragraph: String::new() };
        return j;
    }
    let Some(rule) = rule else { return j };
    if rule.board_only {
        j.verdict = Verdict::BoardOnly;
        return j;
    }
    if rule.roles.contains(&role) {
        j.verdict = Verdict::Role;
        return j;
    }
    if rule.redelegable {
        if let Some(r) = covering_redelegation(rules, org, staff, unit, decision, on) {
            j.verdict = Verdict::Redelegation { redelegation: r.id.clone(), seq: r.seq };
            return j;
        }
    }
    j.verdict = Verdict::Outside;
    j
}

/// A written re-delegation in force on `on` naming `staff` for `decision` on a case of
/// `unit`, decided by a role the rule table allows to re-delegate.
pub fn covering_redelegation<'o>(
    rules: &RuleTable,
    org: &'o Organisation,
    staff: &StaffId,
    unit: Option<&UnitId>,
    decision: DecisionType,
    on: NaiveDate,
) -> Option<&'o crate::org::Redelegation> {
    org.redelegations.iter().find(|r| {
        r.active_on(on)
            && r.delegates.contains(staff)
            && r.decisions.contains(&decision)
            && rules.redelegation.roles.contains(&r.decided_role)
            && match (&r.unit, unit) {
                (None, _) => true,
                (Some(scope), Some(u)) => org.ancestors(u).contains(scope),
                (Some(_), None) => false,
            }
    })
}

/// The decision type a decision event takes, and the board decision it names.
pub fn decision_of(p: &Payload) -> Option<(DecisionType, NaiveDate, Option<&BoardDecision>)> {
    match p {
        Payload::PreliminaryAssessmentDecided(d) => Some((
            match d.outcome {
                PreliminaryOutcome::Open => DecisionType::OpenInvestigation,
                PreliminaryOutcome::NotOpen => DecisionType::NotOpenInvestigation,
                PreliminaryOutcome::JoinInvestigation { .. } => DecisionType::JoinInvestigation,
            },
            d.decided_on,
            None,
        )),
        Payload::ExtensionDecided(x) => Some((DecisionType::ExtendInvestigation, x.decided_on, None)),
        Payload::InvestigationDecided(d) => Some((
            match &d.outcome {
                InvestigationOutcome::GrantIntervention { interventions } => grant_decision_type(interventions),
                InvestigationOutcome::Refuse => DecisionType::Refuse,
                InvestigationOutcome::CloseWithoutIntervention => DecisionType::CloseWithoutIntervention,
                InvestigationOutcome::LvuApplication => DecisionType::LvuApplication,
                InvestigationOutcome::TransferToMunicipality { .. } => DecisionType::TransferToMunicipality,
            },
            d.decided_on,
            d.board_decision.as_ref(),
        )),
        Payload::InterventionGranted(g) => {
            Some((grant_decision_type(std::slice::from_ref(&g.granted)), g.decided_on, g.board_decision.as_ref()))
        }
        _ => None,
    }
}

/// The decision type of granting these interventions.
pub fn grant_decision_type(list: &[GrantedIntervention]) -> DecisionType {
    if list.iter().any(|g| g.long_term_care) {
        DecisionType::LongTermCare
    } else if list.iter().any(|g| g.kind.is_placement()) {
        DecisionType::GrantPlacement
    } else {
        DecisionType::GrantIntervention
    }
}

/// Judges a recorded decision event (None when the event is not a decision).
pub fn judge_event(
    rules: &RuleTable,
    org: &Organisation,
    e: &RecordedEvent,
    case_unit: Option<&UnitId>,
) -> Option<Judgement> {
    let (decision, on, board) = decision_of(&e.payload)?;
    let unit = case_unit.or(e.meta.unit.as_ref());
    Some(judge(rules, org, &e.meta.actor, e.meta.role, unit, decision, on, board))
}

// ------------------------------------------------------------ anmälan av delegationsbeslut

/// One delegated decision on the board's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DelegatedDecision {
    pub seq: u64,
    pub case: Option<CaseId>,
    pub decided_on: NaiveDate,
    pub decision: DecisionType,
    pub name: String,
    pub decider: StaffId,
    pub role: Role,
    /// "delegationsordning (version)", "vidaredelegering X", or the deviation.
    pub basis: String,
    pub authorised: bool,
}

/// A re-delegation decision on the board's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RedelegationRow {
    pub seq: u64,
    pub redelegation: String,
    pub decided_on: NaiveDate,
    pub decided_by: StaffId,
    pub decided_role: Role,
    pub decisions: Vec<DecisionType>,
    pub delegates: Vec<StaffId>,
    pub unit: Option<UnitId>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub revoked_on: Option<NaiveDate>,
}

/// The board's list for a period: delegated decisions (per decider, then date) and the
/// re-delegations decided in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BoardList {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub decisions: Vec<DelegatedDecision>,
    pub redelegations: Vec<RedelegationRow>,
}

/// Builds the board's list from the journal's events (any order of streams, journal
/// order within each). `org` is the organisation folded from the whole journal.
/// Decisions taken by the board itself and types the order does not report are left out;
/// corrected decisions are replaced by their corrections.
pub fn board_list<'a>(
    rules: &RuleTable,
    org: &Organisation,
    events: impl IntoIterator<Item = &'a RecordedEvent>,
    from: NaiveDate,
    to: NaiveDate,
) -> BoardList {
    let events: Vec<&RecordedEvent> = events.into_iter().collect();
    let corrected: std::collections::HashSet<u64> = events.iter().filter_map(|e| e.meta.corrects).collect();
    let mut decisions = Vec::new();
    for e in &events {
        if corrected.contains(&e.seq) {
            continue;
        }
        let Some(j) = judge_event(rules, org, e, e.meta.unit.as_ref()) else { continue };
        if j.on < from || j.on > to || !j.report_to_board || matches!(j.verdict, Verdict::Board { .. }) {
            continue;
        }
        let case = e.stream.strip_prefix("case/").and_then(|s| CaseId::parse(s).ok());
        decisions.push(DelegatedDecision {
            seq: e.seq,
            case,
            decided_on: j.on,
            decision: j.decision,
            name: j.name.clone(),
            decider: e.meta.actor.clone(),
            role: e.meta.role,
            basis: match &j.verdict {
                Verdict::Role => format!("delegationsordning ({})", j.order_version),
                Verdict::Redelegation { redelegation, .. } => format!("vidaredelegering {redelegation}"),
                _ => format!("utan delegation ({})", j.order_version),
            },
            authorised: j.authorised(),
        });
    }
    decisions.sort_by(|a, b| (&a.decider, a.decided_on, a.seq).cmp(&(&b.decider, b.decided_on, b.seq)));
    let redelegations = org
        .redelegations
        .iter()
        .filter(|r| r.decided_on >= from && r.decided_on <= to)
        .map(|r| RedelegationRow {
            seq: r.seq,
            redelegation: r.id.clone(),
            decided_on: r.decided_on,
            decided_by: r.decided_by.clone(),
            decided_role: r.decided_role,
            decisions: r.decisions.clone(),
            delegates: r.delegates.clone(),
            unit: r.unit.clone(),
            from: r.from,
            to: r.to,
            revoked_on: r.revoked_on,
        })
        .collect();
    BoardList { from, to, decisions, redelegations }
}

fn csv_field(s: &str) -> String {
    if s.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

impl BoardList {
    /// CSV (semicolon-separated, as Swedish spreadsheets expect), one line per decision,
    /// re-delegations last with `vidaredelegering` in the first column.
    pub fn to_csv(&self) -> String {
        let mut out = String::from("typ;datum;beslut;beslutsfattare;roll;grund;inom_delegation;ärende;post\n");
        for d in &self.decisions {
            let cols = [
                "delegationsbeslut".to_owned(),
                d.decided_on.to_string(),
                d.name.clone(),
                d.decider.as_str().to_owned(),
                d.role.label_sv().to_owned(),
                d.basis.clone(),
                if d.authorised { "ja" } else { "nej" }.to_owned(),
                d.case.map(|c| c.0.to_string()).unwrap_or_default(),
                d.seq.to_string(),
            ];
            out.push_str(&cols.iter().map(|c| csv_field(c)).collect::<Vec<_>>().join(";"));
            out.push('\n');
        }
        for r in &self.redelegations {
            let what: Vec<&str> = r.decisions.iter().map(|d| d.as_str()).collect();
            let who: Vec<&str> = r.delegates.iter().map(|s| s.as_str()).collect();
            let cols = [
                "vidaredelegering".to_owned(),
                r.decided_on.to_string(),
                format!("{} ({}) till {}", r.redelegation, what.join(", "), who.join(", ")),
                r.decided_by.as_str().to_owned(),
                r.decided_role.label_sv().to_owned(),
                format!("{}–{}", r.from, r.revoked_on.map(|d| d.pred_opt().unwrap_or(d)).unwrap_or(r.to)),
                "ja".to_owned(),
                r.unit.as_ref().map(|u| u.as_str().to_owned()).unwrap_or_default(),
                r.seq.to_string(),
            ];
            out.push_str(&cols.iter().map(|c| csv_field(c)).collect::<Vec<_>>().join(";"));
            out.push('\n');
        }
        out
    }

    /// Number of decisions per decider, for the board's summary.
    pub fn per_decider(&self) -> Vec<(StaffId, usize)> {
        let mut m: std::collections::BTreeMap<&StaffId, usize> = std::collections::BTreeMap::new();
        for d in &self.decisions {
            *m.entry(&d.decider).or_default() += 1;
        }
        m.into_iter().map(|(k, v)| (k.clone(), v)).collect()
    }
}
