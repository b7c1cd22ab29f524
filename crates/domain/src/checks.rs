//! Self-inspection (egenkontroll, DOMAIN §4): every question of the auditors' sample table
//! that the record can answer, answered for one case as Ja / Nej / Ej tillämpligt with its
//! evidence (which journal entry, which rule). Pure: a function of the case's events, the
//! rule table, the organisation (delegation, qualification) and a date.
//!
//! The questions and their stable ids are data (`rules/self-inspection-questions.toml`,
//! from the shared spec); judgement questions (`auto = false`) are pre-filled where the
//! record says something, and marked as pre-filled.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

use crate::calendar::{end_of_local_day, local_date};
use crate::case::CaseState;
use crate::clock::{self, DeadlineKind, DeadlineSpec};
use crate::delegation::{judge_event, Verdict};
use crate::error::{DomainError, ErrorCode};
use crate::events::{ActualisationKind, Payload, RecordedEvent, ReporterCategory};
use crate::ids::{CaseId, StaffId, UnitId};
use crate::org::Organisation;
use crate::rules::RuleTable;

pub const DEFAULT_QUESTIONS_TOML: &str = include_str!("../rules/self-inspection-questions.toml");

/// Which part of a file a question concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    /// förhandsbedömning (with the protection assessment)
    PreliminaryAssessment,
    /// utredning
    Investigation,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub id: String,
    pub applies_to: Section,
    pub text: String,
    /// The record can answer it; false: a person's judgement (pre-filled where possible).
    pub auto: bool,
    /// A unit type's own question (an audit template's extra question): not in the catalogue,
    /// the record does not answer it and nothing is pre-filled.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub extra: bool,
}

/// The questionnaire (default: the auditors' questions, Bilaga A).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Questionnaire {
    pub question: Vec<Question>,
}

impl Questionnaire {
    pub fn from_toml(text: &str) -> Result<Self, DomainError> {
        let q: Self = toml::from_str(text).map_err(|e| {
            DomainError::new(ErrorCode::RuleTable, format!("Frågelistan kunde inte läsas: {}", e.message()))
        })?;
        let mut seen = HashSet::new();
        if let Some(dup) = q.question.iter().find(|x| !seen.insert((x.applies_to, x.id.as_str()))) {
            return Err(DomainError::new(
                ErrorCode::RuleTable,
                format!("Frågelistan är ogiltig: frågan {} förekommer två gånger.", dup.id),
            ));
        }
        Ok(q)
    }

    pub fn defaults() -> Result<Self, DomainError> {
        Self::from_toml(DEFAULT_QUESTIONS_TOML)
    }

    /// The question with this section and id, if the questionnaire has it.
    pub fn get(&self, section: Section, id: &str) -> Option<&Question> {
        self.question.iter().find(|q| q.applies_to == section && q.id == id)
    }
}

// ------------------------------------------------------------------ audit templates

/// A catalogue question chosen for a template, by section and id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionRef {
    pub section: Section,
    pub id: String,
}

/// A unit type's own judgement question, beside the catalogue's (the record does not answer it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtraQuestion {
    pub section: Section,
    /// Stable id (a–z, 0–9, _), used in the sheet and in the comparison with other years.
    pub id: String,
    /// The question in Swedish.
    pub text: String,
}

/// The file-audit questionnaire of one unit type (`audit_template_set`, org stream): which
/// questions of the catalogue (the default questionnaire) are asked, plus the unit type's own
/// questions. The latest one recorded for a unit type stands for audits opened after it; an
/// audit records the questions it was opened with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditTemplate {
    pub function: crate::org::UnitFunction,
    /// The catalogue's questions asked, by section and id.
    pub include: Vec<QuestionRef>,
    /// The unit type's own questions (judgement only).
    #[serde(default)]
    pub extra: Vec<ExtraQuestion>,
}

/// Most questions a template may hold (catalogue and own together).
pub const MAX_TEMPLATE_QUESTIONS: usize = 100;

fn template_error(field: &str, message: impl Into<String>) -> DomainError {
    DomainError::new(ErrorCode::InvalidInput, message).field(field)
}

impl AuditTemplate {
    /// Checks the template against the catalogue; errors in Swedish naming the question.
    pub fn validate(&self, catalogue: &Questionnaire) -> Result<(), DomainError> {
        if self.function == crate::org::UnitFunction::Management {
            return Err(template_error("function", "Ledningen granskas inte; välj en enhetstyp som granskas."));
        }
        let mut seen = HashSet::new();
        for r in &self.include {
            if catalogue.get(r.section, &r.id).is_none() {
                return Err(template_error("include", format!("Frågan {} finns inte i frågekatalogen.", r.id)));
            }
            if !seen.insert((r.section, r.id.clone())) {
                return Err(template_error("include", format!("Frågan {} är vald två gånger.", r.id)));
            }
        }
        for (i, x) in self.extra.iter().enumerate() {
            let n = i + 1;
            let id = x.id.trim();
            if id.is_empty()
                || id.len() > 40
                || !id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            {
                return Err(template_error(
                    "extra",
                    format!("Egen fråga {n}: id ska vara 1–40 tecken a–z, 0–9 eller _ (t.ex. plan_foljd_upp)."),
                ));
            }
            if catalogue.question.iter().any(|q| q.id == id) {
                return Err(template_error(
                    "extra",
                    format!("Egen fråga {n}: id {id} används redan av en fråga i katalogen; välj ett annat."),
                ));
            }
            if !seen.insert((x.section, id.to_owned())) || self.extra[..i].iter().any(|y| y.id.trim() == id) {
                return Err(template_error("extra", format!("Egen fråga {n}: id {id} finns två gånger.")));
            }
            let text = x.text.trim();
            if text.is_empty() {
                return Err(template_error("extra", format!("Egen fråga {n} ({id}) saknar frågetext.")));
            }
            if text.chars().count() > 300 {
                return Err(template_error(
                    "extra",
                    format!("Egen fråga {n} ({id}): frågetexten får vara högst 300 tecken."),
                ));
            }
        }
        let total = self.include.len() + self.extra.len();
        if total == 0 {
            return Err(template_error("include", "Mallen måste ha minst en fråga."));
        }
        if total > MAX_TEMPLATE_QUESTIONS {
            return Err(template_error("include", format!("Mallen får ha högst {MAX_TEMPLATE_QUESTIONS} frågor.")));
        }
        Ok(())
    }

    /// The questions asked: the chosen catalogue questions in the catalogue's order, then the
    /// unit type's own (judgement, not answered by the record).
    pub fn questionnaire(&self, catalogue: &Questionnaire) -> Questionnaire {
        let chosen: HashSet<(Section, &str)> = self.include.iter().map(|r| (r.section, r.id.as_str())).collect();
        let mut question: Vec<Question> =
            catalogue.question.iter().filter(|q| chosen.contains(&(q.applies_to, q.id.as_str()))).cloned().collect();
        question.extend(self.extra.iter().map(|x| Question {
            id: x.id.trim().to_owned(),
            applies_to: x.section,
            text: x.text.trim().to_owned(),
            auto: false,
            extra: true,
        }));
        Questionnaire { question }
    }

    /// The template equal to the whole catalogue (what a unit type without one uses).
    pub fn whole(function: crate::org::UnitFunction, catalogue: &Questionnaire) -> Self {
        Self {
            function,
            include: catalogue
                .question
                .iter()
                .map(|q| QuestionRef { section: q.applies_to, id: q.id.clone() })
                .collect(),
            extra: Vec::new(),
        }
    }
}

/// Ja / Nej / Ej tillämpligt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub enum Reply {
    #[serde(rename = "Ja")]
    Yes,
    #[serde(rename = "Nej")]
    No,
    #[serde(rename = "Ej tillämpligt")]
    NotApplicable,
}

impl Reply {
    pub fn label_sv(self) -> &'static str {
        match self {
            Self::Yes => "Ja",
            Self::No => "Nej",
            Self::NotApplicable => "Ej tillämpligt",
        }
    }
}

/// Why: the journal entry the answer rests on (if any), the rule and a Swedish note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Evidence {
    /// Journal sequence number of the entry the answer rests on.
    pub seq: Option<u64>,
    /// The rule applied (rule table entry or routine, with citation where there is one).
    pub rule: String,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Answer {
    pub section: Section,
    pub question: String,
    pub answer: Reply,
    /// False for judgement questions: the answer is a pre-fill for the auditor.
    pub auto: bool,
    pub evidence: Evidence,
}

/// One case's self-inspection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct CaseInspection {
    pub case: CaseId,
    pub unit: UnitId,
    pub handler: Option<StaffId>,
    pub received_on: NaiveDate,
    pub as_of: NaiveDate,
    pub answers: Vec<Answer>,
}

impl CaseInspection {
    pub fn answer(&self, section: Section, id: &str) -> Option<&Answer> {
        self.answers.iter().find(|a| a.section == section && a.question == id)
    }
}

/// What the case's events say, indexed once.
struct Facts<'a> {
    registration: Option<u64>,
    parts: HashMap<&'static str, u64>,
    part_authors: Vec<&'a StaffId>,
    decisions: Vec<&'a RecordedEvent>,
}

fn ev(seq: Option<u64>, rule: impl Into<String>, note: impl Into<String>) -> Evidence {
    Evidence { seq, rule: rule.into(), note: note.into() }
}

/// Answers every question of `questions` for the case made of `events` (its stream, in
/// journal order), as of the end of `as_of` (later entries are not seen). None when the
/// events do not make a case.
pub fn inspect(
    events: &[RecordedEvent],
    rules: &RuleTable,
    org: &Organisation,
    questions: &Questionnaire,
    as_of: NaiveDate,
) -> Option<CaseInspection> {
    let cut = end_of_local_day(as_of);
    let seen: Vec<&RecordedEvent> = events.iter().filter(|e| e.meta.recorded_at < cut).collect();
    let state = CaseState::from_events(seen.iter().copied())?;
    let corrected: HashSet<u64> = state.corrected.iter().copied().collect();
    let mut f = Facts { registration: None, parts: HashMap::new(), part_authors: Vec::new(), decisions: Vec::new() };
    for e in seen.iter().filter(|e| !corrected.contains(&e.seq)) {
        match &e.payload {
            Payload::ActualisationRegistered(_) => f.registration = Some(e.seq),
            Payload::InvestigationPartRecorded(p) => {
                f.parts.insert(p.part.name(), e.seq);
                f.part_authors.push(&e.meta.actor);
            }
            Payload::PreliminaryAssessmentDecided(_)
            | Payload::ExtensionDecided(_)
            | Payload::InvestigationDecided(_)
            | Payload::InterventionGranted(_) => f.decisions.push(e),
            _ => {}
        }
    }
    let specs = clock::specs(&state, rules);
    let answers = questions
        .question
        .iter()
        .map(|q| {
            let (answer, evidence) = match q.applies_to {
                _ if q.extra => na("Enhetstypens egen fråga", "Bedöms av granskaren; journalen besvarar inte frågan."),
                Section::PreliminaryAssessment => preliminary(&q.id, &state, &f, &specs, rules, org, as_of),
                Section::Investigation => investigation(&q.id, &state, &f, &specs, rules, org, as_of),
            };
            Answer { section: q.applies_to, question: q.id.clone(), answer, auto: q.auto, evidence }
        })
        .collect();
    Some(CaseInspection {
        case: state.case,
        unit: state.unit.clone(),
        handler: state.handler.clone(),
        received_on: local_date(state.received_at),
        as_of,
        answers,
    })
}

fn spec(specs: &[DeadlineSpec], kind: DeadlineKind) -> Option<&DeadlineSpec> {
    specs.iter().find(|s| s.kind == kind)
}

/// Timeliness of a deadline as of a date: met in time → Ja; met late or overdue → Nej;
/// still running → Ej tillämpligt.
fn timely(s: &DeadlineSpec, as_of: NaiveDate, seq: Option<u64>, rule: &str) -> (Reply, Evidence) {
    match s.met_at {
        Some(m) if m < s.due_at => {
            (Reply::Yes, ev(seq, rule, format!("Klar {} (sista dag {}).", local_date(m), s.last_day)))
        }
        Some(m) => (
            Reply::No,
            ev(
                seq,
                rule,
                format!(
                    "Klar {} efter sista dag {}{}.",
                    local_date(m),
                    s.last_day,
                    if s.reason_documented { ", skäl dokumenterat" } else { "" }
                ),
            ),
        ),
        None if end_of_local_day(as_of) > s.due_at => {
            (Reply::No, ev(None, rule, format!("Inte gjort; sista dag var {}.", s.last_day)))
        }
        None => (Reply::NotApplicable, ev(None, rule, format!("Fristen löper till {}.", s.last_day))),
    }
}

fn yes_no(ok: bool, seq: Option<u64>, rule: &str, yes: &str, no: &str) -> (Reply, Evidence) {
    if ok {
        (Reply::Yes, ev(seq, rule, yes))
    } else {
        (Reply::No, ev(seq, rule, no))
    }
}

fn na(rule: &str, note: &str) -> (Reply, Evidence) {
    (Reply::NotApplicable, ev(None, rule, note))
}

fn qualified(org: &Organisation, staff: &StaffId) -> Option<bool> {
    org.staff.get(staff).map(|s| s.qualified)
}

fn preliminary(
    id: &str,
    s: &CaseState,
    f: &Facts,
    specs: &[DeadlineSpec],
    rules: &RuleTable,
    org: &Organisation,
    as_of: NaiveDate,
) -> (Reply, Evidence) {
    let d = &rules.deadlines;
    if !d.preliminary_assessment.applies_to.contains(&s.kind) {
        return na(
            &d.preliminary_assessment.citation.text(),
            &format!("En {} kräver ingen förhandsbedömning.", s.kind.label_sv()),
        );
    }
    let reg = f.registration;
    let p = s.preliminary.as_ref();
    let pseq = p.map(|p| p.seq);
    let protection_applies = d.protection_assessment.applies_to.contains(&s.kind);
    let prot_rule = d.protection_assessment.citation.text();
    let prot = s.protection.as_ref();
    let prot_missing = || {
        let overdue =
            spec(specs, DeadlineKind::ProtectionAssessment).is_some_and(|x| end_of_local_day(as_of) > x.due_at);
        if overdue {
            (Reply::No, ev(reg, prot_rule.as_str(), "Ingen skyddsbedömning är dokumenterad."))
        } else {
            na(&prot_rule, "Skyddsbedömningen är ännu inte gjord; fristen löper.")
        }
    };
    match id {
        "reporter_documented" => {
            let ok = s.reporter_identified || s.reporter_category == ReporterCategory::Anonymous;
            yes_no(
                ok,
                reg,
                "14 kap. 1 § SoL (2001:453): anmälare dokumenteras",
                if s.reporter_identified { "Anmälaren är dokumenterad med namn." } else { "Anmälaren är dokumenterad som anonym." },
                "Anmälaren saknar namn och är inte registrerad som anonym.",
            )
        }
        "reason_documented" => yes_no(
            !s.reasons.is_empty(),
            reg,
            "Aktualiseringsorsak registreras",
            "Aktualiseringsorsak är registrerad.",
            "Ingen aktualiseringsorsak är registrerad.",
        ),
        "protection_timely" | "protection_author" | "protection_time" | "protection_facts" if !protection_applies => na(
            &prot_rule,
            &format!("En {} kräver ingen omedelbar skyddsbedömning.", s.kind.label_sv()),
        ),
        "protection_timely" => match spec(specs, DeadlineKind::ProtectionAssessment) {
            Some(x) => timely(x, as_of, prot.map(|p| p.seq), &format!("{} ({} h)", prot_rule, d.protection_assessment.hours)),
            None => na(&prot_rule, "Ingen frist."),
        },
        "protection_author" => match prot {
            Some(p) => yes_no(p.author_named, Some(p.seq), &prot_rule, "Namn och befattning framgår.", "Namn eller befattning saknas."),
            None => prot_missing(),
        },
        "protection_time" => match prot {
            Some(p) => (Reply::Yes, ev(Some(p.seq), prot_rule.as_str(), format!("Tidpunkt {}.", p.assessed_at))),
            None => prot_missing(),
        },
        "protection_facts" => match prot {
            Some(p) => yes_no(p.facts_given, Some(p.seq), &prot_rule, "Faktiska omständigheter framgår.", "Faktiska omständigheter saknas."),
            None => prot_missing(),
        },
        "preliminary_timely" => match spec(specs, DeadlineKind::PreliminaryAssessment) {
            Some(x) => timely(x, as_of, pseq, &d.preliminary_assessment.citation.text()),
            None => na(&d.preliminary_assessment.citation.text(), "Ingen frist."),
        },
        "earlier_knowledge" => match p {
            None => na("Tidigare kännedom beaktas i förhandsbedömningen", "Förhandsbedömningen är inte beslutad."),
            Some(p) if !p.earlier_knowledge_exists => {
                na("Tidigare kännedom beaktas i förhandsbedömningen", "Ingen tidigare kännedom finns.")
            }
            Some(p) => yes_no(
                p.earlier_knowledge_described,
                Some(p.seq),
                "Tidigare kännedom beskrivs och vägs in (förifyllt, bedöms av granskaren)",
                "Tidigare kännedom är beskriven i bedömningen.",
                "Tidigare kännedom finns men är bara listad: beskrivning av kännedomen och hur den påverkar bedömningen saknas.",
            ),
        },
        "child_view" => match p {
            None => na("Barnets inställning eller skälet", "Förhandsbedömningen är inte beslutad."),
            Some(p) => yes_no(
                p.child_view_documented,
                Some(p.seq),
                "Barnets inställning inhämtas, annars anges skälet",
                if p.child_view_obtained { "Barnets inställning är inhämtad." } else { "Skälet till att den inte inhämtats är angivet." },
                "Varken barnets inställning eller skälet är dokumenterat.",
            ),
        },
        "decision_taken" => match p {
            Some(p) => (Reply::Yes, ev(Some(p.seq), "Ställningstagande i förhandsbedömning", format!("Beslut {}.", p.decided_on))),
            None => match spec(specs, DeadlineKind::PreliminaryAssessment) {
                Some(x) if end_of_local_day(as_of) > x.due_at => (
                    Reply::No,
                    ev(None, d.preliminary_assessment.citation.text(), format!("Inget ställningstagande; sista dag var {}.", x.last_day)),
                ),
                _ => na(&d.preliminary_assessment.citation.text(), "Fristen löper."),
            },
        },
        "authorised_delegate" => {
            let e = f.decisions.iter().find(|e| matches!(e.payload, Payload::PreliminaryAssessmentDecided(_)));
            delegate(e.copied(), s, rules, org)
        }
        "extension_reason" => match (p, spec(specs, DeadlineKind::PreliminaryAssessment)) {
            (Some(p), Some(x)) if x.met_at.is_some_and(|m| m >= x.due_at) => yes_no(
                x.reason_documented,
                Some(p.seq),
                &format!("Synnerliga skäl ({})", d.preliminary_assessment.citation.text()),
                "Synnerliga skäl är dokumenterade och godtagna.",
                "Förhandsbedömningen drog ut över fristen utan dokumenterade synnerliga skäl.",
            ),
            _ => na(&d.preliminary_assessment.citation.text(), "Förhandsbedömningen är inte försenad."),
        },
        "handler_qualified" => {
            let who = p.map(|p| &p.decided_by).or(s.protection.as_ref().map(|p| &p.by));
            match who.and_then(|w| qualified(org, w).map(|q| (w, q))) {
                Some((w, q)) => yes_no(
                    q,
                    pseq,
                    &rules.qualification.citation_old,
                    &format!("{} har socionomexamen eller motsvarande.", w.as_str()),
                    &format!("{} saknar socionomexamen eller motsvarande.", w.as_str()),
                ),
                None => na(&rules.qualification.citation_old, "Ingen handläggning är dokumenterad ännu."),
            }
        }
        "reporter_feedback" => {
            if !(s.reporter_category.is_professional() && s.reporter_identified && s.kind == ActualisationKind::Report) {
                return na("Återkoppling till anmälare i yrkesrollen", "Anmälaren är inte en yrkesverksam som kan få återkoppling.");
            }
            match (p, s.feedback_on) {
                (_, Some(on)) => (Reply::Yes, ev(pseq, "Återkoppling till anmälare i yrkesrollen", format!("Återkoppling {on}."))),
                (Some(_), None) => (Reply::No, ev(pseq, "Återkoppling till anmälare i yrkesrollen", "Ingen återkoppling är dokumenterad.")),
                (None, None) => na("Återkoppling till anmälare i yrkesrollen", "Förhandsbedömningen är inte beslutad."),
            }
        }
        _ => na("Frågan besvaras inte automatiskt", "Bedöms av granskaren."),
    }
}

fn delegate(e: Option<&RecordedEvent>, s: &CaseState, rules: &RuleTable, org: &Organisation) -> (Reply, Evidence) {
    let Some(e) = e else { return na("Delegationsordningen", "Inget beslut är fattat.") };
    let Some(j) = judge_event(rules, org, e, Some(&s.unit)) else {
        return na("Delegationsordningen", "Inget beslut är fattat.");
    };
    let rule = format!("Delegationsordningen ({}), {}", j.order_version, j.citation);
    let reply = if j.authorised() { Reply::Yes } else { Reply::No };
    // The evidence is the decision's entry; a re-delegation's own entry is named in the note.
    let note = match &j.verdict {
        Verdict::Redelegation { seq, .. } => format!("{} (post {seq})", j.explain_sv()),
        _ => j.explain_sv(),
    };
    (reply, ev(Some(e.seq), rule, note))
}

fn investigation(
    id: &str,
    s: &CaseState,
    f: &Facts,
    specs: &[DeadlineSpec],
    rules: &RuleTable,
    org: &Organisation,
    as_of: NaiveDate,
) -> (Reply, Evidence) {
    let Some(inv) = s.investigation.as_ref() else {
        return na("Utredning", "Ingen utredning är inledd.");
    };
    let decided = inv.decided_on.is_some();
    let rule = "BBIC / 11 kap. 1–2 §§ SoL (2001:453)";
    // A documented part: Ja; missing in a decided investigation: Nej; missing while it
    // runs: Ej tillämpligt (not yet).
    let part = |name: &str, yes: &str, no: &str| -> (Reply, Evidence) {
        match f.parts.get(name) {
            Some(seq) => (Reply::Yes, ev(Some(*seq), rule, yes)),
            None if decided => (Reply::No, ev(None, rule, no)),
            None => na(rule, "Utredningen pågår; ännu inte dokumenterat."),
        }
    };
    let open_seq = Some(inv.opened_seq);
    match id {
        "reason" => yes_no(
            !s.reasons.is_empty(),
            open_seq,
            rule,
            "Anledningen framgår av aktualiseringen.",
            "Anledning saknas.",
        ),
        "whom" => (Reply::Yes, ev(f.registration, rule, "Utredningen avser barnet i ärendet.")),
        "family_invited" => match (inv.family_invited, f.parts.get("plan")) {
            (Some(true), seq) => (Reply::Yes, ev(seq.copied(), rule, "Familjen bjöds in till planeringen.")),
            (Some(false), seq) => {
                (Reply::No, ev(seq.copied(), rule, "Utredningsplanen gjordes utan att familjen bjudits in."))
            }
            (None, _) => part("plan", "", "Ingen utredningsplan är dokumenterad."),
        },
        "child_heard" | "child_view" => match f.parts.get("child_heard") {
            Some(seq) => yes_no(
                inv.child_heard_or_reason,
                Some(*seq),
                rule,
                "Barnet har kommit till tals, eller skälet är dokumenterat.",
                "Barnet har inte hörts och skälet saknas.",
            ),
            None => part("child_heard", "", "Det är inte dokumenterat att barnet kommit till tals eller varför inte."),
        },
        "timely" => match spec(specs, DeadlineKind::Investigation) {
            Some(x) => timely(x, as_of, open_seq, &rules.deadlines.investigation.citation.text()),
            None => na(rule, "Ingen frist."),
        },
        "contacts_11_2" => match (f.parts.get("consent"), inv.consent_or_contacts) {
            (None, _) => na("11 kap. 2 § SoL (2001:453)", "Inget om samtycke är dokumenterat."),
            (Some(seq), ok) => yes_no(
                ok,
                Some(*seq),
                "11 kap. 2 § SoL (2001:453)",
                "Samtycke finns, eller kontakterna utan samtycke är dokumenterade.",
                "Samtycke saknas och kontakterna är inte dokumenterade.",
            ),
        },
        "facts" => {
            part("facts", "Faktiska omständigheter är dokumenterade (förifyllt).", "Faktiska omständigheter saknas.")
        }
        "needs_assessment" => part("needs_assessment", "Bedömningen av behov framgår.", "Bedömning av behov saknas."),
        "how_conducted" => {
            part("conduct", "Hur utredningen genomförts framgår.", "Det framgår inte hur utredningen genomförts.")
        }
        "own_capacity" => part(
            "own_capacity_assessment",
            "Bedömningen av den egna förmågan framgår.",
            "Bedömning av den egna förmågan saknas.",
        ),
        "insats_goals" => {
            if decided && inv.outcome != Some("grant_intervention") {
                return na(rule, "Ingen insats föreslogs.");
            }
            part("proposed_goals", "Mål för föreslagen insats framgår.", "Mål för den föreslagna insatsen saknas.")
        }
        "structured_method" => match f.parts.get("assessment_method") {
            Some(seq) => (Reply::Yes, ev(Some(*seq), rule, "Strukturerad bedömningsmetod är dokumenterad.")),
            None if decided && s.concerns_violence() => (
                Reply::No,
                ev(
                    None,
                    "Kommunens rutin: strukturerad bedömning vid våld",
                    "Våld i ärendet men ingen strukturerad bedömningsmetod.",
                ),
            ),
            None => na(rule, "Ingen strukturerad metod krävs i ärendet."),
        },
        "new_reports_assessed" => {
            if inv.joined_reports.is_empty() {
                return na(rule, "Inga nya anmälningar under utredningen.");
            }
            let all = inv.joined_reports.iter().all(|(_, p)| *p);
            yes_no(
                all,
                open_seq,
                &rules.deadlines.protection_assessment.citation.text(),
                "Varje ny anmälan under utredningen är skyddsbedömd.",
                "En anmälan under utredningen saknar skyddsbedömning.",
            )
        }
        "kommunicering" => match f.parts.get("communication") {
            Some(seq) => (Reply::Yes, ev(Some(*seq), "Kommunicering (25 § FL)", "Underlaget kommunicerades.")),
            None if decided => {
                (Reply::No, ev(None, "Kommunicering (25 § FL)", "Beslut fattades utan dokumenterad kommunicering."))
            }
            None => na("Kommunicering (25 § FL)", "Utredningen pågår."),
        },
        "authorised_delegate" => {
            let mut first_bad = None;
            let mut last_ok = None;
            for e in f.decisions.iter().filter(|e| !matches!(e.payload, Payload::PreliminaryAssessmentDecided(_))) {
                let (r, evd) = delegate(Some(e), s, rules, org);
                if r == Reply::No && first_bad.is_none() {
                    first_bad = Some((r, evd));
                } else if r == Reply::Yes {
                    last_ok = Some((r, evd));
                }
            }
            first_bad.or(last_ok).unwrap_or_else(|| na("Delegationsordningen", "Inget beslut är fattat i utredningen."))
        }
        "handler_qualified" => {
            let mut who: Vec<&StaffId> = f.part_authors.clone();
            if let Some(h) = &s.handler {
                who.push(h);
            }
            let known: Vec<(&StaffId, bool)> = who.iter().filter_map(|w| qualified(org, w).map(|q| (*w, q))).collect();
            if known.is_empty() {
                return na(&rules.qualification.citation_old, "Ingen handläggare är dokumenterad ännu.");
            }
            match known.iter().find(|(_, q)| !q) {
                Some((w, _)) => (
                    Reply::No,
                    ev(
                        None,
                        rules.qualification.citation_old.as_str(),
                        format!("{} saknar socionomexamen eller motsvarande.", w.as_str()),
                    ),
                ),
                None => (
                    Reply::Yes,
                    ev(
                        None,
                        rules.qualification.citation_old.as_str(),
                        "Handläggarna har socionomexamen eller motsvarande.",
                    ),
                ),
            }
        }
        "violence_risk" => {
            if !s.concerns_violence() {
                return na(rule, "Ärendet gäller inte våld.");
            }
            part(
                "violence_risk_assessment",
                "Risken för ytterligare våld är bedömd.",
                "Våld i ärendet men ingen bedömning av risk för ytterligare våld.",
            )
        }
        "police_report" => {
            if !s.reasons.iter().any(|r| r.is_crime_against_child()) {
                return na("Polisanmälan vid brott mot barn", "Ingen kännedom om brott mot barnet.");
            }
            part(
                "police_report_decision",
                "Polisanmälan eller ställningstagande att inte anmäla är dokumenterat.",
                "Brott mot barnet är känt men varken polisanmälan eller ställningstagande att inte anmäla är dokumenterat.",
            )
        }
        _ => na("Frågan besvaras inte automatiskt", "Bedöms av granskaren."),
    }
}

// ------------------------------------------------------------ per unit and period

/// One question's result over a set of cases: share of Ja among Ja + Nej, and the cases
/// behind each answer (drill-down).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionSummary {
    pub section: Section,
    pub question: String,
    pub text: String,
    pub auto: bool,
    pub yes: usize,
    pub no: usize,
    pub not_applicable: usize,
    /// Ja / (Ja + Nej); None when no case had the question apply.
    pub share_yes: Option<f64>,
    pub cases_yes: Vec<CaseId>,
    pub cases_no: Vec<CaseId>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub cases: usize,
    pub questions: Vec<QuestionSummary>,
}

/// Summarises inspections (already filtered to a unit and period by the caller).
pub fn summarise<'a>(questions: &Questionnaire, inspections: impl IntoIterator<Item = &'a CaseInspection>) -> Summary {
    let mut rows: Vec<QuestionSummary> = questions
        .question
        .iter()
        .map(|q| QuestionSummary {
            section: q.applies_to,
            question: q.id.clone(),
            text: q.text.clone(),
            auto: q.auto,
            yes: 0,
            no: 0,
            not_applicable: 0,
            share_yes: None,
            cases_yes: Vec::new(),
            cases_no: Vec::new(),
        })
        .collect();
    let index: BTreeMap<(Section, &str), usize> =
        questions.question.iter().enumerate().map(|(i, q)| ((q.applies_to, q.id.as_str()), i)).collect();
    let mut cases = 0;
    for ins in inspections {
        cases += 1;
        for a in &ins.answers {
            let Some(&i) = index.get(&(a.section, a.question.as_str())) else { continue };
            let r = &mut rows[i];
            match a.answer {
                Reply::Yes => {
                    r.yes += 1;
                    r.cases_yes.push(ins.case);
                }
                Reply::No => {
                    r.no += 1;
                    r.cases_no.push(ins.case);
                }
                Reply::NotApplicable => r.not_applicable += 1,
            }
        }
    }
    for r in rows.iter_mut() {
        let n = r.yes + r.no;
        r.share_yes = (n > 0).then(|| r.yes as f64 / n as f64);
    }
    Summary { cases, questions: rows }
}
