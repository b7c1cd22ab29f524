//! The route table: every route of the API with its role gate, token scope and schemas.
//! The router, the OpenAPI document and the authorisation test matrix are all generated
//! from it, so none of them can drift from the others.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{on, MethodFilter, MethodRouter};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use schemars::gen::SchemaGenerator;
use schemars::schema::Schema;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use skyndsam_domain::calendar::local_date;
use skyndsam_domain::commands::{self, CaseCommand, Context, RegisterActualisation};
use skyndsam_domain::events::*;
use skyndsam_domain::ids::{ActualisationId, CaseId, PersonId, StaffId, UnitId};
use skyndsam_domain::org::Role;
use skyndsam_domain::personnummer::{PersonalIdentityNumber, Sex};
use skyndsam_store::security::{
    AccessAction, AccessBasis, AccessGrant, AccessQuery, AccessRecord, SecurityKind, SecurityRecord, TokenKind,
};
use skyndsam_store::{AppendRequest, Expected};
use std::collections::{BTreeMap, BTreeSet};

use crate::app::{blocking, parse_json, AppState, Ctx, Json, JsonBody, Origin, RawJson};
use crate::error::ApiError;
use crate::scope::{Access, View};
use crate::views::*;

pub type SchemaFn = fn(&mut SchemaGenerator) -> Schema;
/// Parses a command route's body into (expected version, command).
pub type ParseFn = fn(&[u8]) -> Result<(u32, CaseCommand), ApiError>;

pub(crate) fn schema<T: JsonSchema>(g: &mut SchemaGenerator) -> Schema {
    g.subschema_for::<T>()
}

/// One route: what it is, who may call it, and its shapes.
#[derive(Clone)]
pub struct RouteSpec {
    pub method: Method,
    /// axum/OpenAPI path syntax (`/api/cases/{id}`).
    pub path: &'static str,
    pub operation_id: String,
    /// Swedish, for the OpenAPI document.
    pub summary: String,
    pub tag: &'static str,
    /// No login needed.
    pub public: bool,
    /// The token scope needed (sessions hold every scope).
    pub scope: Option<&'static str>,
    /// The roles that pass the route's gate (the domain and the scope narrow further).
    pub roles: &'static [Role],
    pub body: Option<SchemaFn>,
    pub response: Option<SchemaFn>,
    /// Success status.
    pub ok: u16,
    /// Query parameters: (name, description, required).
    pub query: &'static [(&'static str, &'static str, bool)],
}

// ------------------------------------------------------------------ role gates

/// Everyone who reads cases (in full or pseudonymised).
pub const READERS: &[Role] = &[
    Role::Registrar,
    Role::Handler,
    Role::TeamLeader,
    Role::UnitManager,
    Role::AreaManager,
    Role::HeadOfAdministration,
    Role::QualityDeveloper,
    Role::Auditor,
];
/// Everyone who acts in cases (the domain checks the role per act).
pub const CASEWORKERS: &[Role] = &[
    Role::Registrar,
    Role::Handler,
    Role::TeamLeader,
    Role::UnitManager,
    Role::AreaManager,
    Role::HeadOfAdministration,
];
/// Who registers persons and actualisations (and the e-tjänst, as the system).
pub const REGISTRARS: &[Role] = &[Role::Registrar, Role::Handler, Role::TeamLeader, Role::UnitManager, Role::System];
/// Who searches by personnummer (intake's check of earlier knowledge).
pub const SEARCHERS: &[Role] = CASEWORKERS;
/// Who reviews the access log of their units (loggkontroll).
pub const REVIEWERS: &[Role] = &[Role::UnitManager, Role::AreaManager, Role::HeadOfAdministration];
pub const ADMINS: &[Role] = &[Role::SystemAdministrator];
/// Every role that can log in.
pub const ANYONE: &[Role] = &[
    Role::Registrar,
    Role::Handler,
    Role::TeamLeader,
    Role::UnitManager,
    Role::AreaManager,
    Role::HeadOfAdministration,
    Role::Board,
    Role::Committee,
    Role::QualityDeveloper,
    Role::Auditor,
    Role::SystemAdministrator,
    Role::System,
];
/// Every role a person logs in through (the web UI's): all but the system's.
pub const PERSONS: &[Role] = ANYONE.split_at(ANYONE.len() - 1).0;
const _: () = assert!(matches!(ANYONE[ANYONE.len() - 1], Role::System), "System must stay last in ANYONE");

// ------------------------------------------------------------------ case commands

/// A command on a case: the version the caller last saw, and the act.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CommandBody<T> {
    /// The case's `version` as last read; a stale one is refused with 409 and the current version.
    pub expected_version: u32,
    pub data: T,
}

pub struct CommandRoute {
    pub slug: &'static str,
    pub summary: &'static str,
    pub schema: SchemaFn,
    pub parse: ParseFn,
}

macro_rules! case_commands {
    ($( $variant:ident => $slug:literal, $payload:ty, $summary:literal; )*) => {
        /// A command named by its type, for corrections.
        #[derive(Debug, Clone, Deserialize, JsonSchema)]
        #[serde(tag = "type", content = "data", rename_all = "snake_case", deny_unknown_fields)]
        pub enum CommandInput { $( $variant($payload), )* }

        impl CommandInput {
            pub fn into_command(self) -> CaseCommand {
                match self { $( Self::$variant(p) => CaseCommand::$variant(p), )* }
            }
        }

        pub const COMMANDS: &[CommandRoute] = &[ $(
            CommandRoute {
                slug: $slug,
                summary: $summary,
                schema: schema::<CommandBody<$payload>>,
                parse: |b| {
                    let body: CommandBody<$payload> = parse_json(b)?;
                    Ok((body.expected_version, CaseCommand::$variant(body.data)))
                },
            },
        )* ];
    };
}

case_commands! {
    RecordProtectionAssessment => "protection-assessment", ProtectionAssessmentRecorded, "Dokumentera omedelbar skyddsbedömning";
    DecidePreliminaryAssessment => "preliminary-assessment", PreliminaryAssessmentDecided, "Besluta i förhandsbedömning";
    RecordReporterFeedback => "reporter-feedback", ReporterFeedbackGiven, "Dokumentera återkoppling till anmälaren";
    SetTriage => "triage", TriageSet, "Sätt prioritet (triage)";
    Allocate => "allocation", Allocated, "Fördela ärendet";
    RecordFirstContact => "first-contact", FirstContactRecorded, "Dokumentera första kontakt";
    RecordInvestigationPart => "investigation-part", InvestigationPartRecorded, "Dokumentera del av utredningen";
    ExtendInvestigation => "extension", ExtensionDecided, "Besluta om förlängd utredningstid";
    DecideInvestigation => "investigation-decision", InvestigationDecided, "Besluta när utredningen avslutas";
    GrantIntervention => "intervention", InterventionGranted, "Bevilja insats";
    StartIntervention => "intervention-start", InterventionStarted, "Registrera verkställd insats";
    RecordEnforcementDelay => "enforcement-delay", EnforcementDelayRecorded, "Dokumentera skäl till dröjsmål med verkställighet";
    FollowUpIntervention => "intervention-follow-up", InterventionFollowedUp, "Dokumentera uppföljning av insats";
    EndIntervention => "intervention-end", InterventionEnded, "Avsluta insats";
    ReviewPlacement => "placement-review", PlacementReviewed, "Överväga placering (var sjätte månad)";
    ConsiderCustodyTransfer => "custody-transfer", CustodyTransferConsidered, "Överväga vårdnadsöverflyttning";
    WriteEntry => "entry", EntryWritten, "Skriva journalanteckning";
}

// ------------------------------------------------------------------ request/response types

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
    /// The role to act through; may be left out when the user holds one role.
    pub role: Option<Role>,
    /// The unit of that role; may be left out when the role is held in one unit.
    pub unit: Option<UnitId>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct LoginResponse {
    /// Bearer token for `Authorization: Bearer …`. Shown once.
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub role: Role,
    pub unit: UnitId,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RoleView {
    pub role: Role,
    pub label: String,
    pub unit: UnitId,
    pub unit_name: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Me {
    pub username: String,
    pub staff: StaffId,
    pub name: String,
    pub qualified: bool,
    /// The role this session acts through.
    pub acting: RoleView,
    /// Every role the user holds today.
    pub roles: Vec<RoleView>,
    pub scopes: Vec<String>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct TokenView {
    pub id: uuid::Uuid,
    pub kind: TokenKind,
    pub name: String,
    pub username: String,
    pub role: Role,
    pub unit: UnitId,
    pub scopes: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<&skyndsam_store::security::Token> for TokenView {
    fn from(t: &skyndsam_store::security::Token) -> Self {
        Self {
            id: t.id,
            kind: t.kind,
            name: t.name.clone(),
            username: t.username.clone(),
            role: t.role,
            unit: t.unit.clone(),
            scopes: t.scopes.clone(),
            created_at: t.created_at,
            expires_at: t.expires_at,
            revoked_at: t.revoked_at,
        }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueTokenRequest {
    /// The account the integration acts as.
    pub username: String,
    pub role: Role,
    pub unit: UnitId,
    /// E.g. `actualisations:write`.
    pub scopes: Vec<String>,
    pub name: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct IssuedToken {
    /// The secret; shown once, stored only as a hash.
    pub token: String,
    #[serde(flatten)]
    pub info: TokenView,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterPersonRequest {
    pub id_number: Option<PersonalIdentityNumber>,
    pub name: String,
    pub sex: Option<Sex>,
    pub birth_date: Option<NaiveDate>,
    pub municipality: Option<String>,
    /// skyddad identitet / sekretessmarkering
    #[serde(default)]
    pub protected_identity: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Created {
    pub id: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchRequest {
    /// Personnummer, samordningsnummer or reservnummer.
    pub id_number: PersonalIdentityNumber,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantRequest {
    /// Why wider access is needed (e.g. "beredskap", "begäran från polis"). Logged with every read.
    pub reason: String,
    /// How long (hours); at most the rule table's `grant_max_hours`.
    pub hours: u32,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterActualisationRequest {
    /// The children concerned (registered persons); one case each.
    pub children: Vec<PersonId>,
    pub kind: ActualisationKind,
    pub received_at: DateTime<Utc>,
    pub channel: Channel,
    pub reporter: Reporter,
    pub reasons: Vec<Reason>,
    pub text: String,
    /// The receiving unit (mottagning).
    pub unit: UnitId,
    pub receipt: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RegisteredCase {
    pub case: CaseId,
    pub child: PersonId,
    pub version: u32,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Registered {
    pub actualisation: ActualisationId,
    pub cases: Vec<RegisteredCase>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct CommandResult {
    pub case: CaseId,
    /// The case's new version.
    pub version: u32,
    /// Journal sequence numbers of the events written.
    pub events: Vec<u64>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectionRequest {
    pub expected_version: u32,
    /// The journal sequence number (`seq`) of the entry corrected.
    pub corrects: u64,
    pub command: CommandInput,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct CaseListQuery {
    pub step: Option<String>,
    /// `true`: only cases allocated to me.
    pub mine: Option<bool>,
    pub unit: Option<UnitId>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct BookQuery {
    pub unit: Option<UnitId>,
    pub limit: Option<usize>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct LogQuery {
    pub staff: Option<StaffId>,
    pub person: Option<PersonId>,
    pub from: Option<NaiveDate>,
    /// Inclusive.
    pub to: Option<NaiveDate>,
    pub limit: Option<usize>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct PeriodQuery {
    pub from: Option<NaiveDate>,
    /// Inclusive.
    pub to: Option<NaiveDate>,
}

/// One user-day of reads outside own cases above the rule table's threshold.
#[derive(Debug, Serialize, JsonSchema)]
pub struct UnusualReads {
    pub staff: StaffId,
    pub day: NaiveDate,
    /// Records opened outside own cases and unit (by grant or search).
    pub reads_outside_own: usize,
    pub persons: usize,
    /// The reasons given (for grants).
    pub reasons: Vec<String>,
    pub threshold: u32,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Health {
    pub status: String,
    pub cases: usize,
    pub open_cases: usize,
    /// The rendered-timeline cache, for the operator sizing `--cache-mib`.
    pub timeline_cache: CacheHealth,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct CacheHealth {
    pub entries: usize,
    pub bytes: usize,
    pub hits: u64,
    pub misses: u64,
}

// ------------------------------------------------------------------ the table

const LOG_QUERY: &[(&str, &str, bool)] = &[
    ("staff", "Bara den här användarens läsningar", false),
    ("person", "Bara läsningar av den här personen", false),
    ("from", "Från och med datum (ÅÅÅÅ-MM-DD)", false),
    ("to", "Till och med datum (ÅÅÅÅ-MM-DD)", false),
    ("limit", "Högst så många rader (standard 1000)", false),
];
const PERIOD_QUERY: &[(&str, &str, bool)] =
    &[("from", "Från och med datum (ÅÅÅÅ-MM-DD)", false), ("to", "Till och med datum (ÅÅÅÅ-MM-DD)", false)];

#[allow(clippy::too_many_arguments)]
pub(crate) fn spec(
    method: Method,
    path: &'static str,
    op: &str,
    summary: &str,
    tag: &'static str,
    roles: &'static [Role],
    scope: Option<&'static str>,
    body: Option<SchemaFn>,
    response: Option<SchemaFn>,
    ok: u16,
) -> RouteSpec {
    RouteSpec {
        method,
        path,
        operation_id: op.to_owned(),
        summary: summary.to_owned(),
        tag,
        public: false,
        scope,
        roles,
        body,
        response,
        ok,
        query: &[],
    }
}

fn public(mut s: RouteSpec) -> RouteSpec {
    s.public = true;
    s.roles = &[];
    s
}

pub(crate) fn query(mut s: RouteSpec, q: &'static [(&'static str, &'static str, bool)]) -> RouteSpec {
    s.query = q;
    s
}

/// Every route with its handler. The router takes routes only from here.
pub fn routes() -> Vec<(RouteSpec, MethodRouter<AppState>)> {
    use Method as M;
    let g = |h| -> MethodRouter<AppState> { h };
    let mut v: Vec<(RouteSpec, MethodRouter<AppState>)> = vec![
        (
            public(spec(M::GET, "/health", "health", "Hälsa", "drift", &[], None, None, Some(schema::<Health>), 200)),
            g(axum::routing::get(health)),
        ),
        (
            public(spec(
                M::GET,
                "/api/openapi.json",
                "openapi",
                "API-beskrivning (OpenAPI 3)",
                "drift",
                &[],
                None,
                None,
                None,
                200,
            )),
            g(axum::routing::get(openapi)),
        ),
        (
            public(spec(
                M::POST,
                "/api/auth/login",
                "login",
                "Logga in med användarnamn och lösenord",
                "identitet",
                &[],
                None,
                Some(schema::<LoginRequest>),
                Some(schema::<LoginResponse>),
                200,
            )),
            g(axum::routing::post(login)),
        ),
        (
            spec(
                M::POST,
                "/api/auth/logout",
                "logout",
                "Logga ut (återkallar token)",
                "identitet",
                ANYONE,
                None,
                None,
                None,
                204,
            ),
            g(axum::routing::post(logout)),
        ),
        (
            spec(
                M::GET,
                "/api/me",
                "me",
                "Vem är jag, i vilken roll",
                "identitet",
                ANYONE,
                None,
                None,
                Some(schema::<Me>),
                200,
            ),
            g(axum::routing::get(me)),
        ),
        (
            spec(
                M::GET,
                "/api/tokens",
                "list_tokens",
                "Mina token",
                "identitet",
                ANYONE,
                None,
                None,
                Some(schema::<Vec<TokenView>>),
                200,
            ),
            g(axum::routing::get(list_tokens)),
        ),
        (
            spec(
                M::POST,
                "/api/tokens",
                "issue_token",
                "Utfärda token för en integration",
                "identitet",
                ADMINS,
                None,
                Some(schema::<IssueTokenRequest>),
                Some(schema::<IssuedToken>),
                201,
            ),
            g(axum::routing::post(issue_token)),
        ),
        (
            spec(
                M::DELETE,
                "/api/tokens/{id}",
                "revoke_token",
                "Återkalla token",
                "identitet",
                ANYONE,
                None,
                None,
                None,
                204,
            ),
            g(axum::routing::delete(revoke_token)),
        ),
        (
            spec(
                M::POST,
                "/api/persons",
                "register_person",
                "Registrera person",
                "personer",
                REGISTRARS,
                Some("persons:write"),
                Some(schema::<RegisterPersonRequest>),
                Some(schema::<Created>),
                201,
            ),
            g(axum::routing::post(register_person)),
        ),
        (
            spec(
                M::POST,
                "/api/persons/search",
                "search_person",
                "Sök person på personnummer (tidigare kännedom)",
                "personer",
                SEARCHERS,
                Some("persons:read"),
                Some(schema::<SearchRequest>),
                Some(schema::<PersonDetail>),
                200,
            ),
            g(axum::routing::post(search_person)),
        ),
        (
            spec(
                M::GET,
                "/api/persons/{id}",
                "get_person",
                "Person med tidigare kännedom",
                "personer",
                READERS,
                Some("persons:read"),
                None,
                Some(schema::<PersonDetail>),
                200,
            ),
            g(axum::routing::get(get_person)),
        ),
        (
            spec(
                M::POST,
                "/api/persons/{id}/access-grants",
                "grant_access",
                "Begär utökad åtkomst till en persons akt (skäl anges, tidsbegränsad, loggas)",
                "åtkomst",
                READERS,
                Some("persons:read"),
                Some(schema::<GrantRequest>),
                Some(schema::<AccessGrant>),
                201,
            ),
            g(axum::routing::post(grant_access)),
        ),
        (
            spec(
                M::POST,
                "/api/actualisations",
                "register_actualisation",
                "Registrera aktualisering (anmälan, ansökan, underrättelse)",
                "ärenden",
                REGISTRARS,
                Some("actualisations:write"),
                Some(schema::<RegisterActualisationRequest>),
                Some(schema::<Registered>),
                201,
            ),
            g(axum::routing::post(register_actualisation)),
        ),
        (
            query(
                spec(
                    M::GET,
                    "/api/cases",
                    "list_cases",
                    "Öppna ärenden jag får se",
                    "ärenden",
                    READERS,
                    Some("cases:read"),
                    None,
                    Some(schema::<Vec<CaseSummary>>),
                    200,
                ),
                &[
                    ("step", "Bara ärenden i det här steget", false),
                    ("mine", "true: bara ärenden fördelade till mig", false),
                    ("unit", "Bara ärenden i den här enheten", false),
                ],
            ),
            g(axum::routing::get(list_cases)),
        ),
        (
            spec(
                M::GET,
                "/api/cases/export",
                "export_cases",
                "Exportera ärenden jag får se (pseudonymiserat för kvalitet och revision; loggas)",
                "ärenden",
                READERS,
                Some("cases:read"),
                None,
                Some(schema::<Vec<CaseSummary>>),
                200,
            ),
            g(axum::routing::get(export_cases)),
        ),
        (
            spec(
                M::GET,
                "/api/cases/{id}",
                "get_case",
                "Ärendet med tidslinje och frister (läsningen loggas)",
                "ärenden",
                READERS,
                Some("cases:read"),
                None,
                Some(schema::<CaseDetail>),
                200,
            ),
            g(axum::routing::get(get_case)),
        ),
        (
            spec(
                M::POST,
                "/api/cases/{id}/corrections",
                "correct",
                "Rätta en post (ny post som pekar på den rättade)",
                "ärenden",
                CASEWORKERS,
                Some("cases:write"),
                Some(schema::<CorrectionRequest>),
                Some(schema::<CommandResult>),
                200,
            ),
            g(axum::routing::post(correct)),
        ),
        (
            query(
                spec(
                    M::GET,
                    "/api/cases/{id}/self-inspection",
                    "get_self_inspection",
                    "Egenkontroll: varje kontrollfråga besvarad Ja / Nej / Ej tillämpligt med underlag (läsningen loggas)",
                    "ärenden",
                    READERS,
                    Some("cases:read"),
                    None,
                    Some(schema::<skyndsam_domain::checks::CaseInspection>),
                    200,
                ),
                &[("at", "Besvarat per detta datum (ÅÅÅÅ-MM-DD, standard i dag)", false)],
            ),
            g(axum::routing::get(get_self_inspection)),
        ),
        (
            query(
                spec(
                    M::GET,
                    "/api/deadlines",
                    "deadline_book",
                    "Bevakningslistan: kommande och passerade frister, tidigast först",
                    "ärenden",
                    READERS,
                    Some("cases:read"),
                    None,
                    Some(schema::<Vec<BookRowView>>),
                    200,
                ),
                &[("unit", "Bara den här enheten", false), ("limit", "Högst så många rader (standard 1000)", false)],
            ),
            g(axum::routing::get(deadline_book)),
        ),
        (
            query(
                spec(
                    M::GET,
                    "/api/access-log",
                    "access_log",
                    "Loggkontroll: läsningar i mina enheter",
                    "åtkomst",
                    REVIEWERS,
                    Some("accesslog:read"),
                    None,
                    Some(schema::<Vec<AccessRecord>>),
                    200,
                ),
                LOG_QUERY,
            ),
            g(axum::routing::get(access_log)),
        ),
        (
            query(
                spec(
                    M::GET,
                    "/api/access-log/unusual",
                    "unusual_reads",
                    "Loggkontroll: användare som öppnat många akter utanför sina ärenden samma dag",
                    "åtkomst",
                    REVIEWERS,
                    Some("accesslog:read"),
                    None,
                    Some(schema::<Vec<UnusualReads>>),
                    200,
                ),
                PERIOD_QUERY,
            ),
            g(axum::routing::get(unusual_reads)),
        ),
        (
            query(
                spec(
                    M::GET,
                    "/api/access-grants",
                    "access_grants",
                    "Utökade åtkomster som getts i mina enheter",
                    "åtkomst",
                    REVIEWERS,
                    Some("accesslog:read"),
                    None,
                    Some(schema::<Vec<AccessGrant>>),
                    200,
                ),
                PERIOD_QUERY,
            ),
            g(axum::routing::get(access_grants)),
        ),
        (
            query(
                spec(
                    M::GET,
                    "/api/security-log",
                    "security_log",
                    "Säkerhetsloggen: inloggningar, spärrar, token, nekade anrop",
                    "åtkomst",
                    ADMINS,
                    Some("accesslog:read"),
                    None,
                    Some(schema::<Vec<SecurityRecord>>),
                    200,
                ),
                PERIOD_QUERY,
            ),
            g(axum::routing::get(security_log)),
        ),
    ];
    for c in COMMANDS {
        let parse = c.parse;
        let path: &'static str = Box::leak(format!("/api/cases/{{id}}/{}", c.slug).into_boxed_str());
        v.push((
            spec(
                Method::POST,
                path,
                &format!("case_{}", c.slug.replace('-', "_")),
                c.summary,
                "ärenden",
                CASEWORKERS,
                Some("cases:write"),
                Some(c.schema),
                Some(schema::<CommandResult>),
                200,
            ),
            on(MethodFilter::POST, move |ctx: Ctx, Path(id): Path<String>, RawJson(body): RawJson| async move {
                case_command(ctx, id, &body, parse).await
            }),
        ));
    }
    v.extend(crate::quality::routes());
    v.extend(crate::file_audit_api::routes());
    v.extend(crate::delegation_api::routes());
    v.extend(crate::self_inspection_api::routes());
    v.extend(crate::indicator_api::routes());
    v
}

/// The table alone (for the OpenAPI document, the extractor's role gate and tests).
pub fn table() -> Vec<RouteSpec> {
    routes().into_iter().map(|(s, _)| s).collect()
}

// ------------------------------------------------------------------ helpers

pub(crate) fn parse_case(id: &str) -> Result<CaseId, ApiError> {
    CaseId::parse(id).map_err(|_| ApiError::not_found())
}

fn parse_person(id: &str) -> Result<PersonId, ApiError> {
    PersonId::parse(id).map_err(|_| ApiError::not_found())
}

/// The caller's access to a case: not found (and logged as refused if it exists but is
/// outside the scope) unless visible.
async fn case_access(ctx: &Ctx, id: CaseId) -> Result<Access, ApiError> {
    let found = {
        let p = ctx.app.store.projections();
        p.case(&id).map(|c| ctx.scope.access(c))
    };
    match found {
        None => Err(ApiError::not_found()),
        Some(None) => Err(ctx.refuse_out_of_scope(format!("ärende {id}")).await),
        Some(Some(a)) => Ok(a),
    }
}

/// A case the caller may act in: visible in full.
pub(crate) async fn writable(ctx: &Ctx, id: CaseId) -> Result<(), ApiError> {
    let a = case_access(ctx, id).await?;
    if a.view != View::Full {
        return Err(ctx.refuse_out_of_scope(format!("ärende {id} (skrivning)")).await);
    }
    Ok(())
}

fn day_start(d: NaiveDate) -> DateTime<Utc> {
    skyndsam_domain::calendar::start_of_local_day(d)
}

fn period(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Result<(DateTime<Utc>, DateTime<Utc>), ApiError> {
    let today = local_date(now);
    let to = to.unwrap_or(today);
    let from = from.unwrap_or(to - Duration::days(30));
    if from > to {
        return Err(ApiError::bad_input("from", "Startdatumet ligger efter slutdatumet."));
    }
    Ok((day_start(from), day_start(to + Duration::days(1))))
}

// ------------------------------------------------------------------ handlers: identity

async fn health(State(app): State<AppState>) -> Json<Health> {
    let p = app.store.projections();
    let c = app.timelines.stats();
    Json(Health {
        status: "ok".into(),
        cases: p.case_count(),
        open_cases: p.open_case_count(),
        timeline_cache: CacheHealth { entries: c.entries, bytes: c.bytes, hits: c.hits, misses: c.misses },
    })
}

async fn openapi(State(app): State<AppState>) -> impl IntoResponse {
    Json(crate::openapi::document(&app.routes))
}

async fn login(
    State(app): State<AppState>,
    origin: Origin,
    JsonBody(req): JsonBody<LoginRequest>,
) -> Result<Json<LoginResponse>, ApiError> {
    let choose = req.role.map(|r| (r, req.unit.clone()));
    let issued = log_in(app, origin, req.username, req.password, choose).await?;
    Ok(Json(LoginResponse {
        token: issued.secret,
        expires_at: issued.token.expires_at,
        role: issued.token.role,
        unit: issued.token.unit,
    }))
}

/// Logs a user in (throttled and logged by `auth`), for the API and the web UI alike.
pub(crate) async fn log_in(
    app: AppState,
    origin: Origin,
    username: String,
    password: String,
    choose: Option<(Role, Option<UnitId>)>,
) -> Result<crate::auth::Issued, ApiError> {
    let now = app.now();
    blocking(move || {
        let privacy = app.store.rules().privacy.clone();
        let roles = |staff: &StaffId| app.store.projections().org.roles_of(staff, local_date(now));
        app.auth.login(
            &app.security,
            &username,
            &password,
            &origin.address,
            now,
            &privacy,
            roles,
            choose,
            &origin.correlation,
        )
    })
    .await
}

async fn logout(ctx: Ctx) -> Result<StatusCode, ApiError> {
    log_out(&ctx).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Ends the caller's session (revokes its token; logged).
pub(crate) async fn log_out(ctx: &Ctx) -> Result<(), ApiError> {
    let app = ctx.app.clone();
    let (token, now, by, corr) = (ctx.token.clone(), ctx.now, ctx.token.username.clone(), ctx.correlation.clone());
    blocking(move || app.auth.revoke(&app.security, token, now, &by, SecurityKind::Logout, &corr)).await
}

fn role_view(org: &skyndsam_domain::org::Organisation, role: Role, unit: &UnitId) -> RoleView {
    RoleView {
        role,
        label: role.label_sv().to_owned(),
        unit: unit.clone(),
        unit_name: org.unit(unit).map(|u| u.name.clone()).unwrap_or_default(),
    }
}

async fn me(ctx: Ctx) -> Json<Me> {
    let p = ctx.app.store.projections();
    let staff = p.org.staff.get(&ctx.actor.staff);
    Json(Me {
        username: ctx.token.username.clone(),
        staff: ctx.actor.staff.clone(),
        name: staff.map(|s| s.name.clone()).unwrap_or_default(),
        qualified: ctx.actor.qualified,
        acting: role_view(&p.org, ctx.actor.role, &ctx.token.unit),
        roles: p
            .org
            .roles_of(&ctx.actor.staff, local_date(ctx.now))
            .iter()
            .map(|(r, u)| role_view(&p.org, *r, u))
            .collect(),
        scopes: ctx.token.scopes.clone(),
        expires_at: ctx.token.expires_at,
    })
}

async fn list_tokens(ctx: Ctx) -> Result<Json<Vec<TokenView>>, ApiError> {
    let app = ctx.app.clone();
    let user = ctx.token.username.clone();
    let tokens = blocking(move || Ok(app.security.with(|b| b.tokens_of(&user))?)).await?;
    Ok(Json(tokens.iter().map(TokenView::from).collect()))
}

async fn issue_token(
    ctx: Ctx,
    JsonBody(req): JsonBody<IssueTokenRequest>,
) -> Result<(StatusCode, Json<IssuedToken>), ApiError> {
    let app = ctx.app.clone();
    let (now, by, corr, privacy) = (ctx.now, ctx.token.username.clone(), ctx.correlation.clone(), ctx.privacy());
    // The role must be one the account's staff member holds in that unit.
    let holds = app.auth.account(&req.username).is_some_and(|a| {
        req.role == Role::System && a.staff == StaffId::system()
            || app
                .store
                .projections()
                .org
                .roles_of(&a.staff, local_date(now))
                .iter()
                .any(|(r, u)| *r == req.role && *u == req.unit)
    });
    if !holds {
        return Err(ApiError::bad_input("role", "Kontot har inte den rollen i den enheten."));
    }
    let issued = blocking(move || {
        app.auth.issue_integration(
            &app.security,
            &req.username,
            req.role,
            req.unit,
            req.scopes,
            &req.name,
            req.expires_at,
            now,
            &privacy,
            &by,
            &corr,
        )
    })
    .await?;
    Ok((StatusCode::CREATED, Json(IssuedToken { token: issued.secret, info: TokenView::from(&issued.token) })))
}

async fn revoke_token(ctx: Ctx, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    let id = uuid::Uuid::parse_str(&id).map_err(|_| ApiError::not_found())?;
    let admin = ctx.actor.role == Role::SystemAdministrator;
    let app = ctx.app.clone();
    let (user, now, corr) = (ctx.token.username.clone(), ctx.now, ctx.correlation.clone());
    blocking(move || {
        // Own tokens, or any token for an administrator; others do not exist for the caller.
        let found = if admin {
            app.security.with(|b| {
                let mut all = Vec::new();
                for a in b.accounts()? {
                    all.extend(b.tokens_of(&a.username)?);
                }
                Ok(all.into_iter().find(|t| t.id == id))
            })?
        } else {
            app.security.with(|b| b.tokens_of(&user))?.into_iter().find(|t| t.id == id)
        };
        let t = found.ok_or_else(ApiError::not_found)?;
        app.auth.revoke(&app.security, t, now, &user, SecurityKind::TokenRevoked, &corr)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

// ------------------------------------------------------------------ handlers: persons

async fn register_person(
    ctx: Ctx,
    JsonBody(req): JsonBody<RegisterPersonRequest>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let person = PersonId(uuid::Uuid::new_v4());
    let event = {
        let p = ctx.app.store.projections();
        if let Some(n) = &req.id_number {
            if p.person_by_id_number(n).is_some() {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "PERSON_EXISTS",
                    "Personnumret är redan registrerat. Sök fram personen i stället.",
                )
                .field("id_number"));
            }
        }
        let reg = PersonRegistered {
            person,
            id_number: req.id_number,
            name: req.name,
            sex: req.sex,
            birth_date: req.birth_date,
            municipality: req.municipality,
            protected_identity: req.protected_identity,
        };
        let c = Context { now: ctx.now, rules: p.rules(), org: &p.org, actor: &ctx.actor };
        commands::register_person(&reg, &c)?
    };
    let store = ctx.app.store.clone();
    blocking(move || Ok(store.append(AppendRequest::new(vec![event]).expect(person.stream(), Expected::NoStream))?))
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id: person.to_string() })))
}

async fn person_detail(
    ctx: &Ctx,
    person: PersonId,
    access: Access,
    action: AccessAction,
) -> Result<PersonDetail, ApiError> {
    let detail = {
        let p = ctx.app.store.projections();
        let e = p.person(&person).ok_or_else(ApiError::not_found)?;
        let view = person_view(e, access.view, ctx.scope.see_protected, &ctx.app.pseudonyms);
        let rows = p.earlier_knowledge(&person, None);
        PersonDetail {
            person: view,
            earlier_knowledge: rows.into_iter().map(KnowledgeView::from).collect(),
            access_basis: access.basis,
        }
    };
    ctx.log_reads(vec![ctx.access_entry(person, None, action, &access)]).await?;
    Ok(detail)
}

async fn search_person(ctx: Ctx, JsonBody(req): JsonBody<SearchRequest>) -> Result<Json<PersonDetail>, ApiError> {
    Ok(Json(search_by_id_number(&ctx, &req.id_number).await?))
}

/// Intake's check of earlier knowledge: the person with this number, if the caller may find
/// them, with what the service already knows (logged as a search hit unless in scope).
pub(crate) async fn search_by_id_number(
    ctx: &Ctx,
    id_number: &PersonalIdentityNumber,
) -> Result<PersonDetail, ApiError> {
    let found = {
        let p = ctx.app.store.projections();
        p.person_by_id_number(id_number)
            .filter(|e| ctx.scope.may_find(e))
            .map(|e| (e.id, ctx.scope.person_access(&p, &e.id)))
    };
    let Some((person, access)) = found else {
        return Err(ApiError::new(StatusCode::NOT_FOUND, "NOT_FOUND", "Ingen person med det personnumret hittades."));
    };
    // A hit is shown in full (name, earlier knowledge) to those who search: intake must
    // see what the service already knows. Logged as a search unless already in scope.
    let access = match access {
        Some(a) if a.view == View::Full => a,
        _ => Access { view: View::Full, basis: AccessBasis::Search, reason: None },
    };
    person_detail(ctx, person, access, AccessAction::SearchHit).await
}

async fn get_person(ctx: Ctx, Path(id): Path<String>) -> Result<Json<PersonDetail>, ApiError> {
    let person = parse_person(&id)?;
    let found = {
        let p = ctx.app.store.projections();
        p.person(&person).map(|_| ctx.scope.person_access(&p, &person))
    };
    let access = match found {
        None => return Err(ApiError::not_found()),
        Some(None) => return Err(ctx.refuse_out_of_scope(format!("person {person}")).await),
        Some(Some(a)) => a,
    };
    Ok(Json(person_detail(&ctx, person, access, AccessAction::ReadPerson).await?))
}

async fn grant_access(
    ctx: Ctx,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<GrantRequest>,
) -> Result<(StatusCode, Json<AccessGrant>), ApiError> {
    let person = parse_person(&id)?;
    if !ctx.scope.may_request_grant() {
        return Err(ApiError::forbidden());
    }
    let privacy = ctx.privacy();
    let reason = req.reason.trim().to_owned();
    if reason.chars().count() < 3 || reason.chars().count() > 500 {
        return Err(ApiError::bad_input("reason", "Ange skälet till åtkomsten (3–500 tecken)."));
    }
    if req.hours == 0 || req.hours > privacy.grant_max_hours {
        return Err(ApiError::bad_input("hours", format!("Åtkomsten kan gälla 1–{} timmar.", privacy.grant_max_hours)));
    }
    let exists = ctx.app.store.projections().person(&person).is_some();
    if !exists {
        return Err(ApiError::not_found());
    }
    let g = AccessGrant {
        id: uuid::Uuid::new_v4(),
        staff: ctx.actor.staff.clone(),
        role: ctx.actor.role,
        unit: ctx.actor.unit.clone(),
        person,
        reason,
        granted_at: ctx.now,
        until: ctx.now + Duration::hours(i64::from(req.hours)),
    };
    let app = ctx.app.clone();
    let g2 = g.clone();
    blocking(move || Ok(app.security.with(|b| b.insert_grant(&g2))?)).await?;
    ctx.log_security(
        SecurityKind::AccessGranted,
        format!("utökad åtkomst {} till person {person}, {} timmar", g.id, req.hours),
    )
    .await?;
    ctx.app.add_grant(g.clone());
    Ok((StatusCode::CREATED, Json(g)))
}

// ------------------------------------------------------------------ handlers: cases

async fn register_actualisation(
    ctx: Ctx,
    JsonBody(req): JsonBody<RegisterActualisationRequest>,
) -> Result<(StatusCode, Json<Registered>), ApiError> {
    Ok((StatusCode::CREATED, Json(register(&ctx, req).await?)))
}

/// Registers an aktualisering: one case per child (the API's and the web UI's Mottagning).
pub(crate) async fn register(ctx: &Ctx, req: RegisterActualisationRequest) -> Result<Registered, ApiError> {
    if req.children.is_empty() {
        return Err(ApiError::bad_input("children", "Ange minst ett barn."));
    }
    let unique: BTreeSet<_> = req.children.iter().collect();
    if unique.len() != req.children.len() {
        return Err(ApiError::bad_input("children", "Samma barn är angivet två gånger."));
    }
    let cmd = RegisterActualisation {
        actualisation: ActualisationId(uuid::Uuid::new_v4()),
        children: req.children.iter().map(|c| (CaseId(uuid::Uuid::new_v4()), *c)).collect(),
        kind: req.kind,
        received_at: req.received_at,
        channel: req.channel,
        reporter: req.reporter,
        reasons: req.reasons,
        text: req.text,
        unit: req.unit,
        receipt: req.receipt,
    };
    let store = ctx.app.store.clone();
    let (actor, now) = (ctx.actor.clone(), ctx.now);
    let cmd2 = cmd.clone();
    let events = blocking(move || Ok(store.register(&cmd2, &actor, now)?)).await?;
    let cases = cmd
        .children
        .iter()
        .map(|(case, child)| RegisteredCase {
            case: *case,
            child: *child,
            version: events.iter().filter(|e| e.stream == case.stream()).map(|e| e.version).max().unwrap_or(1),
        })
        .collect();
    Ok(Registered { actualisation: cmd.actualisation, cases })
}

async fn list_cases(ctx: Ctx, Query(q): Query<CaseListQuery>) -> Result<Json<Vec<CaseSummary>>, ApiError> {
    let p = ctx.app.store.projections();
    let rows = ctx
        .scope
        .open_cases(&p)
        .into_iter()
        .filter(|(c, _)| q.mine != Some(true) || c.handler.as_ref() == Some(&ctx.actor.staff))
        .filter(|(c, _)| q.unit.as_ref().is_none_or(|u| *u == c.unit))
        .filter(|(c, _)| {
            q.step.as_deref().is_none_or(|s| {
                serde_json::to_value(c.step()).ok().and_then(|v| v.as_str().map(|x| x == s)) == Some(true)
            })
        })
        .map(|(c, a)| case_summary(&p, c, &a, ctx.scope.see_protected, &ctx.app.pseudonyms))
        .collect();
    Ok(Json(rows))
}

async fn export_cases(ctx: Ctx) -> Result<Json<Vec<CaseSummary>>, ApiError> {
    let (rows, entries) = {
        let p = ctx.app.store.projections();
        let mut rows = Vec::new();
        let mut entries = Vec::new();
        let mut all: Vec<_> = p.all_cases().filter_map(|c| ctx.scope.access(c).map(|a| (c, a))).collect();
        all.sort_by_key(|(c, _)| (c.received_at, c.case));
        for (c, a) in all {
            rows.push(case_summary(&p, c, &a, ctx.scope.see_protected, &ctx.app.pseudonyms));
            entries.push(ctx.access_entry(c.child, Some(c.case), AccessAction::Export, &a));
        }
        (rows, entries)
    };
    ctx.log_reads(entries).await?;
    Ok(Json(rows))
}

async fn get_case(ctx: Ctx, Path(id): Path<String>) -> Result<Json<CaseDetail>, ApiError> {
    let case = parse_case(&id)?;
    Ok(Json(read_case(&ctx, case).await?))
}

/// Reads a case as the caller may see it, and logs the read durably before returning it
/// (the API's `get_case` and the web UI's case page).
pub(crate) async fn read_case(ctx: &Ctx, case: CaseId) -> Result<CaseDetail, ApiError> {
    let access = case_access(ctx, case).await?;
    // The full, unscrubbed rendering is kept per stream version; anything else is
    // rendered from the events for this caller.
    let (version, words) = {
        let p = ctx.app.store.projections();
        let c = p.case(&case).ok_or_else(ApiError::not_found)?;
        (c.version, scrub_words(&p, c, &access, ctx.scope.see_protected))
    };
    let cacheable = access.view == View::Full && words.is_empty();
    let cached = if cacheable { ctx.app.timelines.get(&case, version) } else { None };
    let timeline = match cached {
        Some(t) => t,
        None => {
            let store = ctx.app.store.clone();
            let events = blocking(move || Ok(store.read_stream(&case.stream())?)).await?;
            let p = ctx.app.store.projections();
            let c = p.case(&case).ok_or_else(ApiError::not_found)?;
            let t = render_timeline(c, &events, access.view, &words)
                .map_err(|e| ApiError::internal(format!("timeline: {e}")))?;
            if cacheable {
                if let Some(last) = events.last() {
                    ctx.app.timelines.put(case, last.version, t.clone());
                }
            }
            t
        }
    };
    let (detail, child) = {
        let p = ctx.app.store.projections();
        let c = p.case(&case).ok_or_else(ApiError::not_found)?;
        (case_detail(&p, c, timeline, &access, ctx.scope.see_protected, &ctx.app.pseudonyms, ctx.now), c.child)
    };
    ctx.log_reads(vec![ctx.access_entry(child, Some(case), AccessAction::ReadCase, &access)]).await?;
    Ok(detail)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AtQuery {
    at: Option<NaiveDate>,
}

/// Self-inspection of one case (DOMAIN §4): a read of the case's record, logged like one.
async fn get_self_inspection(
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<AtQuery>,
) -> Result<Json<skyndsam_domain::checks::CaseInspection>, ApiError> {
    let case = parse_case(&id)?;
    let access = case_access(&ctx, case).await?;
    let store = ctx.app.store.clone();
    let events = blocking(move || Ok(store.read_stream(&case.stream())?)).await?;
    let questions = skyndsam_domain::checks::Questionnaire::defaults()
        .map_err(|e| ApiError::internal(format!("questionnaire: {}", e.message)))?;
    let as_of = q.at.unwrap_or_else(|| local_date(ctx.now));
    let (inspection, child) = {
        let p = ctx.app.store.projections();
        let c = p.case(&case).ok_or_else(ApiError::not_found)?;
        let i = skyndsam_domain::checks::inspect(&events, p.rules(), &p.org, &questions, as_of)
            .ok_or_else(ApiError::not_found)?;
        (i, c.child)
    };
    ctx.log_reads(vec![ctx.access_entry(child, Some(case), AccessAction::ReadCase, &access)]).await?;
    Ok(Json(inspection))
}

async fn case_command(ctx: Ctx, id: String, body: &[u8], parse: ParseFn) -> Result<Json<CommandResult>, ApiError> {
    let case = parse_case(&id)?;
    // Access first: someone outside the case learns nothing, not even how the body is judged.
    writable(&ctx, case).await?;
    let (expected, cmd) = parse(body)?;
    run_command(ctx, case, expected, cmd, None).await
}

pub(crate) async fn run_command(
    ctx: Ctx,
    case: CaseId,
    expected: u32,
    cmd: CaseCommand,
    corrects: Option<u64>,
) -> Result<Json<CommandResult>, ApiError> {
    if let CaseCommand::DecidePreliminaryAssessment(PreliminaryAssessmentDecided {
        outcome: PreliminaryOutcome::JoinInvestigation { investigation_case },
        ..
    }) = &cmd
    {
        writable(&ctx, *investigation_case).await.map_err(|e| e.field("outcome.investigation_case"))?;
    }
    let store = ctx.app.store.clone();
    let (actor, now) = (ctx.actor.clone(), ctx.now);
    let events = blocking(move || {
        Ok(match corrects {
            None => store.execute(case, Some(expected), &cmd, &actor, now)?,
            Some(target) => {
                let current = store.projections().case(&case).map(|c| c.version).unwrap_or(0);
                if current != expected {
                    return Err(skyndsam_store::StoreError::Conflict { stream: case.stream(), actual: current }.into());
                }
                store.correct(case, target, &cmd, &actor, now)?
            }
        })
    })
    .await?;
    let version = events.iter().filter(|e| e.stream == case.stream()).map(|e| e.version).max().unwrap_or(expected);
    Ok(Json(CommandResult { case, version, events: events.iter().map(|e| e.seq).collect() }))
}

async fn correct(ctx: Ctx, Path(id): Path<String>, RawJson(body): RawJson) -> Result<Json<CommandResult>, ApiError> {
    let case = parse_case(&id)?;
    writable(&ctx, case).await?;
    let req: CorrectionRequest = parse_json(&body)?;
    run_command(ctx, case, req.expected_version, req.command.into_command(), Some(req.corrects)).await
}

async fn deadline_book(ctx: Ctx, Query(q): Query<BookQuery>) -> Result<Response, ApiError> {
    let mut units = ctx.scope.book_units();
    if let Some(u) = &q.unit {
        if !units.contains(u) {
            return Err(ApiError::not_found());
        }
        units = vec![u.clone()];
    }
    let limit = q.limit.unwrap_or(1000).min(10_000);
    // Written by hand (crate::wire): the same bytes as serde's, at a fraction of the cost.
    let body = crate::wire::book(&book_rows(&ctx, &units, limit));
    Ok(([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response())
}

/// The deadline book of `units` as the caller may see it, earliest first (a list: not
/// logged per row). The API's `/api/deadlines` and the web UI's Att göra.
pub(crate) fn book_rows(ctx: &Ctx, units: &[UnitId], limit: usize) -> Vec<BookRowView> {
    let p = ctx.app.store.projections();
    let rows = p
        .deadline_book_iter(units, ctx.now)
        .filter_map(|r| {
            let c = p.case(&r.case)?;
            let a = ctx.scope.access(c)?;
            Some(BookRowView {
                case: r.case,
                kind: r.kind,
                last_day: r.last_day,
                due_at: r.due_at,
                state: r.state,
                unit: c.unit.clone(),
                handler: c.handler.clone(),
                child: person_of(&p, &c.child, a.view, ctx.scope.see_protected, &ctx.app.pseudonyms),
            })
        })
        .take(limit)
        .collect();
    rows
}

// ------------------------------------------------------------------ handlers: loggkontroll

fn reviewed(ctx: &Ctx) -> Result<Vec<UnitId>, ApiError> {
    ctx.scope.reviewed_units().ok_or_else(ApiError::forbidden)
}

async fn access_log(ctx: Ctx, Query(q): Query<LogQuery>) -> Result<Json<Vec<AccessRecord>>, ApiError> {
    let units = reviewed(&ctx)?;
    let (from, to) = period(q.from, q.to, ctx.now)?;
    let query = AccessQuery {
        staff: q.staff,
        person: q.person,
        from: Some(from),
        to: Some(to),
        units: Some(units),
        limit: q.limit.unwrap_or(1000).min(100_000),
    };
    let app = ctx.app.clone();
    let rows = blocking(move || Ok(app.security.with(|b| b.access_log(&query))?)).await?;
    Ok(Json(rows))
}

async fn unusual_reads(ctx: Ctx, Query(q): Query<PeriodQuery>) -> Result<Json<Vec<UnusualReads>>, ApiError> {
    let units = reviewed(&ctx)?;
    let (from, to) = period(q.from, q.to, ctx.now)?;
    let threshold = ctx.privacy().unusual_reads_per_day;
    let query = AccessQuery { from: Some(from), to: Some(to), units: Some(units), limit: 0, ..Default::default() };
    let app = ctx.app.clone();
    let rows = blocking(move || Ok(app.security.with(|b| b.access_log(&query))?)).await?;
    #[derive(Default)]
    struct Day {
        reads: usize,
        persons: BTreeSet<PersonId>,
        reasons: BTreeSet<String>,
    }
    let mut by: BTreeMap<(StaffId, NaiveDate), Day> = BTreeMap::new();
    for r in rows.iter().filter(|r| r.entry.basis.is_outside_own()) {
        let e = by.entry((r.entry.staff.clone(), local_date(r.entry.at))).or_default();
        e.reads += 1;
        e.persons.insert(r.entry.person);
        if let Some(reason) = &r.entry.reason {
            e.reasons.insert(reason.clone());
        }
    }
    let out = by
        .into_iter()
        .filter(|(_, d)| d.reads > threshold as usize)
        .map(|((staff, day), d)| UnusualReads {
            staff,
            day,
            reads_outside_own: d.reads,
            persons: d.persons.len(),
            reasons: d.reasons.into_iter().collect(),
            threshold,
        })
        .collect();
    Ok(Json(out))
}

async fn access_grants(ctx: Ctx, Query(q): Query<PeriodQuery>) -> Result<Json<Vec<AccessGrant>>, ApiError> {
    let units = reviewed(&ctx)?;
    let (from, to) = period(q.from, q.to, ctx.now)?;
    let app = ctx.app.clone();
    let rows = blocking(move || Ok(app.security.with(|b| b.grants_given(from, to, Some(&units)))?)).await?;
    Ok(Json(rows))
}

async fn security_log(ctx: Ctx, Query(q): Query<PeriodQuery>) -> Result<Json<Vec<SecurityRecord>>, ApiError> {
    let (from, to) = period(q.from, q.to, ctx.now)?;
    let app = ctx.app.clone();
    let rows = blocking(move || Ok(app.security.with(|b| b.security_log(from, to))?)).await?;
    Ok(Json(rows))
}
