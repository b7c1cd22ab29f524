//! The rule table: statutory lengths, citations, exceptional reasons, qualification and
//! the delegation order, as data. The defaults ship in `rules/default.toml`.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::error::{DomainError, ErrorCode};
use crate::events::{ActualisationKind, ExceptionalReasonKind, Triage};
use crate::org::Role;

pub const DEFAULT_RULES_TOML: &str = include_str!("../rules/default.toml");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleTable {
    pub policy: Policy,
    pub deadlines: Deadlines,
    pub exceptional_reasons: ExceptionalReasons,
    pub qualification: Qualification,
    /// The delegation order in force when no dated version covers a date (the base order).
    pub delegation: Vec<DelegationRule>,
    /// Later versions of the delegation order, each in force from `valid_from` (to
    /// `valid_to`). A decision is judged against the version in force on its date.
    #[serde(default)]
    pub delegation_versions: Vec<DelegationOrderVersion>,
    /// Who may re-delegate (vidaredelegering) and for how long.
    #[serde(default)]
    pub redelegation: RedelegationRules,
    pub privacy: Privacy,
    /// The quality-management system (deviations, lex Sarah, complaints, risk matrix).
    #[serde(default)]
    pub quality: crate::quality::rules::QualityRules,
    /// The intake's office hours: what comes in outside them is flagged for the länsjour.
    #[serde(default)]
    pub office_hours: OfficeHours,
    /// Case weight by triage colour (fördelning, ärendegenomgång).
    #[serde(default)]
    pub case_weights: CaseWeights,
    /// The public e-tjänst for reports of concern: rate and size limits.
    #[serde(default)]
    pub e_service: EServiceRules,
}

/// A day of the week (office hours).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Weekday {
    fn of(d: chrono::Weekday) -> Self {
        match d {
            chrono::Weekday::Mon => Self::Mon,
            chrono::Weekday::Tue => Self::Tue,
            chrono::Weekday::Wed => Self::Wed,
            chrono::Weekday::Thu => Self::Thu,
            chrono::Weekday::Fri => Self::Fri,
            chrono::Weekday::Sat => Self::Sat,
            chrono::Weekday::Sun => Self::Sun,
        }
    }
}

/// The intake's office hours (Europe/Stockholm). What is received outside them is
/// flagged "after hours" for the länsjour (socialjouren).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfficeHours {
    pub days: Vec<Weekday>,
    /// Opening time, "HH:MM".
    pub opens: NaiveTime,
    /// Closing time, "HH:MM" (the first minute after hours).
    pub closes: NaiveTime,
    /// Closed on public holidays and on midsommarafton, julafton and nyårsafton.
    pub closed_on_holidays: bool,
}

impl Default for OfficeHours {
    fn default() -> Self {
        Self {
            days: vec![Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri],
            opens: NaiveTime::from_hms_opt(8, 0, 0).unwrap_or(NaiveTime::MIN),
            closes: NaiveTime::from_hms_opt(17, 0, 0).unwrap_or(NaiveTime::MIN),
            closed_on_holidays: true,
        }
    }
}

impl OfficeHours {
    /// Whether `t` falls outside office hours.
    pub fn is_after_hours(&self, t: DateTime<Utc>) -> bool {
        let local = t.with_timezone(&crate::calendar::TZ);
        let day = local.date_naive();
        let holiday = self.closed_on_holidays && crate::calendar::is_holiday_or_eve(day);
        let time = local.time();
        holiday || !self.days.contains(&Weekday::of(day.weekday())) || time < self.opens || time >= self.closes
    }
}

/// Case weight by triage colour: a team leader's measure of a handler's caseload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseWeights {
    pub red: u32,
    pub yellow: u32,
    pub green: u32,
    /// An investigation without a colour yet.
    pub untriaged: u32,
    /// A case not (yet) under investigation: protection and preliminary assessment,
    /// or an intervention being followed up.
    pub other: u32,
}

impl Default for CaseWeights {
    fn default() -> Self {
        Self { red: 3, yellow: 2, green: 1, untriaged: 2, other: 1 }
    }
}

impl CaseWeights {
    /// The weight of a case: its investigation's colour, or `other`.
    pub fn of(&self, case: &crate::case::CaseState) -> u32 {
        match case.open_investigation() {
            Some(i) => match i.triage {
                Some(Triage::Red) => self.red,
                Some(Triage::Yellow) => self.yellow,
                Some(Triage::Green) => self.green,
                None => self.untriaged,
            },
            None => self.other,
        }
    }
}

/// The public e-tjänst: how much one address may send and how long a report may be.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EServiceRules {
    /// Form posts accepted from one address within `window_minutes` (valid or not).
    pub max_per_address: u32,
    pub window_minutes: u32,
    /// Longest description of what happened, in characters.
    pub max_text_chars: u32,
    /// Longest short field (names, workplace, contact), in characters.
    pub max_field_chars: u32,
}

impl Default for EServiceRules {
    fn default() -> Self {
        Self { max_per_address: 10, window_minutes: 60, max_text_chars: 10_000, max_field_chars: 200 }
    }
}

/// One dated version of the delegation order (delegationsordning), as adopted by the board.
/// Also the payload of `delegation_order_versioned` (an administrator's edit in the app).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DelegationOrderVersion {
    /// The version's name, e.g. "SN 2024-05-22 § 61".
    pub version: String,
    pub valid_from: NaiveDate,
    #[serde(default)]
    pub valid_to: Option<NaiveDate>,
    pub rules: Vec<DelegationRule>,
}

/// Vidaredelegering: who may re-delegate, in writing, for at most how long.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedelegationRules {
    pub roles: Vec<Role>,
    /// Longest period of one re-delegation, in days.
    pub max_days: u32,
    pub citation_old: String,
}

impl Default for RedelegationRules {
    fn default() -> Self {
        Self {
            roles: vec![Role::HeadOfAdministration],
            max_days: 366,
            citation_old: "10 kap. 5 § SoL (2001:453); 7 kap. 6 § KL (2017:725)".to_owned(),
        }
    }
}

/// What happens to a decision outside delegation (DOMAIN §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutsideDelegation {
    /// The decision is refused with a message naming who may take it.
    #[default]
    Refuse,
    /// The decision is recorded and flagged (an event the deviation module picks up).
    RecordAndFlag,
}

/// Secrecy and access (26 kap. OSL, the municipality's routine for loggkontroll).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Privacy {
    /// Roles that see a protected identity (skyddad identitet) unmasked and find it by
    /// personnummer. Everyone else sees "Skyddad identitet".
    pub protected_identity_roles: Vec<Role>,
    /// Longest wider-access grant to one person's record, in hours.
    pub grant_max_hours: u32,
    /// The log review flags a user who opened more records outside their own cases
    /// than this in one day.
    pub unusual_reads_per_day: u32,
    /// An interactive session lasts this many hours.
    pub session_hours: u32,
    /// Failed logins to one account within `login_window_minutes` that lock it.
    pub login_max_failures: u32,
    /// Failed logins from one address within the window that throttle it.
    pub login_max_failures_per_address: u32,
    pub login_window_minutes: u32,
    pub login_lock_minutes: u32,
    /// Longest lifetime of an integration token, in days.
    pub token_max_days: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub weekend_holiday_extension: bool,
    pub due_soon_days: u32,
    pub due_soon_hours: u32,
    pub intervention_expiry_notice_days: u32,
    /// A decision outside delegation: refused (default) or recorded and flagged.
    #[serde(default)]
    pub outside_delegation: OutsideDelegation,
}

/// A citation in the old and (where known) the new numbering.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Citation {
    pub citation_old: String,
    #[serde(default)]
    pub citation_new: Option<String>,
}

impl Citation {
    pub fn text(&self) -> String {
        match &self.citation_new {
            Some(n) => format!("{} ({})", n, self.citation_old),
            None => self.citation_old.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deadlines {
    pub protection_assessment: HoursRule,
    pub preliminary_assessment: DaysRule,
    pub investigation: MonthsRule,
    pub first_contact: FirstContactRule,
    pub enforcement: MonthsRule,
    pub intervention_expiry: NamedRule,
    pub placement_review: MonthsRule,
    pub custody_transfer: MonthsRule,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HoursRule {
    pub name: String,
    pub hours: u32,
    pub applies_to: Vec<ActualisationKind>,
    #[serde(flatten)]
    pub citation: Citation,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DaysRule {
    pub name: String,
    pub days: u32,
    pub applies_to: Vec<ActualisationKind>,
    #[serde(flatten)]
    pub citation: Citation,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonthsRule {
    pub name: String,
    pub months: u32,
    #[serde(flatten)]
    pub citation: Citation,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NamedRule {
    pub name: String,
    #[serde(flatten)]
    pub citation: Citation,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FirstContactRule {
    pub name: String,
    pub red_days: u32,
    pub yellow_days: u32,
    pub green_days: u32,
    pub untriaged_days: u32,
    #[serde(flatten)]
    pub citation: Citation,
}

impl FirstContactRule {
    pub fn days(&self, triage: Option<Triage>) -> u32 {
        match triage {
            Some(Triage::Red) => self.red_days,
            Some(Triage::Yellow) => self.yellow_days,
            Some(Triage::Green) => self.green_days,
            None => self.untriaged_days,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExceptionalReasons {
    pub accepted: Vec<ExceptionalReasonKind>,
    pub refused: BTreeMap<String, String>,
}

/// Steps reserved for qualified staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QualifiedStep {
    ProtectionAssessment,
    PreliminaryAssessment,
    Investigation,
    InterventionFollowUp,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Qualification {
    pub citation_old: String,
    pub required_for: Vec<QualifiedStep>,
}

/// Decision types of the delegation order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DecisionType {
    OpenInvestigation,
    NotOpenInvestigation,
    JoinInvestigation,
    ExtendInvestigation,
    CloseWithoutIntervention,
    Refuse,
    GrantIntervention,
    GrantPlacement,
    LongTermCare,
    LvuApplication,
    TransferToMunicipality,
}

impl DecisionType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OpenInvestigation => "open_investigation",
            Self::NotOpenInvestigation => "not_open_investigation",
            Self::JoinInvestigation => "join_investigation",
            Self::ExtendInvestigation => "extend_investigation",
            Self::CloseWithoutIntervention => "close_without_intervention",
            Self::Refuse => "refuse",
            Self::GrantIntervention => "grant_intervention",
            Self::GrantPlacement => "grant_placement",
            Self::LongTermCare => "long_term_care",
            Self::LvuApplication => "lvu_application",
            Self::TransferToMunicipality => "transfer_to_municipality",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DelegationRule {
    pub decision: DecisionType,
    pub name: String,
    pub roles: Vec<Role>,
    #[serde(default)]
    pub board_only: bool,
    /// Whether the förvaltningschef may re-delegate it (vidaredelegering).
    #[serde(default)]
    pub redelegable: bool,
    /// Whether decisions of this type are reported to the board (anmälan av delegationsbeslut).
    #[serde(default = "yes")]
    pub report_to_board: bool,
    pub citation_old: String,
    #[serde(default)]
    pub citation_new: Option<String>,
}

fn yes() -> bool {
    true
}

/// The delegation order as an exchangeable file (docs/delegation-order.md): the base
/// order and its dated versions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DelegationOrderFile {
    pub delegation: Vec<DelegationRule>,
    #[serde(default)]
    pub delegation_versions: Vec<DelegationOrderVersion>,
}

/// Name of the base order (no dated version covers the date).
pub const BASE_ORDER: &str = "grundversion";

impl RuleTable {
    /// Parses and checks a rule table.
    pub fn from_toml(text: &str) -> Result<Self, DomainError> {
        let t: RuleTable = toml::from_str(text).map_err(|e| {
            DomainError::new(ErrorCode::RuleTable, format!("Regeltabellen kunde inte läsas: {}", e.message()))
        })?;
        t.check()?;
        Ok(t)
    }

    /// The shipped defaults.
    pub fn defaults() -> Result<Self, DomainError> {
        Self::from_toml(DEFAULT_RULES_TOML)
    }

    fn check(&self) -> Result<(), DomainError> {
        let bad = |m: &str| Err(DomainError::new(ErrorCode::RuleTable, format!("Regeltabellen är ogiltig: {m}")));
        if self.deadlines.preliminary_assessment.days == 0 || self.deadlines.investigation.months == 0 {
            return bad("fristerna måste vara längre än noll");
        }
        if let Err(m) = self.quality.check() {
            return bad(&m);
        }
        let fc = &self.deadlines.first_contact;
        if !(fc.red_days <= fc.yellow_days && fc.yellow_days <= fc.green_days) {
            return bad("första kontakt: röd ≤ gul ≤ grön");
        }
        let orders = std::iter::once(&self.delegation).chain(self.delegation_versions.iter().map(|v| &v.rules));
        for order in orders {
            let mut seen = std::collections::BTreeSet::new();
            for r in order {
                if r.board_only && (!r.roles.is_empty() || r.redelegable) {
                    return bad("ett beslut som är förbehållet nämnden kan inte delegeras eller vidaredelegeras");
                }
                if !seen.insert(r.decision) {
                    return bad("samma beslutstyp förekommer två gånger i delegationsordningen");
                }
            }
        }
        for v in &self.delegation_versions {
            if v.valid_to.is_some_and(|t| t < v.valid_from) {
                return bad("en version av delegationsordningen slutar innan den börjar gälla");
            }
        }
        if self.redelegation.max_days == 0 {
            return bad("vidaredelegering måste kunna gälla minst en dag");
        }
        if self.office_hours.opens >= self.office_hours.closes {
            return bad("kontorstiden måste sluta efter att den börjar");
        }
        if self.e_service.max_per_address == 0
            || self.e_service.window_minutes == 0
            || self.e_service.max_text_chars == 0
        {
            return bad("e-tjänstens gränser måste vara större än noll");
        }
        Ok(())
    }

    /// The base order's rule (see `delegation_rule_on` for a dated decision).
    pub fn delegation_rule(&self, d: DecisionType) -> Option<&DelegationRule> {
        self.delegation.iter().find(|r| r.decision == d)
    }

    /// The delegation order in force on `on`: the dated version with the latest
    /// `valid_from` covering the date, else the base order. Returns (version name, rules).
    pub fn delegation_order_on(&self, on: NaiveDate) -> (&str, &[DelegationRule]) {
        self.delegation_versions
            .iter()
            .filter(|v| v.valid_from <= on && v.valid_to.is_none_or(|t| on <= t))
            .max_by_key(|v| v.valid_from)
            .map(|v| (v.version.as_str(), v.rules.as_slice()))
            .unwrap_or((BASE_ORDER, self.delegation.as_slice()))
    }

    /// The rule for a decision type in the order in force on `on`, with the version's name.
    pub fn delegation_rule_on(&self, d: DecisionType, on: NaiveDate) -> Option<(&str, &DelegationRule)> {
        let (version, rules) = self.delegation_order_on(on);
        rules.iter().find(|r| r.decision == d).map(|r| (version, r))
    }

    /// The delegation order as its exchange file (TOML).
    pub fn delegation_order_toml(&self) -> Result<String, DomainError> {
        let f = DelegationOrderFile {
            delegation: self.delegation.clone(),
            delegation_versions: self.delegation_versions.clone(),
        };
        toml::to_string(&f).map_err(|e| {
            DomainError::new(ErrorCode::RuleTable, format!("Delegationsordningen kunde inte skrivas: {e}"))
        })
    }

    /// Replaces the delegation order with one read from its exchange file; the result is
    /// checked like a whole rule table.
    pub fn with_delegation_order_toml(&self, text: &str) -> Result<Self, DomainError> {
        let f: DelegationOrderFile = toml::from_str(text).map_err(|e| {
            DomainError::new(ErrorCode::RuleTable, format!("Delegationsordningen kunde inte läsas: {}", e.message()))
        })?;
        let mut t = self.clone();
        t.delegation = f.delegation;
        t.delegation_versions = f.delegation_versions;
        t.check()?;
        Ok(t)
    }

    /// Takes a version recorded in the journal (`delegation_order_versioned`) into the table,
    /// beside the configured ones. Every reader of the journal (the server's projections, the
    /// indicator facts, the CLI's self-inspection) calls this, so a decision is judged against
    /// the same order everywhere. A name already present (the configured file holds it too, or
    /// the journal is read twice) is kept as it is.
    pub fn absorb_delegation_version(&mut self, v: &DelegationOrderVersion) {
        if !self.delegation_versions.iter().any(|x| x.version == v.version) {
            self.delegation_versions.push(v.clone());
        }
    }

    /// The rule table with one more dated version of the delegation order, checked like a
    /// whole rule table; the version's name must be new and not empty.
    pub fn with_delegation_version(&self, v: &DelegationOrderVersion) -> Result<Self, DomainError> {
        let bad = |field: &str, m: &str| {
            Err(DomainError::new(ErrorCode::InvalidInput, format!("Delegationsordningen är ogiltig: {m}")).field(field))
        };
        if v.version.trim().is_empty() {
            return bad("version", "versionen måste ha ett namn (till exempel nämndens paragraf)");
        }
        if self.delegation_versions.iter().any(|x| x.version == v.version) || v.version == BASE_ORDER {
            return bad("version", "det finns redan en version med det namnet");
        }
        if v.rules.is_empty() {
            return bad("rules", "versionen måste ha minst en regel");
        }
        if let Some(r) = v.rules.iter().find(|r| r.name.trim().is_empty() || r.citation_old.trim().is_empty()) {
            return bad("rules", &format!("beslutstypen {} saknar namn eller lagrum", r.decision.as_str()));
        }
        if let Some(r) = v.rules.iter().find(|r| !r.board_only && r.roles.is_empty()) {
            return bad(
                "rules",
                &format!("\"{}\" har ingen roll som beslutar och är inte förbehållet nämnden", r.name),
            );
        }
        let mut t = self.clone();
        t.delegation_versions.push(v.clone());
        t.check().map_err(|e| DomainError::new(ErrorCode::InvalidInput, e.message).field("rules"))?;
        Ok(t)
    }

    pub fn requires_qualification(&self, step: QualifiedStep) -> bool {
        self.qualification.required_for.contains(&step)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn defaults_parse_and_hold_the_statutory_values() {
        let r = RuleTable::defaults().unwrap();
        assert_eq!(r.deadlines.preliminary_assessment.days, 14);
        assert_eq!(r.deadlines.investigation.months, 4);
        assert_eq!(r.deadlines.enforcement.months, 3);
        assert_eq!(r.deadlines.placement_review.months, 6);
        assert!(!r.policy.weekend_holiday_extension);
        assert_eq!(
            r.deadlines.preliminary_assessment.citation.citation_new.as_deref(),
            Some("20 kap. 2 § SoL (2025:400)")
        );
        assert!(r.delegation_rule(DecisionType::LongTermCare).unwrap().board_only);
        assert!(!r.delegation_rule(DecisionType::NotOpenInvestigation).unwrap().roles.contains(&Role::Handler));
    }

    #[test]
    fn a_municipality_can_override_a_length() {
        let text = DEFAULT_RULES_TOML.replace("days = 14", "days = 10");
        let r = RuleTable::from_toml(&text).unwrap();
        assert_eq!(r.deadlines.preliminary_assessment.days, 10);
    }

    #[test]
    fn an_invalid_table_is_refused_in_swedish() {
        let text = DEFAULT_RULES_TOML.replace("red_days = 1", "red_days = 9");
        let e = RuleTable::from_toml(&text).unwrap_err();
        assert_eq!(e.code, ErrorCode::RuleTable);
        assert!(e.message.contains("röd ≤ gul ≤ grön"));
        let e = RuleTable::from_toml("[policy]\nfoo = 1").unwrap_err();
        assert!(e.message.starts_with("Regeltabellen kunde inte läsas"));
    }
}
