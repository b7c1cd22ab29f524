//! The quality-management system's API (issue 6; SOSFS 2011:9, DOMAIN §5): deviations,
//! lex Sarah, comments and complaints, internal control and user surveys, with their
//! clocks, counts and trends. Every route is a `RouteSpec` in the one table
//! (`routes::routes` appends [`routes`]), so the OpenAPI document and the authorisation
//! matrix cover it.
//!
//! Need-to-know as for cases: a matter is reached only through `Scope::matter_access`;
//! out of scope and non-existent are answered alike (404, the attempt in the security
//! log); acting needs the full view; a read of a matter linked to a case is written to the
//! access log (durably, before the answer is sent) as a read of that case's child.
//! The domain judges every act (`quality::commands::handle`); ids of new matters come from
//! here (random UUIDs), as case ids do.

pub mod csv;
pub mod views;

use axum::extract::{Path, Query};
use axum::http::{Method, StatusCode};
use axum::routing::{on, MethodFilter, MethodRouter};
use chrono::{Datelike, NaiveDate};
use schemars::gen::SchemaGenerator;
use schemars::schema::Schema;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use skyndsam_domain::calendar::local_date;
use skyndsam_domain::events::{Payload, RecordedEvent};
use skyndsam_domain::ids::*;
use skyndsam_domain::org::Role;
use skyndsam_domain::quality::commands::*;
use skyndsam_domain::quality::model::*;
use skyndsam_domain::quality::rules::Recommendation;
use skyndsam_domain::quality::stats::{self, QualityCounts, TrendMonth, Window};
use skyndsam_domain::quality::{ControlPlanState, Matter, QualityDeadline};
use skyndsam_store::security::AccessAction;
use skyndsam_store::StoreError;

use crate::app::{blocking, parse_json, AppState, Ctx, Json, JsonBody, RawJson};
use crate::error::ApiError;
use crate::routes::{spec as spec_of, CommandBody, RouteSpec, SchemaFn};
use crate::scope::{Access, View};
use views::*;

// ------------------------------------------------------------------ role gates

/// Staff who report and take part in quality matters (the scope and the domain narrow).
pub const QUALITY_STAFF: &[Role] = &[
    Role::Registrar,
    Role::Handler,
    Role::TeamLeader,
    Role::UnitManager,
    Role::AreaManager,
    Role::HeadOfAdministration,
    Role::QualityDeveloper,
    Role::SystemAdministrator,
];
/// Who reads quality matters: the staff above and the auditors (pseudonymised).
pub const QUALITY_READERS: &[Role] = &[
    Role::Registrar,
    Role::Handler,
    Role::TeamLeader,
    Role::UnitManager,
    Role::AreaManager,
    Role::HeadOfAdministration,
    Role::QualityDeveloper,
    Role::SystemAdministrator,
    Role::Auditor,
];
/// The risk register (internal control).
pub const RISK_ROLES: &[Role] =
    &[Role::UnitManager, Role::AreaManager, Role::HeadOfAdministration, Role::QualityDeveloper];
/// The control plan, its measures and its report to the board.
pub const PLAN_ROLES: &[Role] = &[Role::HeadOfAdministration, Role::QualityDeveloper];
/// Who defines user surveys.
pub const SURVEY_DEFINERS: &[Role] = &[Role::QualityDeveloper];
/// Who enters survey invitations and responses.
pub const SURVEY_ROLES: &[Role] = &[Role::UnitManager, Role::QualityDeveloper];
/// Who reads counts and trends (aggregates of their units).
pub const STATS_ROLES: &[Role] =
    &[Role::UnitManager, Role::AreaManager, Role::HeadOfAdministration, Role::QualityDeveloper, Role::Auditor];

const READ: Option<&str> = Some("quality:read");
const WRITE: Option<&str> = Some("quality:write");
const TAG: &str = "kvalitet";

fn schema<T: JsonSchema>(g: &mut SchemaGenerator) -> Schema {
    g.subschema_for::<T>()
}

// ------------------------------------------------------------------ request types

/// Report a deviation (avvikelse). The id is given by the server.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportDeviationRequest {
    /// The unit concerned: its manager investigates.
    pub unit: UnitId,
    /// The investigating manager; left out: the unit's manager.
    #[serde(default)]
    pub assignee: Option<StaffId>,
    pub occurred_on: NaiveDate,
    /// A code from the rule table's deviation categories.
    pub category: String,
    pub direction: DeviationDirection,
    /// The other administration or body (external deviations).
    #[serde(default)]
    pub external_body: Option<String>,
    /// Linked to a person's file (a case the reporter sees in full); left out: organisational.
    #[serde(default)]
    pub case: Option<CaseId>,
    /// What happened (what did not go well for the user).
    pub description: String,
    #[serde(default)]
    pub immediate_action: Option<String>,
    /// The reporter's reading of the risk matrix.
    #[serde(default)]
    pub risk: Option<RiskScore>,
}

/// Report a missförhållande or a risk of one (lex Sarah).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportLexSarahRequest {
    pub unit: UnitId,
    /// Who investigates; left out: the lex Sarah investigator nearest the unit.
    #[serde(default)]
    pub assignee: Option<StaffId>,
    pub occurred_on: NaiveDate,
    #[serde(default)]
    pub case: Option<CaseId>,
    pub description: String,
    #[serde(default)]
    pub immediate_action: Option<String>,
    #[serde(default)]
    pub risk: Option<RiskScore>,
}

/// Register a comment or complaint (synpunkt eller klagomål).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiveComplaintRequest {
    pub kind: ComplaintKind,
    pub source: ComplaintSource,
    pub subject: ComplaintSubject,
    pub received_on: NaiveDate,
    pub unit: UnitId,
    #[serde(default)]
    pub assignee: Option<StaffId>,
    #[serde(default)]
    pub case: Option<CaseId>,
    pub description: String,
    /// How to reach the sender (left out when anonymous).
    #[serde(default)]
    pub contact: Option<String>,
}

/// A risk for the register.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRiskRequest {
    pub title: String,
    pub description: String,
    pub process: String,
    #[serde(default)]
    pub unit: Option<UnitId>,
    /// probability × consequence, 1–4 each
    pub score: RiskScore,
}

/// A control moment (its number is given by the server).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ControlMomentRequest {
    pub risk: RiskId,
    pub control: String,
    pub method: String,
    pub owner: StaffId,
    pub due: NaiveDate,
}

impl ControlMomentRequest {
    fn into_moment(self) -> ControlMoment {
        ControlMoment {
            moment: 0,
            risk: self.risk,
            control: self.control,
            method: self.method,
            owner: self.owner,
            due: self.due,
        }
    }
}

/// The year's internal-control plan as the board adopted it.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdoptControlPlanRequest {
    pub year: i32,
    pub adopted_on: NaiveDate,
    /// The board's minute, e.g. "SN 2026-02-18 § 14".
    pub board_reference: String,
    pub moments: Vec<ControlMomentRequest>,
}

/// A user survey.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DefineSurveyRequest {
    pub name: String,
    pub units: Vec<UnitId>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Answers 1..=scale_max (10 for NKI).
    pub scale_max: u8,
    pub questions: Vec<SurveyQuestion>,
}

/// A measure with an owner and a due date (its number is given by the server).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MeasureRequest {
    pub description: String,
    pub owner: StaffId,
    pub due: NaiveDate,
}

impl MeasureRequest {
    fn into_measure(self) -> MeasureDecided {
        MeasureDecided { measure: 0, description: self.description, owner: self.owner, due: self.due }
    }
}

/// Hand a deviation on as lex Sarah (a new lex Sarah matter; the deviation keeps its history).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EscalateRequest {
    pub reason: String,
    /// The risk matrix's reading that makes it a possible missförhållande.
    pub risk: RiskScore,
    /// Who investigates; left out: the lex Sarah investigator nearest the unit.
    #[serde(default)]
    pub assignee: Option<StaffId>,
}

/// Survey responses as CSV: a header `enhet;kön;fråga 1;…;fråga N`, then one row per
/// response (`,` also accepted as separator).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CsvImportRequest {
    /// The file's name (kept as the responses' source).
    pub file_name: String,
    /// The file's content.
    pub csv: String,
}

// ------------------------------------------------------------------ responses

#[derive(Debug, Serialize, JsonSchema)]
pub struct MatterCreated {
    pub id: String,
    pub version: u32,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct MatterCommandResult {
    pub id: String,
    /// The matter's new version.
    pub version: u32,
    /// Journal sequence numbers of the events written.
    pub events: Vec<u64>,
    /// A matter the command opened (an escalation's lex Sarah matter).
    pub created: Option<String>,
}

/// Counts for a period and units (the annual quality report's and the tertial compilation's).
#[derive(Debug, Serialize, JsonSchema)]
pub struct QualityStats {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The units counted (the caller's, or the one asked for and those below it).
    pub units: Vec<UnitId>,
    pub counts: QualityCounts,
    /// AVV-6V: share of deviations investigated within six weeks, 0–1.
    pub avv_6v: Option<f64>,
}

/// One cell of the risk matrix.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RiskCell {
    pub severity: u8,
    pub probability: u8,
    pub value: u8,
    pub recommendation: Recommendation,
    pub recommendation_sv: String,
    /// The risk register's level: "låg", "medel", "hög".
    pub level_sv: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RiskMatrixView {
    pub severity_labels: Vec<String>,
    pub probability_labels: Vec<String>,
    pub cells: Vec<RiskCell>,
    /// The cell asked for (`severity`, `probability`).
    pub assessment: Option<RiskCell>,
}

// ------------------------------------------------------------------ commands on a matter

/// A command on an existing matter, without its id (added from the path).
#[derive(Debug, Clone)]
pub enum Built {
    Deviation(DeviationCommand),
    LexSarah(LexSarahCommand),
    Complaint(ComplaintCommand),
    Risk(RiskCommand),
    ControlPlan(ControlPlanCommand),
    Survey(SurveyCommand),
}

impl Built {
    pub fn into_command(self, id: uuid::Uuid) -> QualityCommand {
        match self {
            Self::Deviation(c) => QualityCommand::Deviation(DeviationId(id), c),
            Self::LexSarah(c) => QualityCommand::LexSarah(LexSarahId(id), c),
            Self::Complaint(c) => QualityCommand::Complaint(ComplaintId(id), c),
            Self::Risk(c) => QualityCommand::Risk(RiskId(id), c),
            Self::ControlPlan(c) => QualityCommand::ControlPlan(ControlPlanId(id), c),
            Self::Survey(c) => QualityCommand::Survey(SurveyId(id), c),
        }
    }
}

pub type MatterParse = fn(&[u8]) -> Result<Built, ApiError>;

/// One command route on a matter: `POST /api/<kind>/{id}/<slug>`.
pub struct MatterRoute {
    pub kind: MatterKind,
    pub slug: &'static str,
    pub summary: &'static str,
    pub roles: &'static [Role],
    pub schema: SchemaFn,
    pub parse: MatterParse,
}

macro_rules! matter_routes {
    ($( $kind:ident $slug:literal $payload:ty, $roles:expr, $summary:literal => |$p:ident| $build:expr; )*) => {
        pub const MATTER_ROUTES: &[MatterRoute] = &[ $(
            MatterRoute {
                kind: MatterKind::$kind,
                slug: $slug,
                summary: $summary,
                roles: $roles,
                schema: schema::<CommandBody<$payload>>,
                parse: |b| {
                    let body: CommandBody<$payload> = parse_json(b)?;
                    let $p = body.data;
                    Ok($build)
                },
            },
        )* ];
    };
}

use Built as B;
use DeviationCommand as D;
use LexSarahCommand as L;
use MatterCommand as M;

matter_routes! {
    Deviation "investigation" DeviationInvestigated, QUALITY_STAFF, "Utreda avvikelsen (händelseförlopp, felhändelser, orsaker, åtgärder)" => |p| B::Deviation(D::Investigate(p));
    Deviation "measures" MeasureRequest, QUALITY_STAFF, "Besluta om åtgärd med ansvarig och datum" => |p| B::Deviation(D::Matter(M::DecideMeasure(p.into_measure())));
    Deviation "measure-completion" MeasureCompleted, QUALITY_STAFF, "Markera en åtgärd som genomförd" => |p| B::Deviation(D::Matter(M::CompleteMeasure(p)));
    Deviation "follow-up-plan" FollowUpPlanned, QUALITY_STAFF, "Planera uppföljning av åtgärdernas effekt" => |p| B::Deviation(D::Matter(M::PlanFollowUp(p)));
    Deviation "follow-ups" FollowUpRecorded, QUALITY_STAFF, "Följa upp åtgärdernas effekt" => |p| B::Deviation(D::Matter(M::FollowUp(p)));
    Deviation "feedback" FeedbackGiven, QUALITY_STAFF, "Återkoppla till den som rapporterade" => |p| B::Deviation(D::Feedback(p));
    Deviation "forwarding" DeviationForwarded, QUALITY_STAFF, "Skicka en extern avvikelse vidare till den förvaltning eller aktör som utreder den" => |p| B::Deviation(D::Forward(p));
    Deviation "external-answer" ExternalAnswerReceived, QUALITY_STAFF, "Registrera svar från annan förvaltning eller aktör" => |p| B::Deviation(D::ExternalAnswer(p));
    Deviation "lock" MatterLocked, QUALITY_STAFF, "Avsluta och låsa avvikelsen" => |p| B::Deviation(D::Lock(p));
    Deviation "escalation" EscalateRequest, QUALITY_STAFF, "Lyfta avvikelsen till lex Sarah (historiken behålls)" => |p| B::Deviation(D::Escalate { lex_sarah: LexSarahId(uuid::Uuid::nil()), reason: p.reason, risk: p.risk, assignee: p.assignee });
    Deviation "notes" QualityNoteWritten, QUALITY_STAFF, "Skriva ett tillägg (även efter låsning)" => |p| B::Deviation(D::Matter(M::Note(p)));
    Deviation "assignment" MatterAssigned, QUALITY_STAFF, "Flytta ansvaret för utredningen" => |p| B::Deviation(D::Matter(M::Assign(p)));
    LexSarah "investigation" LexSarahInvestigated, QUALITY_STAFF, "Utreda lex Sarah-rapporten (enligt SKR:s mall)" => |p| B::LexSarah(L::Investigate(p));
    LexSarah "classification" LexSarahClassified, QUALITY_STAFF, "Bedöma om det är ett missförhållande" => |p| B::LexSarah(L::Classify(p));
    LexSarah "ivo-report" LexSarahReportedToIvo, QUALITY_STAFF, "Registrera anmälan till IVO" => |p| B::LexSarah(L::ReportToIvo(p));
    LexSarah "close" MatterLocked, QUALITY_STAFF, "Avsluta lex Sarah-ärendet" => |p| B::LexSarah(L::Close(p));
    LexSarah "measures" MeasureRequest, QUALITY_STAFF, "Besluta om åtgärd med ansvarig och datum" => |p| B::LexSarah(L::Matter(M::DecideMeasure(p.into_measure())));
    LexSarah "measure-completion" MeasureCompleted, QUALITY_STAFF, "Markera en åtgärd som genomförd" => |p| B::LexSarah(L::Matter(M::CompleteMeasure(p)));
    LexSarah "follow-up-plan" FollowUpPlanned, QUALITY_STAFF, "Planera uppföljning av åtgärdernas effekt" => |p| B::LexSarah(L::Matter(M::PlanFollowUp(p)));
    LexSarah "follow-ups" FollowUpRecorded, QUALITY_STAFF, "Följa upp åtgärdernas effekt" => |p| B::LexSarah(L::Matter(M::FollowUp(p)));
    LexSarah "notes" QualityNoteWritten, QUALITY_STAFF, "Skriva ett tillägg" => |p| B::LexSarah(L::Matter(M::Note(p)));
    LexSarah "assignment" MatterAssigned, QUALITY_STAFF, "Flytta ansvaret för utredningen" => |p| B::LexSarah(L::Matter(M::Assign(p)));
    Complaint "contact" ComplaintContacted, QUALITY_STAFF, "Registrera kontakt med den som lämnat synpunkten" => |p| B::Complaint(ComplaintCommand::Contact(p));
    Complaint "answer" ComplaintAnswered, QUALITY_STAFF, "Besvara synpunkten" => |p| B::Complaint(ComplaintCommand::Answer(p));
    Complaint "close" MatterLocked, QUALITY_STAFF, "Avsluta synpunkten" => |p| B::Complaint(ComplaintCommand::Close(p));
    Complaint "measures" MeasureRequest, QUALITY_STAFF, "Besluta om åtgärd med ansvarig och datum" => |p| B::Complaint(ComplaintCommand::Matter(M::DecideMeasure(p.into_measure())));
    Complaint "measure-completion" MeasureCompleted, QUALITY_STAFF, "Markera en åtgärd som genomförd" => |p| B::Complaint(ComplaintCommand::Matter(M::CompleteMeasure(p)));
    Complaint "follow-up-plan" FollowUpPlanned, QUALITY_STAFF, "Planera uppföljning" => |p| B::Complaint(ComplaintCommand::Matter(M::PlanFollowUp(p)));
    Complaint "follow-ups" FollowUpRecorded, QUALITY_STAFF, "Följa upp åtgärdernas effekt" => |p| B::Complaint(ComplaintCommand::Matter(M::FollowUp(p)));
    Complaint "notes" QualityNoteWritten, QUALITY_STAFF, "Skriva ett tillägg" => |p| B::Complaint(ComplaintCommand::Matter(M::Note(p)));
    Complaint "assignment" MatterAssigned, QUALITY_STAFF, "Flytta ansvaret för synpunkten" => |p| B::Complaint(ComplaintCommand::Matter(M::Assign(p)));
    Risk "reassessment" RiskReassessed, RISK_ROLES, "Omvärdera risken" => |p| B::Risk(RiskCommand::Reassess(p));
    Risk "retirement" RiskRetired, RISK_ROLES, "Avföra risken ur registret" => |p| B::Risk(RiskCommand::Retire(p));
    ControlPlan "moments" ControlMomentRequest, PLAN_ROLES, "Lägga till ett kontrollmoment" => |p| B::ControlPlan(ControlPlanCommand::AddMoment(ControlMomentAdded { moment: p.into_moment() }));
    ControlPlan "results" ControlResultRecorded, QUALITY_STAFF, "Föra in ett kontrollresultat" => |p| B::ControlPlan(ControlPlanCommand::RecordResult(p));
    ControlPlan "measures" MeasureRequest, PLAN_ROLES, "Besluta om åtgärd i internkontrollen" => |p| B::ControlPlan(ControlPlanCommand::DecideMeasure(p.into_measure()));
    ControlPlan "measure-completion" MeasureCompleted, QUALITY_STAFF, "Markera en åtgärd som genomförd" => |p| B::ControlPlan(ControlPlanCommand::CompleteMeasure(p));
    ControlPlan "report" ControlReportSubmitted, PLAN_ROLES, "Rapportera internkontrollen till nämnden" => |p| B::ControlPlan(ControlPlanCommand::SubmitReport(p));
    Survey "invitations" SurveyInvitationsRecorded, SURVEY_ROLES, "Föra in antalet tillfrågade per enhet och kön" => |p| B::Survey(SurveyCommand::RecordInvitations(p));
    Survey "responses" SurveyResponsesRecorded, SURVEY_ROLES, "Föra in svar" => |p| B::Survey(SurveyCommand::RecordResponses(p));
}

// ------------------------------------------------------------------ the table

/// The path segment of a kind's routes.
pub fn base(kind: MatterKind) -> &'static str {
    match kind {
        MatterKind::Deviation => "deviations",
        MatterKind::LexSarah => "lex-sarah",
        MatterKind::Complaint => "complaints",
        MatterKind::Risk => "risks",
        MatterKind::ControlPlan => "control-plans",
        MatterKind::Survey => "surveys",
        MatterKind::FileAudit => "file-audits",
    }
}

/// The operation-id stem of a kind.
fn op_stem(kind: MatterKind) -> &'static str {
    match kind {
        MatterKind::Deviation => "deviation",
        MatterKind::LexSarah => "lex_sarah",
        MatterKind::Complaint => "complaint",
        MatterKind::Risk => "risk",
        MatterKind::ControlPlan => "control_plan",
        MatterKind::Survey => "survey",
        MatterKind::FileAudit => "file_audit",
    }
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

const LIST_QUERY: &[(&str, &str, bool)] = &[
    ("status", "Bara ärenden med den här statuskoden (t.ex. reported, under_investigation)", false),
    ("unit", "Bara den här enheten", false),
    ("mine", "true: bara ärenden där jag har en del (rapporterat, ansvarar, äger en åtgärd)", false),
    ("open", "true: bara pågående; false: bara avslutade", false),
];
const STATS_QUERY: &[(&str, &str, bool)] = &[
    ("from", "Från och med datum (ÅÅÅÅ-MM-DD; standard 1 januari i år)", false),
    ("to", "Till och med datum (ÅÅÅÅ-MM-DD; standard i dag)", false),
    ("unit", "Den här enheten och enheterna under den (standard: alla mina)", false),
];

type Handler = MethodRouter<AppState>;

/// Every quality route with its handler (appended to the API's table).
pub fn routes() -> Vec<(RouteSpec, Handler)> {
    use Method as G;
    let mut v: Vec<(RouteSpec, Handler)> = Vec::new();
    let kinds = [
        (MatterKind::Deviation, "avvikelse", "avvikelser"),
        (MatterKind::LexSarah, "lex Sarah-ärende", "lex Sarah-ärenden"),
        (MatterKind::Complaint, "synpunkt eller klagomål", "synpunkter och klagomål"),
        (MatterKind::Risk, "risk", "riskregistret"),
        (MatterKind::ControlPlan, "internkontrollplan", "internkontrollplaner"),
        (MatterKind::Survey, "brukarundersökning", "brukarundersökningar"),
    ];
    for (kind, one, many) in kinds {
        let b = base(kind);
        let stem = op_stem(kind);
        let list_op = match kind {
            MatterKind::LexSarah => "list_lex_sarah".to_owned(),
            _ => format!("list_{stem}s"),
        };
        let mut list = spec_of(
            G::GET,
            leak(format!("/api/{b}")),
            &list_op,
            &format!("Lista {many} jag får se"),
            TAG,
            QUALITY_READERS,
            READ,
            None,
            Some(list_schema(kind)),
            200,
        );
        if kind.has_handling() {
            list.query = LIST_QUERY;
        }
        v.push((
            list,
            on(MethodFilter::GET, move |ctx: Ctx, Query(q): Query<ListQuery>| async move {
                list_matters(ctx, kind, q).await
            }),
        ));
        v.push((
            spec_of(
                G::GET,
                leak(format!("/api/{b}/{{id}}")),
                &format!("get_{stem}"),
                &format!("En {one} med tidslinje och frister (läsning av ett kopplat ärende loggas)"),
                TAG,
                QUALITY_READERS,
                READ,
                None,
                Some(schema::<MatterDetail>),
                200,
            ),
            on(MethodFilter::GET, move |ctx: Ctx, Path(id): Path<String>| async move {
                let d = read_matter(&ctx, kind, &id).await?;
                Ok::<_, ApiError>(Json(d))
            }),
        ));
    }
    v.push(create(
        "/api/deviations",
        "report_deviation",
        "Rapportera en avvikelse (intern eller extern, kopplad till ett ärende eller organisatorisk)",
        QUALITY_STAFF,
        schema::<ReportDeviationRequest>,
        on(MethodFilter::POST, |ctx: Ctx, JsonBody(r): JsonBody<ReportDeviationRequest>| async move {
            created(report_deviation(&ctx, r).await)
        }),
    ));
    v.push(create(
        "/api/lex-sarah",
        "report_lex_sarah",
        "Rapportera ett missförhållande eller en risk för missförhållande (lex Sarah)",
        QUALITY_STAFF,
        schema::<ReportLexSarahRequest>,
        on(MethodFilter::POST, |ctx: Ctx, JsonBody(r): JsonBody<ReportLexSarahRequest>| async move {
            created(report_lex_sarah(&ctx, r).await)
        }),
    ));
    v.push(create(
        "/api/complaints",
        "receive_complaint",
        "Registrera en synpunkt eller ett klagomål",
        QUALITY_STAFF,
        schema::<ReceiveComplaintRequest>,
        on(MethodFilter::POST, |ctx: Ctx, JsonBody(r): JsonBody<ReceiveComplaintRequest>| async move {
            created(receive_complaint(&ctx, r).await)
        }),
    ));
    v.push(create(
        "/api/risks",
        "register_risk",
        "Föra in en risk i riskregistret (sannolikhet × konsekvens)",
        RISK_ROLES,
        schema::<RegisterRiskRequest>,
        on(MethodFilter::POST, |ctx: Ctx, JsonBody(r): JsonBody<RegisterRiskRequest>| async move {
            created(register_risk(&ctx, r).await)
        }),
    ));
    v.push(create(
        "/api/control-plans",
        "adopt_control_plan",
        "Föra in årets internkontrollplan",
        PLAN_ROLES,
        schema::<AdoptControlPlanRequest>,
        on(MethodFilter::POST, |ctx: Ctx, JsonBody(r): JsonBody<AdoptControlPlanRequest>| async move {
            created(adopt_plan(&ctx, r).await)
        }),
    ));
    v.push(create(
        "/api/surveys",
        "define_survey",
        "Lägga upp en brukarundersökning",
        SURVEY_DEFINERS,
        schema::<DefineSurveyRequest>,
        on(MethodFilter::POST, |ctx: Ctx, JsonBody(r): JsonBody<DefineSurveyRequest>| async move {
            created(define_survey(&ctx, r).await)
        }),
    ));
    for r in MATTER_ROUTES {
        let (kind, parse) = (r.kind, r.parse);
        v.push((
            spec_of(
                G::POST,
                leak(format!("/api/{}/{{id}}/{}", base(kind), r.slug)),
                &format!("{}_{}", op_stem(kind), r.slug.replace('-', "_")),
                r.summary,
                TAG,
                r.roles,
                WRITE,
                Some(r.schema),
                Some(schema::<MatterCommandResult>),
                200,
            ),
            on(MethodFilter::POST, move |ctx: Ctx, Path(id): Path<String>, RawJson(body): RawJson| async move {
                matter_command(ctx, kind, id, &body, parse).await
            }),
        ));
    }
    v.push((
        spec_of(
            G::POST,
            "/api/surveys/{id}/responses-csv",
            "survey_responses_csv",
            "Importera svar från CSV (en rad per svar; ett fel på någon rad: inget förs in)",
            TAG,
            SURVEY_ROLES,
            WRITE,
            Some(schema::<CommandBody<CsvImportRequest>>),
            Some(schema::<MatterCommandResult>),
            200,
        ),
        on(MethodFilter::POST, |ctx: Ctx, Path(id): Path<String>, RawJson(body): RawJson| async move {
            import_csv(ctx, id, &body).await
        }),
    ));
    let mut stats_spec = spec_of(
        G::GET,
        "/api/quality/stats",
        "quality_stats",
        "Kvalitetsstatistik för en period: avvikelser per enhet och kategori, öppna/avslutade, lex Sarah per bedömning, synpunkter per källa och ämne, internkontroll",
        TAG,
        STATS_ROLES,
        READ,
        None,
        Some(schema::<QualityStats>),
        200,
    );
    stats_spec.query = STATS_QUERY;
    v.push((
        stats_spec,
        on(MethodFilter::GET, |ctx: Ctx, Query(q): Query<StatsQuery>| async move { quality_stats(ctx, q) }),
    ));
    let mut trend_spec = spec_of(
        G::GET,
        "/api/quality/trend",
        "quality_trend",
        "Trender månad för månad: avvikelser, lex Sarah, synpunkter, internkontrollens anmärkningar, egenkontrollen (andel Ja, antal Nej) och aktgranskningarna per kategori och enhet",
        TAG,
        STATS_ROLES,
        READ,
        None,
        Some(schema::<Vec<TrendMonth>>),
        200,
    );
    trend_spec.query = STATS_QUERY;
    v.push((trend_spec, on(MethodFilter::GET, |ctx: Ctx, Query(q): Query<StatsQuery>| quality_trend(ctx, q))));
    let mut matrix_spec = spec_of(
        G::GET,
        "/api/quality/risk-matrix",
        "risk_matrix",
        "Riskmatrisen (allvarlighetsgrad × sannolikhet) och dess rekommendation: avvikelse eller lex Sarah",
        TAG,
        QUALITY_READERS,
        READ,
        None,
        Some(schema::<RiskMatrixView>),
        200,
    );
    matrix_spec.query = &[("severity", "Allvarlighetsgrad 1–4", false), ("probability", "Sannolikhet 1–4", false)];
    v.push((
        matrix_spec,
        on(MethodFilter::GET, |ctx: Ctx, Query(q): Query<MatrixQuery>| async move { risk_matrix(ctx, q) }),
    ));
    let mut book_spec = spec_of(
        G::GET,
        "/api/quality/deadlines",
        "quality_deadlines",
        "Bevakningslistan för kvalitetsärenden: avvikelsers sex veckor, anmälan till IVO, svar på synpunkter, åtgärder, uppföljningar, kontrollmoment",
        TAG,
        QUALITY_READERS,
        READ,
        None,
        Some(schema::<Vec<QualityDeadlineView>>),
        200,
    );
    book_spec.query = &[("mine", "true: bara frister jag äger", false)];
    v.push((
        book_spec,
        on(MethodFilter::GET, |ctx: Ctx, Query(q): Query<BookQuery>| async move {
            Ok::<_, ApiError>(Json(deadline_rows(&ctx, |d, _| {
                q.mine != Some(true) || d.owner.as_ref() == Some(&ctx.actor.staff)
            })))
        }),
    ));
    v
}

fn create(
    path: &'static str,
    op: &str,
    summary: &str,
    roles: &'static [Role],
    body: SchemaFn,
    handler: Handler,
) -> (RouteSpec, Handler) {
    (
        spec_of(Method::POST, path, op, summary, TAG, roles, WRITE, Some(body), Some(schema::<MatterCreated>), 201),
        handler,
    )
}

fn created(r: Result<MatterCreated, ApiError>) -> Result<(StatusCode, Json<MatterCreated>), ApiError> {
    r.map(|c| (StatusCode::CREATED, Json(c)))
}

impl MatterKind {
    /// Deviations, lex Sarah and complaints: matters with a handler, measures and a lock.
    pub fn has_handling(self) -> bool {
        matches!(self, Self::Deviation | Self::LexSarah | Self::Complaint)
    }
}

fn list_schema(kind: MatterKind) -> SchemaFn {
    match kind {
        MatterKind::Deviation | MatterKind::LexSarah | MatterKind::Complaint => schema::<Vec<MatterSummary>>,
        MatterKind::Risk => schema::<Vec<RiskView>>,
        MatterKind::ControlPlan => schema::<Vec<ControlPlanState>>,
        MatterKind::Survey => schema::<Vec<SurveySummary>>,
        MatterKind::FileAudit => schema::<Vec<MatterSummary>>,
    }
}

// ------------------------------------------------------------------ access

/// The matter behind a kind and an id from a path (not found for a malformed id).
pub fn stream_of(kind: MatterKind, id: &str) -> Result<(uuid::Uuid, String), ApiError> {
    let id = uuid::Uuid::parse_str(id).map_err(|_| ApiError::not_found())?;
    Ok((id, format!("{}/{id}", kind.prefix())))
}

/// The caller's access to a matter: not found (and logged as refused if it exists but is
/// outside the scope) unless visible.
pub(crate) async fn access_to(ctx: &Ctx, stream: &str) -> Result<Access, ApiError> {
    let found = {
        let p = ctx.app.store.projections();
        p.matter(stream).map(|m| ctx.scope.matter_access(m))
    };
    match found {
        None => Err(ApiError::not_found()),
        Some(None) => Err(ctx.refuse_out_of_scope(format!("kvalitetsärende {stream}")).await),
        Some(Some(a)) => Ok(a),
    }
}

/// A matter the caller may act in: visible in full.
pub(crate) async fn writable_matter(ctx: &Ctx, stream: &str) -> Result<(), ApiError> {
    let a = access_to(ctx, stream).await?;
    if a.view != View::Full {
        return Err(ctx.refuse_out_of_scope(format!("kvalitetsärende {stream} (skrivning)")).await);
    }
    Ok(())
}

/// A case linked to a new matter must be one the caller sees in full.
async fn linkable(ctx: &Ctx, case: Option<CaseId>) -> Result<(), ApiError> {
    match case {
        Some(c) => crate::routes::writable(ctx, c).await.map_err(|e| e.field("case")),
        None => Ok(()),
    }
}

/// Reads a matter as the caller may see it; a read of a matter linked to a case is logged
/// (durably, before it is returned) as a read of that case's child.
pub(crate) async fn read_matter(ctx: &Ctx, kind: MatterKind, id: &str) -> Result<MatterDetail, ApiError> {
    let (_, stream) = stream_of(kind, id)?;
    let access = access_to(ctx, &stream).await?;
    let store = ctx.app.store.clone();
    let s2 = stream.clone();
    let events = blocking(move || Ok(store.read_stream(&s2)?)).await?;
    let (detail, log) = {
        let p = ctx.app.store.projections();
        let m = p.matter(&stream).ok_or_else(ApiError::not_found)?;
        let case = m.handling().and_then(|h| h.case).and_then(|c| p.case(&c));
        let words =
            case.map(|c| crate::views::scrub_words(&p, c, &access, ctx.scope.see_protected)).unwrap_or_default();
        let mut d = detail(m, &events, &access, &words, p.rules(), &p.org, local_date(ctx.now));
        if access.view == View::Full && matches!(m, Matter::Deviation(_)) {
            d.feedback_notice = ctx.app.notices.get(&stream);
        }
        let log = case.map(|c| ctx.access_entry(c.child, Some(c.case), AccessAction::ReadCase, &access));
        (d, log)
    };
    if let Some(e) = log {
        ctx.log_reads(vec![e]).await?;
    }
    Ok(detail)
}

// ------------------------------------------------------------------ lists

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub status: Option<String>,
    pub unit: Option<UnitId>,
    pub mine: Option<bool>,
    pub open: Option<bool>,
}

async fn list_matters(ctx: Ctx, kind: MatterKind, q: ListQuery) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    let p = ctx.app.store.projections();
    let today = local_date(ctx.now);
    let mine = |m: &Matter| match m {
        Matter::ControlPlan(pl) => {
            pl.moments.iter().any(|x| x.moment.owner == ctx.actor.staff)
                || pl.measures.iter().any(|x| x.owner == ctx.actor.staff)
        }
        _ => m.handling().is_some_and(|h| h.involves(&ctx.actor.staff)),
    };
    let visible = ctx
        .scope
        .matters(&p)
        .into_iter()
        .filter(|(m, _)| MatterKind::of(m) == kind)
        .filter(|(m, _)| q.mine != Some(true) || mine(m));
    Ok(match kind {
        MatterKind::Deviation | MatterKind::LexSarah | MatterKind::Complaint | MatterKind::FileAudit => {
            let mut rows: Vec<MatterSummary> = visible
                .filter_map(|(m, a)| summary(m, &a, p.rules(), today))
                .filter(|s| q.status.as_deref().is_none_or(|x| x == s.status))
                .filter(|s| q.unit.as_ref().is_none_or(|u| *u == s.unit))
                .filter(|s| q.open.is_none_or(|o| o == s.open))
                .collect();
            rows.sort_by(|a, b| b.reported_on.cmp(&a.reported_on).then_with(|| a.id.cmp(&b.id)));
            Json(rows).into_response()
        }
        MatterKind::Risk => {
            let mut rows: Vec<RiskView> = visible
                .filter_map(|(m, _)| match m {
                    Matter::Risk(r) => Some(risk_view(r, &p.rules().quality)),
                    _ => None,
                })
                .collect();
            rows.sort_by(|a, b| b.value.cmp(&a.value).then_with(|| a.title.cmp(&b.title)));
            Json(rows).into_response()
        }
        MatterKind::ControlPlan => {
            let mut rows: Vec<ControlPlanState> = visible
                .filter_map(|(m, _)| match m {
                    Matter::ControlPlan(x) => Some(x.clone()),
                    _ => None,
                })
                .collect();
            rows.sort_by(|a, b| b.year.cmp(&a.year).then_with(|| a.adopted_on.cmp(&b.adopted_on)));
            Json(rows).into_response()
        }
        MatterKind::Survey => {
            let mut rows: Vec<SurveySummary> = visible
                .filter_map(|(m, _)| match m {
                    Matter::Survey(s) => Some(survey_summary(s)),
                    _ => None,
                })
                .collect();
            rows.sort_by(|a, b| b.from.cmp(&a.from).then_with(|| a.name.cmp(&b.name)));
            Json(rows).into_response()
        }
    })
}

// ------------------------------------------------------------------ commands

/// Runs a quality command as the caller (off the async threads).
pub(crate) async fn execute(ctx: &Ctx, cmd: QualityCommand, seen: Option<u32>) -> Result<Vec<RecordedEvent>, ApiError> {
    let store = ctx.app.store.clone();
    let (actor, now) = (ctx.actor.clone(), ctx.now);
    let events = blocking(move || Ok(store.execute_quality(&cmd, seen, &actor, now)?)).await?;
    // Committed: now the notices (decision 0014), which never undo or hold up the act.
    for e in &events {
        if let Payload::FeedbackGiven(_) = &e.payload {
            let p = ctx.app.store.projections();
            let reporter = match p.matter(&e.stream) {
                Some(Matter::Deviation(d)) if d.has_human_reporter() => Some((d.id, d.handling.reported_by.clone())),
                _ => None,
            };
            drop(p);
            if let Some((id, by)) = reporter {
                crate::mail::notify_feedback(&ctx.app, id, by);
            }
        }
    }
    Ok(events)
}

fn version_in(events: &[RecordedEvent], stream: &str) -> u32 {
    events.iter().filter(|e| e.stream == stream).map(|e| e.version).max().unwrap_or(1)
}

/// The body's `expected_version` only (the data is judged after the version).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope {
    expected_version: u32,
    #[allow(dead_code)]
    data: serde::de::IgnoredAny,
}

/// The version check before the body is judged: a stale caller is told to read again.
pub(crate) fn check_version(ctx: &Ctx, stream: &str, expected: u32) -> Result<(), ApiError> {
    let current = ctx.app.store.projections().matter(stream).map(|m| m.version()).ok_or_else(ApiError::not_found)?;
    if current != expected {
        return Err(StoreError::Conflict { stream: stream.to_owned(), actual: current }.into());
    }
    Ok(())
}

/// A command on a matter: access first (someone outside learns nothing, not even how the
/// body is judged), then the version, then the body, then the domain.
async fn matter_command(
    ctx: Ctx,
    kind: MatterKind,
    id: String,
    body: &[u8],
    parse: MatterParse,
) -> Result<Json<MatterCommandResult>, ApiError> {
    let (uuid, stream) = stream_of(kind, &id)?;
    writable_matter(&ctx, &stream).await?;
    let env: Envelope = parse_json(body)?;
    check_version(&ctx, &stream, env.expected_version)?;
    let built = parse(body)?;
    Ok(Json(run_built(&ctx, uuid, &stream, built, env.expected_version).await?))
}

/// Runs a parsed command on a matter (the API's and the web UI's forms).
pub(crate) async fn run_built(
    ctx: &Ctx,
    uuid: uuid::Uuid,
    stream: &str,
    mut built: Built,
    expected: u32,
) -> Result<MatterCommandResult, ApiError> {
    let mut created = None;
    if let Built::Deviation(DeviationCommand::Escalate { lex_sarah, .. }) = &mut built {
        *lex_sarah = LexSarahId(uuid::Uuid::new_v4());
        created = Some(lex_sarah.to_string());
    }
    let events = execute(ctx, built.into_command(uuid), Some(expected)).await?;
    Ok(MatterCommandResult {
        id: uuid.to_string(),
        version: version_in(&events, stream),
        events: events.iter().map(|e| e.seq).collect(),
        created,
    })
}

/// Opens a new matter.
async fn open(ctx: &Ctx, id: uuid::Uuid, stream: String, cmd: QualityCommand) -> Result<MatterCreated, ApiError> {
    let events = execute(ctx, cmd, None).await?;
    Ok(MatterCreated { id: id.to_string(), version: version_in(&events, &stream) })
}

pub(crate) async fn report_deviation(ctx: &Ctx, r: ReportDeviationRequest) -> Result<MatterCreated, ApiError> {
    linkable(ctx, r.case).await?;
    let id = DeviationId(uuid::Uuid::new_v4());
    let cmd = QualityCommand::ReportDeviation(DeviationReported {
        deviation: id,
        unit: r.unit,
        assignee: r.assignee,
        occurred_on: r.occurred_on,
        category: r.category,
        direction: r.direction,
        external_body: r.external_body,
        case: r.case,
        description: r.description,
        immediate_action: r.immediate_action,
        source: DeviationSource::Staff,
        risk: r.risk,
    });
    open(ctx, id.0, id.stream(), cmd).await
}

pub(crate) async fn report_lex_sarah(ctx: &Ctx, r: ReportLexSarahRequest) -> Result<MatterCreated, ApiError> {
    linkable(ctx, r.case).await?;
    let id = LexSarahId(uuid::Uuid::new_v4());
    let cmd = QualityCommand::ReportLexSarah(LexSarahReported {
        lex_sarah: id,
        unit: r.unit,
        assignee: r.assignee,
        occurred_on: r.occurred_on,
        case: r.case,
        description: r.description,
        immediate_action: r.immediate_action,
        from_deviation: None,
        risk: r.risk,
    });
    open(ctx, id.0, id.stream(), cmd).await
}

pub(crate) async fn receive_complaint(ctx: &Ctx, r: ReceiveComplaintRequest) -> Result<MatterCreated, ApiError> {
    linkable(ctx, r.case).await?;
    let id = ComplaintId(uuid::Uuid::new_v4());
    let cmd = QualityCommand::ReceiveComplaint(ComplaintReceived {
        complaint: id,
        kind: r.kind,
        source: r.source,
        subject: r.subject,
        received_on: r.received_on,
        unit: r.unit,
        assignee: r.assignee,
        case: r.case,
        description: r.description,
        contact: r.contact,
    });
    open(ctx, id.0, id.stream(), cmd).await
}

pub(crate) async fn register_risk(ctx: &Ctx, r: RegisterRiskRequest) -> Result<MatterCreated, ApiError> {
    let id = RiskId(uuid::Uuid::new_v4());
    let cmd = QualityCommand::RegisterRisk(RiskRegistered {
        risk: id,
        title: r.title,
        description: r.description,
        process: r.process,
        unit: r.unit,
        score: r.score,
    });
    open(ctx, id.0, id.stream(), cmd).await
}

pub(crate) async fn adopt_plan(ctx: &Ctx, r: AdoptControlPlanRequest) -> Result<MatterCreated, ApiError> {
    let id = ControlPlanId(uuid::Uuid::new_v4());
    let cmd = QualityCommand::AdoptControlPlan(ControlPlanAdopted {
        plan: id,
        year: r.year,
        adopted_on: r.adopted_on,
        board_reference: r.board_reference,
        moments: r.moments.into_iter().map(ControlMomentRequest::into_moment).collect(),
    });
    open(ctx, id.0, id.stream(), cmd).await
}

pub(crate) async fn define_survey(ctx: &Ctx, r: DefineSurveyRequest) -> Result<MatterCreated, ApiError> {
    let id = SurveyId(uuid::Uuid::new_v4());
    let cmd = QualityCommand::DefineSurvey(SurveyDefined {
        survey: id,
        name: r.name,
        units: r.units,
        from: r.from,
        to: r.to,
        scale_max: r.scale_max,
        questions: r.questions,
    });
    open(ctx, id.0, id.stream(), cmd).await
}

/// Survey responses from CSV: every row checked first, with its row number; one bad row
/// and nothing is written.
async fn import_csv(ctx: Ctx, id: String, body: &[u8]) -> Result<Json<MatterCommandResult>, ApiError> {
    let (uuid, stream) = stream_of(MatterKind::Survey, &id)?;
    writable_matter(&ctx, &stream).await?;
    let env: Envelope = parse_json(body)?;
    check_version(&ctx, &stream, env.expected_version)?;
    let req: CommandBody<CsvImportRequest> = parse_json(body)?;
    let built = csv_command(&ctx, &stream, &req.data).map_err(|errors| csv::api_error(&errors))?;
    Ok(Json(run_built(&ctx, uuid, &stream, built, env.expected_version).await?))
}

/// Parses an import for a survey the caller may enter responses in.
pub(crate) fn csv_command(ctx: &Ctx, stream: &str, req: &CsvImportRequest) -> Result<Built, Vec<String>> {
    let p = ctx.app.store.projections();
    let Some(Matter::Survey(s)) = p.matter(stream) else {
        return Err(vec!["Brukarundersökningen hittades inte.".to_owned()]);
    };
    let quality = ctx.actor.role == Role::QualityDeveloper;
    let allowed =
        |u: &UnitId| quality || skyndsam_domain::quality::commands::covers(&p.org, ctx.actor.unit.as_ref(), u);
    let name = req.file_name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(vec!["Ange filens namn (högst 200 tecken).".to_owned()]);
    }
    let responses = csv::parse_responses(&req.csv, s, allowed)?;
    Ok(Built::Survey(SurveyCommand::RecordResponses(SurveyResponsesRecorded { responses, source: name.to_owned() })))
}

// ------------------------------------------------------------------ counts, trends, matrix, clocks

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct StatsQuery {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub unit: Option<UnitId>,
}

/// The period and the units a stats query covers: the caller's units, or the asked one
/// and those below it (only within the caller's).
pub(crate) fn stats_window(ctx: &Ctx, q: &StatsQuery) -> Result<(NaiveDate, NaiveDate, Vec<UnitId>), ApiError> {
    let today = local_date(ctx.now);
    let to = q.to.unwrap_or(today);
    let from = q.from.unwrap_or_else(|| NaiveDate::from_ymd_opt(to.year(), 1, 1).unwrap_or(to));
    if from > to {
        return Err(ApiError::bad_input("from", "Startdatumet ligger efter slutdatumet."));
    }
    if (to - from).num_days() > 366 * 10 {
        return Err(ApiError::bad_input("from", "Perioden får vara högst tio år."));
    }
    let mine = ctx.scope.book_units();
    let units = match &q.unit {
        None => mine,
        Some(u) if mine.contains(u) => {
            let p = ctx.app.store.projections();
            p.org.subtree(u).into_iter().filter(|x| mine.contains(x)).collect()
        }
        Some(_) => return Err(ApiError::not_found()),
    };
    Ok((from, to, units))
}

fn quality_stats(ctx: Ctx, q: StatsQuery) -> Result<Json<QualityStats>, ApiError> {
    let (from, to, units) = stats_window(&ctx, &q)?;
    let p = ctx.app.store.projections();
    let counts = stats::counts(p.matters(), Window { from, to, units: Some(&units) }, p.rules());
    let avv_6v = counts.avv_6v();
    Ok(Json(QualityStats { from, to, units, counts, avv_6v }))
}

async fn quality_trend(ctx: Ctx, q: StatsQuery) -> Result<Json<Vec<TrendMonth>>, ApiError> {
    let (from, to, units) = stats_window(&ctx, &q)?;
    Ok(Json(trend_months(&ctx, from, to, &units).await?.0))
}

/// `stats::trend` over the projection's matters, plus the self-inspection series from the
/// server's cached fact table (`reports::current`, answered as of its build date; decision
/// 0014): aggregates of `units` only. Also the time the fact table was built.
pub(crate) async fn trend_months(
    ctx: &Ctx,
    from: NaiveDate,
    to: NaiveDate,
    units: &[UnitId],
) -> Result<(Vec<TrendMonth>, chrono::DateTime<chrono::Utc>), ApiError> {
    let w = Window { from, to, units: Some(units) };
    let mut months = {
        let p = ctx.app.store.projections();
        stats::trend(p.matters(), w)
    };
    let built = crate::reports::current(&ctx.app).await?;
    skyndsam_report::quality::add_self_inspection(&built.facts, &mut months, w, |_| true);
    Ok((months, built.at))
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct MatrixQuery {
    pub severity: Option<String>,
    pub probability: Option<String>,
}

pub fn risk_cell(m: &skyndsam_domain::quality::rules::RiskMatrix, severity: u8, probability: u8) -> RiskCell {
    let s = RiskScore { severity, probability };
    let r = m.recommend(s);
    RiskCell {
        severity,
        probability,
        value: s.value(),
        recommendation: r,
        recommendation_sv: r.label_sv().to_owned(),
        level_sv: m.level_sv(s).to_owned(),
    }
}

fn one_to_four(field: &str, v: Option<&str>) -> Result<Option<u8>, ApiError> {
    match v.map(str::trim).filter(|x| !x.is_empty()) {
        None => Ok(None),
        Some(x) => match x.parse::<u8>() {
            Ok(n) if (1..=4).contains(&n) => Ok(Some(n)),
            _ => Err(ApiError::bad_input(field, "Ange en siffra 1–4.")),
        },
    }
}

fn risk_matrix(ctx: Ctx, q: MatrixQuery) -> Result<Json<RiskMatrixView>, ApiError> {
    let severity = one_to_four("severity", q.severity.as_deref())?;
    let probability = one_to_four("probability", q.probability.as_deref())?;
    let m = ctx.app.store.rules().quality.risk_matrix.clone();
    let assessment = match (severity, probability) {
        (Some(s), Some(p)) => Some(risk_cell(&m, s, p)),
        (None, None) => None,
        (None, Some(_)) => return Err(ApiError::bad_input("severity", "Ange också allvarlighetsgraden (1–4).")),
        (Some(_), None) => return Err(ApiError::bad_input("probability", "Ange också sannolikheten (1–4).")),
    };
    let mut cells = Vec::new();
    for s in 1..=4 {
        for p in 1..=4 {
            cells.push(risk_cell(&m, s, p));
        }
    }
    Ok(Json(RiskMatrixView {
        severity_labels: m.severity_labels.clone(),
        probability_labels: m.probability_labels.clone(),
        cells,
        assessment,
    }))
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct BookQuery {
    pub mine: Option<bool>,
}

/// The pending quality clocks of the matters the caller sees that `keep` accepts, soonest
/// first (a list: not logged per row, as the case deadline book).
pub(crate) fn deadline_rows(ctx: &Ctx, keep: impl Fn(&QualityDeadline, &Access) -> bool) -> Vec<QualityDeadlineView> {
    deadline_rows_where(ctx, |_| true, keep)
}

/// As [`deadline_rows`], with `pick` choosing clocks before the access rule runs (cheap
/// tests on the clock itself: its owner, its unit).
pub(crate) fn deadline_rows_where(
    ctx: &Ctx,
    pick: impl Fn(&QualityDeadline) -> bool,
    keep: impl Fn(&QualityDeadline, &Access) -> bool,
) -> Vec<QualityDeadlineView> {
    let p = ctx.app.store.projections();
    let today = local_date(ctx.now);
    p.quality_book(pick)
        .into_iter()
        .filter_map(|d| {
            let a = ctx.scope.matter_access(p.matter(&d.stream)?)?;
            keep(&d, &a).then(|| deadline_view(&d, p.rules(), today))
        })
        .collect()
}

// ------------------------------------------------------------------ the detection sweep

/// Runs `Store::sweep_detections` now and then every `every`, off the async threads,
/// logging counts only (a deviation's id and kind say nothing about a person). The first
/// sweep runs at once; a failed sweep is logged and tried again at the next tick.
pub fn start_sweeps(app: AppState, every: std::time::Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every.max(std::time::Duration::from_secs(1)));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let a = app.clone();
            let now = app.now();
            match tokio::task::spawn_blocking(move || a.store.sweep_detections(now)).await {
                Ok(Ok(opened)) => tracing::info!(opened = opened.len(), "detection sweep"),
                Ok(Err(e)) => tracing::error!(code = e.code(), "detection sweep failed"),
                Err(e) => tracing::error!(detail = %e, "detection sweep task failed"),
            }
        }
    })
}
