//! What the API sends about quality matters, per view. A matter's state holds codes, dates
//! and statuses only; its texts are in its journal stream and are rendered here, as a
//! Swedish timeline, for a full view only (scrubbed of a linked case's protected
//! identities for roles that may not see them). A pseudonymised view gets the entries'
//! titles, dates and codes, never a text.

use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::Serialize;
use skyndsam_domain::clock::DeadlineState;
use skyndsam_domain::events::{Payload, RecordedEvent};
use skyndsam_domain::ids::{CaseId, StaffId, UnitId};
use skyndsam_domain::org::{Organisation, Role};
use skyndsam_domain::quality::model::*;
use skyndsam_domain::quality::rules::QualityRules;
use skyndsam_domain::quality::stats::SurveyRow;
use skyndsam_domain::quality::{
    self, ComplaintState, ControlPlanState, DeviationState, FileAuditState, LexSarahState, Matter, QualityDeadline,
    QualityDeadlineKind, RiskState, SurveyState,
};
use skyndsam_domain::rules::RuleTable;
use skyndsam_store::security::AccessBasis;

use crate::scope::{Access, View};

/// The kinds of quality matter, each with its own stream prefix and API path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MatterKind {
    Deviation,
    LexSarah,
    Complaint,
    Risk,
    ControlPlan,
    Survey,
    /// Aktgranskning (issue 5): its improvement actions are quality clocks; it has no page yet.
    FileAudit,
}

impl MatterKind {
    pub fn of(m: &Matter) -> Self {
        match m {
            Matter::Deviation(_) => Self::Deviation,
            Matter::LexSarah(_) => Self::LexSarah,
            Matter::Complaint(_) => Self::Complaint,
            Matter::Risk(_) => Self::Risk,
            Matter::ControlPlan(_) => Self::ControlPlan,
            Matter::Survey(_) => Self::Survey,
            Matter::FileAudit(_) => Self::FileAudit,
        }
    }
    /// The journal stream prefix.
    pub fn prefix(self) -> &'static str {
        use skyndsam_domain::ids::*;
        match self {
            Self::Deviation => DeviationId::PREFIX,
            Self::LexSarah => LexSarahId::PREFIX,
            Self::Complaint => ComplaintId::PREFIX,
            Self::Risk => RiskId::PREFIX,
            Self::ControlPlan => ControlPlanId::PREFIX,
            Self::Survey => SurveyId::PREFIX,
            Self::FileAudit => FileAuditId::PREFIX,
        }
    }
    /// The kind a stream belongs to.
    pub fn of_stream(stream: &str) -> Option<Self> {
        let prefix = stream.split_once('/')?.0;
        [Self::Deviation, Self::LexSarah, Self::Complaint, Self::Risk, Self::ControlPlan, Self::Survey, Self::FileAudit]
            .into_iter()
            .find(|k| k.prefix() == prefix)
    }
    /// The web UI's pages of matters of this kind.
    pub fn page(self) -> Option<&'static str> {
        Some(match self {
            Self::Deviation => "/avvikelser",
            Self::LexSarah => "/lex-sarah",
            Self::Complaint => "/synpunkter",
            Self::Risk => "/internkontroll/risker",
            Self::ControlPlan => "/internkontroll/planer",
            Self::Survey => "/brukarundersokningar",
            Self::FileAudit => "/aktgranskning",
        })
    }
    /// The web UI's page of one matter, when there is one.
    pub fn link(self, id: &str) -> Option<String> {
        self.page().map(|p| format!("{p}/{id}"))
    }
    pub fn label_sv(self) -> &'static str {
        match self {
            Self::Deviation => "Avvikelse",
            Self::LexSarah => "Lex Sarah",
            Self::Complaint => "Synpunkt/klagomål",
            Self::Risk => "Risk",
            Self::ControlPlan => "Internkontrollplan",
            Self::Survey => "Brukarundersökning",
            Self::FileAudit => "Aktgranskning",
        }
    }
}

/// The id part of a matter's stream (`deviation/<id>` → `<id>`).
pub fn stream_id(stream: &str) -> &str {
    stream.split_once('/').map(|(_, id)| id).unwrap_or(stream)
}

/// A staff member's name (staff are not clients: their names are shown in every view).
pub fn staff_name(org: &Organisation, s: &StaffId) -> String {
    org.staff.get(s).map(|x| x.name.clone()).unwrap_or_else(|| s.to_string())
}

/// A unit's name.
pub fn unit_name(org: &Organisation, u: &UnitId) -> String {
    org.unit(u).map(|x| x.name.clone()).unwrap_or_else(|| u.to_string())
}

// ------------------------------------------------------------------ clocks

/// One quality clock, as sent.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct QualityDeadlineView {
    /// The matter's stream (`deviation/<id>` …).
    pub stream: String,
    pub matter_kind: MatterKind,
    /// The matter's id.
    pub matter: String,
    pub kind: QualityDeadlineKind,
    /// Swedish name of the clock.
    pub name: String,
    pub last_day: NaiveDate,
    pub state: DeadlineState,
    /// Swedish name of the state.
    pub state_sv: String,
    /// Whose to-do list it is on.
    pub owner: Option<StaffId>,
    pub unit: Option<UnitId>,
    pub met_on: Option<NaiveDate>,
    pub citation: String,
}

pub fn deadline_view(d: &QualityDeadline, rules: &RuleTable, today: NaiveDate) -> QualityDeadlineView {
    let state = d.state(rules, today);
    QualityDeadlineView {
        stream: d.stream.clone(),
        matter_kind: MatterKind::of_stream(&d.stream).unwrap_or(MatterKind::Deviation),
        matter: stream_id(&d.stream).to_owned(),
        kind: d.kind,
        name: d.kind.label_sv(),
        last_day: d.last_day,
        state,
        state_sv: state.label_sv().to_owned(),
        owner: d.owner.clone(),
        unit: d.unit.clone(),
        met_on: d.met_on,
        citation: d.citation.clone(),
    }
}

// ------------------------------------------------------------------ lists

/// One row of a list of deviations, lex Sarah matters or complaints: codes, dates and
/// statuses, never a text (lists are not logged per row).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct MatterSummary {
    pub id: String,
    pub kind: MatterKind,
    /// Give it back as `expected_version` with the next command.
    pub version: u32,
    /// Status code (`reported`, `under_investigation` …).
    pub status: String,
    pub status_sv: String,
    /// Still open (not locked, closed or escalated).
    pub open: bool,
    pub unit: UnitId,
    pub reported_on: NaiveDate,
    pub occurred_on: Option<NaiveDate>,
    pub reported_by: StaffId,
    pub assignee: Option<StaffId>,
    /// The linked case (a person's file); None = organisational.
    pub case: Option<CaseId>,
    /// Deviations: the category code and direction; system detections.
    pub category: Option<String>,
    pub direction: Option<DeviationDirection>,
    pub detection: Option<DetectionKind>,
    /// Lex Sarah: the classification, when made.
    pub classification: Option<LexSarahClassification>,
    /// Complaints: source and subject.
    pub source: Option<ComplaintSource>,
    pub subject: Option<ComplaintSubject>,
    /// The main clock (six weeks, the report to IVO, the answer), when it applies.
    pub clock: Option<QualityDeadlineView>,
    /// `full` or `pseudonymised`.
    pub view: &'static str,
}

fn view_name(v: View) -> &'static str {
    match v {
        View::Full => "full",
        View::Pseudonymised => "pseudonymised",
    }
}

/// The status of a deviation, lex Sarah or complaint: (code, Swedish, open).
pub fn status_of(m: &Matter) -> (String, String, bool) {
    match m {
        Matter::Deviation(d) => {
            let s = d.status();
            (code(&s), s.label_sv().to_owned(), s.is_open())
        }
        Matter::LexSarah(l) => {
            let s = l.status();
            (code(&s), s.label_sv().to_owned(), l.handling.locked_on.is_none())
        }
        Matter::Complaint(c) => {
            let open = c.handling.locked_on.is_none();
            let code = if !open {
                "closed"
            } else if c.answered_on.is_some() {
                "answered"
            } else if c.contacted_on.is_some() {
                "contacted"
            } else {
                "received"
            };
            (code.to_owned(), c.status_sv().to_owned(), open)
        }
        Matter::Risk(r) => match r.retired_on {
            Some(_) => ("retired".into(), "Avförd".into(), false),
            None => ("active".into(), "Aktiv".into(), true),
        },
        Matter::ControlPlan(p) => match p.reported_on {
            Some(_) => ("reported".into(), "Rapporterad till nämnden".into(), false),
            None => ("adopted".into(), "Antagen".into(), true),
        },
        Matter::Survey(_) => ("defined".into(), "Pågår".into(), true),
        Matter::FileAudit(a) => {
            if a.handling.locked_on.is_some() {
                ("closed".into(), "Avslutad".into(), false)
            } else if a.analysed_on.is_some() {
                ("analysed".into(), "Analyserad".into(), true)
            } else {
                ("open".into(), "Pågår".into(), true)
            }
        }
    }
}

/// A status enum's snake_case code.
fn code<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// The main clock of a matter: the first of its clocks that is not a measure or follow-up.
pub fn main_clock(m: &Matter, rules: &RuleTable, today: NaiveDate) -> Option<QualityDeadlineView> {
    quality::deadlines(m, rules)
        .iter()
        .find(|d| {
            matches!(
                d.kind,
                QualityDeadlineKind::DeviationInvestigation
                    | QualityDeadlineKind::IvoReport
                    | QualityDeadlineKind::ComplaintAnswer
            )
        })
        .map(|d| deadline_view(d, rules, today))
}

pub fn summary(m: &Matter, a: &Access, rules: &RuleTable, today: NaiveDate) -> Option<MatterSummary> {
    let h = m.handling()?;
    let (status, status_sv, open) = status_of(m);
    let mut s = MatterSummary {
        id: stream_id(&h.stream).to_owned(),
        kind: MatterKind::of(m),
        version: h.version,
        status,
        status_sv,
        open,
        unit: h.unit.clone(),
        reported_on: h.reported_on,
        occurred_on: None,
        reported_by: h.reported_by.clone(),
        assignee: h.assignee.clone(),
        case: h.case,
        category: None,
        direction: None,
        detection: None,
        classification: None,
        source: None,
        subject: None,
        clock: main_clock(m, rules, today),
        view: view_name(a.view),
    };
    match m {
        Matter::Deviation(d) => {
            s.occurred_on = Some(d.occurred_on);
            s.category = Some(d.category.clone());
            s.direction = Some(d.direction);
            s.detection = d.detection;
        }
        Matter::LexSarah(l) => {
            s.occurred_on = Some(l.occurred_on);
            s.classification = l.classification;
        }
        Matter::Complaint(c) => {
            s.occurred_on = Some(c.received_on);
            s.source = Some(c.source);
            s.subject = Some(c.subject);
        }
        _ => {}
    }
    Some(s)
}

/// A risk of the register with its risk value and level.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RiskView {
    pub id: String,
    pub version: u32,
    pub title: String,
    pub process: String,
    pub unit: Option<UnitId>,
    pub score: RiskScore,
    /// probability × consequence (1–16)
    pub value: u8,
    /// "låg", "medel" or "hög"
    pub level_sv: String,
    pub registered_on: NaiveDate,
    pub assessed_on: NaiveDate,
    pub retired_on: Option<NaiveDate>,
}

pub fn risk_view(r: &RiskState, q: &QualityRules) -> RiskView {
    RiskView {
        id: r.id.to_string(),
        version: r.version,
        title: r.title.clone(),
        process: r.process.clone(),
        unit: r.unit.clone(),
        score: r.score,
        value: r.score.value(),
        level_sv: q.risk_matrix.level_sv(r.score).to_owned(),
        registered_on: r.registered_on,
        assessed_on: r.assessed_on,
        retired_on: r.retired_on,
    }
}

/// A survey in a list: its definition and how many answered.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SurveySummary {
    pub id: String,
    pub version: u32,
    pub name: String,
    pub units: Vec<UnitId>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub questions: usize,
    pub invited: u32,
    pub responses: usize,
}

pub fn survey_summary(s: &SurveyState) -> SurveySummary {
    SurveySummary {
        id: s.id.to_string(),
        version: s.version,
        name: s.name.clone(),
        units: s.units.clone(),
        from: s.from,
        to: s.to,
        questions: s.questions.len(),
        invited: s.invited.iter().map(|i| i.count).sum(),
        responses: s.responses.len(),
    }
}

// ------------------------------------------------------------------ one matter

/// A matter's state: dates, codes and statuses (no text about a person).
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum MatterState {
    Deviation(DeviationState),
    LexSarah(LexSarahState),
    Complaint(ComplaintState),
    Risk(RiskState),
    ControlPlan(ControlPlanState),
    Survey(SurveyState),
    FileAudit(FileAuditState),
}

/// One line of an entry: a Swedish label and the value.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct EntryField {
    pub label: String,
    pub value: String,
    /// Free text (never in a pseudonymised view).
    pub free_text: bool,
}

/// One entry of a matter's timeline, in Swedish.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct MatterEntry {
    pub seq: u64,
    pub version: u32,
    /// The event's type (`deviation_investigated`, …).
    #[serde(rename = "type")]
    pub kind: String,
    /// What happened, in Swedish ("Avvikelsen utredd").
    pub title: String,
    pub recorded_at: DateTime<Utc>,
    pub effective_on: NaiveDate,
    pub actor: StaffId,
    pub actor_name: String,
    pub role: Role,
    /// The entry's content as Swedish lines; in a pseudonymised view only dates and codes.
    pub fields: Vec<EntryField>,
    /// The entry's content as recorded; absent in a pseudonymised view.
    pub data: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct MatterDetail {
    pub id: String,
    pub kind: MatterKind,
    /// Give it back as `expected_version` with the next command.
    pub version: u32,
    pub status: String,
    pub status_sv: String,
    pub open: bool,
    /// `full` or `pseudonymised`.
    pub view: &'static str,
    /// Why the caller may read it: `own_case` (has a part in it), `managed_unit`, `own_unit`, `pseudonymised`.
    pub access_basis: AccessBasis,
    pub state: MatterState,
    /// Every clock of the matter, met or pending.
    pub deadlines: Vec<QualityDeadlineView>,
    pub timeline: Vec<MatterEntry>,
    /// Surveys: response rate and NKI per unit and sex.
    pub survey_results: Option<Vec<SurveyRow>>,
    /// Risks: the level ("låg", "medel", "hög") of the current score.
    pub risk_level_sv: Option<String>,
    /// Deviations, to those who see them in full: the last e-mail notice of feedback to the
    /// reporter (sent, no address, failed and why in a word), kept by this server process;
    /// absent when mail is not configured or no feedback has been given since it started.
    pub feedback_notice: Option<crate::mail::NoticeStatus>,
}

fn field(label: &str, value: impl Into<String>) -> EntryField {
    EntryField { label: label.to_owned(), value: value.into(), free_text: false }
}

fn text(label: &str, value: &str) -> EntryField {
    EntryField { label: label.to_owned(), value: value.to_owned(), free_text: true }
}

fn opt_text(out: &mut Vec<EntryField>, label: &str, v: &Option<String>) {
    if let Some(t) = v.as_deref().filter(|t| !t.trim().is_empty()) {
        out.push(text(label, t));
    }
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "ja"
    } else {
        "nej"
    }
}

fn score(q: &QualityRules, s: RiskScore) -> String {
    let m = &q.risk_matrix;
    format!(
        "allvarlighetsgrad {} ({}) × sannolikhet {} ({}) = {}; {}",
        s.severity,
        m.severity_label(s.severity),
        s.probability,
        m.probability_label(s.probability),
        s.value(),
        m.recommend(s).label_sv()
    )
}

fn sex_sv(s: Option<skyndsam_domain::personnummer::Sex>) -> &'static str {
    match s {
        Some(skyndsam_domain::personnummer::Sex::Female) => "flickor/kvinnor",
        Some(skyndsam_domain::personnummer::Sex::Male) => "pojkar/män",
        None => "ej angivet",
    }
}

/// The Swedish title and lines of one entry.
pub fn entry(p: &Payload, q: &QualityRules, org: &Organisation) -> (String, Vec<EntryField>) {
    let staff = |s: &StaffId| staff_name(org, s);
    let mut f = Vec::new();
    let title = match p {
        Payload::DeviationReported(d) => {
            f.push(field("Enhet", unit_name(org, &d.unit)));
            f.push(field("Inträffade", d.occurred_on.to_string()));
            f.push(field("Kategori", q.category_name(&d.category).unwrap_or(&d.category)));
            f.push(field("Typ", d.direction.label_sv()));
            opt_text(&mut f, "Annan förvaltning eller aktör", &d.external_body);
            if let DeviationSource::System { detection, .. } = &d.source {
                f.push(field("Upptäckt av systemet", detection.label_sv()));
            }
            if let Some(a) = &d.assignee {
                f.push(field("Utreds av", staff(a)));
            }
            if let Some(r) = d.risk {
                f.push(field("Riskbedömning", score(q, r)));
            }
            f.push(text("Vad som hänt", &d.description));
            opt_text(&mut f, "Åtgärdat direkt", &d.immediate_action);
            "Avvikelse rapporterad"
        }
        Payload::MatterAssigned(a) => {
            f.push(field("Ansvarig", staff(&a.assignee)));
            "Ansvarig utsedd"
        }
        Payload::DeviationInvestigated(i) => {
            f.push(text("Händelseförlopp", &i.what_happened));
            f.push(text("Felhändelser", &i.failures));
            f.push(text("Orsaker", &i.causes));
            f.push(text("Åtgärder, vidtagna och planerade", &i.measures));
            f.push(field("Förhindras upprepning?", yes_no(i.recurrence_prevented)));
            if let Some(r) = i.risk {
                f.push(field("Riskbedömning", score(q, r)));
            }
            "Avvikelsen utredd"
        }
        Payload::FeedbackGiven(x) => {
            let channel = match x.channel {
                FeedbackChannel::InApp => "i Skyndsam",
                FeedbackChannel::Email => "e-post",
                FeedbackChannel::Other => "på annat sätt (brev, möte)",
            };
            f.push(field("Kanal", channel));
            f.push(text("Återkoppling", &x.text));
            "Återkoppling till den som rapporterade"
        }
        Payload::DeviationForwarded(x) => {
            f.push(text("Mottagare", &x.to_body));
            f.push(text("Kontaktväg", &x.contact));
            f.push(field("Skickad", x.sent_on.to_string()));
            "Skickad vidare för utredning"
        }
        Payload::ExternalAnswerReceived(x) => {
            f.push(field("Mottaget", x.received_on.to_string()));
            f.push(text("Svar", &x.text));
            "Svar från annan förvaltning eller aktör"
        }
        Payload::MatterLocked(x) => {
            f.push(text("Sammanfattning", &x.summary));
            "Avslutad och låst"
        }
        Payload::DeviationEscalated(x) => {
            f.push(field("Lex Sarah-ärende", x.lex_sarah.to_string()));
            f.push(field("Riskbedömning", score(q, x.risk)));
            f.push(text("Skäl", &x.reason));
            "Lyft till lex Sarah"
        }
        Payload::MeasureDecided(m) => {
            f.push(field("Åtgärd nr", m.measure.to_string()));
            f.push(field("Ansvarig", staff(&m.owner)));
            f.push(field("Klar senast", m.due.to_string()));
            f.push(text("Åtgärd", &m.description));
            "Åtgärd beslutad"
        }
        Payload::MeasureCompleted(m) => {
            f.push(field("Åtgärd nr", m.measure.to_string()));
            f.push(field("Genomförd", m.completed_on.to_string()));
            opt_text(&mut f, "Kommentar", &m.comment);
            "Åtgärd genomförd"
        }
        Payload::FollowUpPlanned(x) => {
            f.push(field("Senast", x.due.to_string()));
            "Uppföljning planerad"
        }
        Payload::FollowUpRecorded(x) => {
            f.push(field("Effekt", x.effect.label_sv()));
            if let Some(d) = x.next_follow_up {
                f.push(field("Nästa uppföljning", d.to_string()));
            }
            f.push(text("Uppföljning", &x.text));
            "Åtgärdernas effekt följd upp"
        }
        Payload::QualityNoteWritten(x) => {
            f.push(text("Tillägg", &x.text));
            "Tillägg"
        }
        Payload::LexSarahReported(l) => {
            f.push(field("Enhet", unit_name(org, &l.unit)));
            f.push(field("Inträffade", l.occurred_on.to_string()));
            if let Some(d) = l.from_deviation {
                f.push(field("Lyft från avvikelse", d.to_string()));
            }
            if let Some(a) = &l.assignee {
                f.push(field("Utreds av", staff(a)));
            }
            if let Some(r) = l.risk {
                f.push(field("Riskbedömning", score(q, r)));
            }
            f.push(text("Missförhållande eller risk för missförhållande", &l.description));
            opt_text(&mut f, "Åtgärdat direkt", &l.immediate_action);
            "Rapport enligt lex Sarah"
        }
        Payload::LexSarahInvestigated(i) => {
            f.push(text("Händelseförlopp", &i.course_of_events));
            f.push(text("Konsekvenser för den enskilde", &i.consequences));
            f.push(text("Orsaker", &i.causes));
            f.push(text("Omedelbara åtgärder", &i.immediate_measures));
            f.push(text("Den enskildes synpunkter", &i.users_view));
            f.push(text("Personalens synpunkter", &i.staff_view));
            f.push(text("Analys och bedömning", &i.analysis));
            "Lex Sarah-utredning"
        }
        Payload::LexSarahClassified(c) => {
            f.push(field("Bedömning", c.classification.label_sv()));
            f.push(field("Beslutad", c.decided_on.to_string()));
            f.push(field("Ska anmälas till IVO", yes_no(c.classification.must_report_to_ivo())));
            f.push(text("Motivering", &c.motivation));
            "Bedömning av missförhållandet"
        }
        Payload::LexSarahReportedToIvo(r) => {
            f.push(field("Skickad", r.sent_on.to_string()));
            opt_text(&mut f, "IVO:s diarienummer", &r.ivo_reference);
            f.push(text("Anmälans sammanfattning", &r.summary));
            "Anmäld till IVO"
        }
        Payload::ComplaintReceived(c) => {
            f.push(field("Typ", c.kind.label_sv()));
            f.push(field("Från", c.source.label_sv()));
            f.push(field("Gäller", c.subject.label_sv()));
            f.push(field("Mottagen", c.received_on.to_string()));
            f.push(field("Enhet", unit_name(org, &c.unit)));
            if let Some(a) = &c.assignee {
                f.push(field("Handläggs av", staff(a)));
            }
            f.push(text("Synpunkt", &c.description));
            opt_text(&mut f, "Kontaktuppgift", &c.contact);
            "Synpunkt eller klagomål mottagen"
        }
        Payload::ComplaintContacted(x) => {
            f.push(field("Datum", x.on.to_string()));
            f.push(text("Kontakt", &x.text));
            "Kontakt med den som lämnat synpunkten"
        }
        Payload::ComplaintAnswered(x) => {
            f.push(field("Datum", x.on.to_string()));
            f.push(text("Svar", &x.text));
            "Synpunkten besvarad"
        }
        Payload::RiskRegistered(r) => {
            f.push(field("Risk", r.title.clone()));
            f.push(field("Process", r.process.clone()));
            f.push(field("Riskvärde", score(q, r.score)));
            f.push(text("Beskrivning", &r.description));
            "Risk förd in i riskregistret"
        }
        Payload::RiskReassessed(r) => {
            f.push(field("Riskvärde", score(q, r.score)));
            f.push(text("Kommentar", &r.comment));
            "Risken omvärderad"
        }
        Payload::RiskRetired(r) => {
            f.push(text("Skäl", &r.reason));
            "Risken avförd"
        }
        Payload::ControlPlanAdopted(p) => {
            f.push(field("År", p.year.to_string()));
            f.push(field("Antagen", p.adopted_on.to_string()));
            f.push(field("Nämndens beslut", p.board_reference.clone()));
            f.push(field("Kontrollmoment", p.moments.len().to_string()));
            "Internkontrollplan antagen"
        }
        Payload::ControlMomentAdded(m) => {
            f.push(field("Moment nr", m.moment.moment.to_string()));
            f.push(field("Kontroll", m.moment.control.clone()));
            f.push(field("Metod", m.moment.method.clone()));
            f.push(field("Ansvarig", staff(&m.moment.owner)));
            f.push(field("Senast", m.moment.due.to_string()));
            "Kontrollmoment tillagt"
        }
        Payload::ControlResultRecorded(r) => {
            f.push(field("Moment nr", r.moment.to_string()));
            f.push(field("Datum", r.on.to_string()));
            f.push(field("Anmärkning", yes_no(r.remarks)));
            f.push(text("Resultat", &r.result));
            "Kontrollresultat"
        }
        Payload::ControlReportSubmitted(r) => {
            f.push(field("Datum", r.on.to_string()));
            f.push(text("Rapport", &r.text));
            "Uppföljningen rapporterad till nämnden"
        }
        Payload::SurveyDefined(s) => {
            f.push(field("Namn", s.name.clone()));
            f.push(field("Period", format!("{} – {}", s.from, s.to)));
            f.push(field("Frågor", s.questions.len().to_string()));
            "Brukarundersökning upplagd"
        }
        Payload::SurveyInvitationsRecorded(i) => {
            for x in &i.invited {
                f.push(field(
                    &format!("Tillfrågade, {} ({})", unit_name(org, &x.unit), sex_sv(x.sex)),
                    x.count.to_string(),
                ));
            }
            "Antal tillfrågade"
        }
        Payload::SurveyResponsesRecorded(r) => {
            f.push(field("Svar", r.responses.len().to_string()));
            f.push(field("Källa", r.source.clone()));
            "Svar införda"
        }
        Payload::FileAuditOpened(_) => "Aktgranskning öppnad",
        Payload::FileAuditAnswersRecorded(_) => "Granskningssvar införda",
        Payload::FileAuditAnalysed(_) => "Aktgranskningen analyserad",
        Payload::FileAuditDropOutRecorded(_) => "Bortfall registrerat",
        other => {
            f.push(field("Typ", other.type_name()));
            "Post"
        }
    };
    (title.to_owned(), f)
}

/// Replaces a protected person's identity in free text (see `crate::views`).
fn scrub(s: &mut String, words: &[String]) {
    for w in words {
        if s.contains(w.as_str()) {
            *s = s.replace(w.as_str(), crate::views::REDACTED);
        }
    }
}

fn scrub_json(v: &mut serde_json::Value, words: &[String]) {
    match v {
        serde_json::Value::String(s) => scrub(s, words),
        serde_json::Value::Array(a) => a.iter_mut().for_each(|x| scrub_json(x, words)),
        serde_json::Value::Object(o) => o.values_mut().for_each(|x| scrub_json(x, words)),
        _ => {}
    }
}

/// The matter's timeline as the caller may see it.
pub fn timeline(
    events: &[RecordedEvent],
    view: View,
    words: &[String],
    q: &QualityRules,
    org: &Organisation,
) -> Vec<MatterEntry> {
    events
        .iter()
        .map(|e| {
            let (title, mut fields) = entry(&e.payload, q, org);
            let data = match view {
                View::Pseudonymised => {
                    fields.retain(|f| !f.free_text);
                    None
                }
                View::Full => {
                    let mut d = serde_json::to_value(&e.payload)
                        .ok()
                        .and_then(|mut v| v.get_mut("data").map(serde_json::Value::take));
                    if !words.is_empty() {
                        for f in fields.iter_mut().filter(|f| f.free_text) {
                            scrub(&mut f.value, words);
                        }
                        if let Some(d) = d.as_mut() {
                            scrub_json(d, words);
                        }
                    }
                    d
                }
            };
            MatterEntry {
                seq: e.seq,
                version: e.version,
                kind: e.payload.type_name().to_owned(),
                title,
                recorded_at: e.meta.recorded_at,
                effective_on: e.meta.effective_on,
                actor: e.meta.actor.clone(),
                actor_name: staff_name(org, &e.meta.actor),
                role: e.meta.role,
                fields,
                data,
            }
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
pub fn detail(
    m: &Matter,
    events: &[RecordedEvent],
    a: &Access,
    words: &[String],
    rules: &RuleTable,
    org: &Organisation,
    today: NaiveDate,
) -> MatterDetail {
    let (status, status_sv, open) = status_of(m);
    let q = &rules.quality;
    let state = match m {
        Matter::Deviation(d) => MatterState::Deviation(d.clone()),
        Matter::LexSarah(l) => MatterState::LexSarah(l.clone()),
        Matter::Complaint(c) => MatterState::Complaint(c.clone()),
        Matter::Risk(r) => MatterState::Risk(r.clone()),
        Matter::ControlPlan(p) => MatterState::ControlPlan(p.clone()),
        Matter::Survey(s) => MatterState::Survey(s.clone()),
        Matter::FileAudit(a) => MatterState::FileAudit(a.clone()),
    };
    MatterDetail {
        id: stream_id(&m.stream()).to_owned(),
        kind: MatterKind::of(m),
        version: m.version(),
        status,
        status_sv,
        open,
        view: view_name(a.view),
        access_basis: a.basis,
        state,
        deadlines: quality::deadlines(m, rules).iter().map(|d| deadline_view(d, rules, today)).collect(),
        timeline: timeline(events, a.view, words, q, org),
        survey_results: match m {
            Matter::Survey(s) => Some(quality::stats::survey_results(s)),
            _ => None,
        },
        risk_level_sv: match m {
            Matter::Risk(r) => Some(q.risk_matrix.level_sv(r.score).to_owned()),
            _ => None,
        },
        feedback_notice: None,
    }
}
