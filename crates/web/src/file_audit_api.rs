//! The annual file audit (aktgranskning, SCENARIOS 8) in the API: open the year's audit for a
//! unit (the sample drawn here with `sampler::draw` and a recorded seed), read it with the
//! unit's results and last year's beside them, record answers, the .xlsx sheet out and back,
//! the analysis, improvement actions and closing. The domain judges every command
//! (`Store::execute_quality`); this file only decides who sees which audit.
//!
//! Who sees an audit (decision 0008, addendum): the quality developer who opened it and the
//! unit's manager (the assignee) in full, as for every quality matter (`Scope::matter_access`),
//! plus the **auditors**: handlers and team leaders of *other* units, while the audit is open.
//! The routine lets any handler outside the unit audit; the domain refuses anyone who handled
//! one of the files. The audit holds case ids, never names, and every computation of a file's
//! automatic answers (a read of the record) is written to the access log first.

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use chrono::Datelike;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use skyndsam_domain::calendar::local_date;
use skyndsam_domain::case::CaseState;
use skyndsam_domain::checks::{
    inspect, AuditTemplate, CaseInspection, ExtraQuestion, Question, QuestionRef, Questionnaire,
};
use skyndsam_domain::events::*;
use skyndsam_domain::ids::{CaseId, FileAuditId, StaffId, UnitId};
use skyndsam_domain::org::{Role, UnitFunction, UnitKind};
use skyndsam_domain::quality::commands::{FileAuditCommand as F, MatterCommand, QualityCommand as Q};
use skyndsam_domain::quality::stats::{file_audit_results, AuditQuestionResult};
use skyndsam_domain::quality::{FileAuditState, Matter};
use skyndsam_domain::sampler::{age_band, draw, Candidate};
use skyndsam_store::security::{AccessAction, AccessBasis};
use std::collections::HashMap;

use crate::app::{blocking, parse_json, AppState, Ctx, Json, RawJson};
use crate::error::ApiError;
use crate::routes::{query, schema, spec, RouteSpec};
use crate::scope::{Access, View};

/// Opens the year's audit (the quality developer).
pub const OPENERS: &[Role] = &[Role::QualityDeveloper];
/// Everyone who may be shown an audit (the matter access narrows further).
pub const AUDIT_READERS: &[Role] = &[
    Role::Handler,
    Role::TeamLeader,
    Role::UnitManager,
    Role::AreaManager,
    Role::HeadOfAdministration,
    Role::QualityDeveloper,
];
/// Who may answer (the domain refuses an auditor who handled the file).
pub const AUDITORS: &[Role] = &[Role::Handler, Role::TeamLeader, Role::UnitManager, Role::QualityDeveloper];
/// Drop-outs after opening: the quality developer and the unit's managers.
pub const DROP_OUT_RECORDERS: &[Role] =
    &[Role::UnitManager, Role::AreaManager, Role::HeadOfAdministration, Role::QualityDeveloper];
/// The analysis, the improvement actions and closing: the unit's managers.
pub const ANALYSTS: &[Role] = &[Role::UnitManager, Role::AreaManager, Role::HeadOfAdministration];
/// Marking an improvement action done: its owner (any audit reader) or the unit's managers;
/// the domain judges who owns it.
pub const MEASURE_COMPLETERS: &[Role] = AUDIT_READERS;
/// Who sets a unit type's questionnaire template (the domain's rule).
pub const TEMPLATE_EDITORS: &[Role] = skyndsam_domain::commands::AUDIT_TEMPLATE_EDITORS;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenFileAuditRequest {
    /// The unit (enhet) audited.
    pub unit: UnitId,
    /// The year whose files are sampled (cases received that year with an investigation).
    pub year: i32,
    /// The seed; with it the draw can be re-run.
    pub seed: u64,
    /// Files drawn (default 20).
    #[serde(default)]
    pub size: Option<usize>,
    /// Files that cannot be audited if drawn, with the reason (e.g. överflyttat).
    #[serde(default)]
    pub drop_outs: Vec<AuditDropOut>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct OpenedView {
    pub id: FileAuditId,
    pub drawn: usize,
    pub audited: usize,
}

/// An audit as the caller may see it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct FileAuditView {
    pub id: FileAuditId,
    pub unit: UnitId,
    pub year: i32,
    pub seed: u64,
    pub method: String,
    pub population: u32,
    pub files: Vec<AuditedFile>,
    pub drop_outs: Vec<AuditDropOut>,
    pub audited: usize,
    pub version: u32,
    pub assignee: Option<StaffId>,
    pub analysed_on: Option<chrono::NaiveDate>,
    pub locked_on: Option<chrono::NaiveDate>,
    /// The questions this audit asks (its unit type's template when it was opened).
    pub questions: Vec<Question>,
    /// Share of Ja per question this year.
    pub results: Vec<AuditQuestionResult>,
    /// The same unit's audit of the year before, if there is one the caller may see.
    pub previous: Option<PreviousAudit>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct PreviousAudit {
    pub id: FileAuditId,
    pub year: i32,
    pub results: Vec<AuditQuestionResult>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FileAuditCommandRequest<T> {
    pub expected_version: Option<u32>,
    pub data: T,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct FileAuditResult {
    pub id: FileAuditId,
    pub version: u32,
    pub events: usize,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct SheetImportResult {
    pub id: FileAuditId,
    pub version: u32,
    /// Answers added or changed by the sheet.
    pub changed: usize,
}

// ------------------------------------------------------------------ access

/// The caller's access to an audit: the matter rule, or an auditor from another unit while
/// the audit is open.
pub(crate) fn audit_access(ctx: &Ctx, m: &Matter, a: &FileAuditState) -> Option<Access> {
    if let Some(x) = ctx.scope.matter_access(m) {
        return Some(x);
    }
    let other_unit = ctx.scope.unit_access(&a.handling.unit).is_none();
    (matches!(ctx.scope.role, Role::Handler | Role::TeamLeader) && other_unit && a.handling.locked_on.is_none())
        .then_some(Access { view: View::Pseudonymised, basis: AccessBasis::Pseudonymised, reason: None })
}

pub(crate) fn parse_id(id: &str) -> Result<FileAuditId, ApiError> {
    FileAuditId::parse(id).map_err(|_| ApiError::not_found())
}

/// The audit, if the caller may see it; otherwise answered as not found (and logged).
pub(crate) async fn visible(ctx: &Ctx, id: FileAuditId) -> Result<(FileAuditState, Access), ApiError> {
    let found = {
        let p = ctx.app.store.projections();
        match p.matter(&id.stream()) {
            Some(m @ Matter::FileAudit(a)) => Some(audit_access(ctx, m, a).map(|x| (a.clone(), x))),
            _ => None,
        }
    };
    match found {
        None => Err(ApiError::not_found()),
        Some(None) => Err(ctx.refuse_out_of_scope(format!("aktgranskning {id}")).await),
        Some(Some(v)) => Ok(v),
    }
}

/// The catalogue: the default questionnaire, from which templates choose.
pub(crate) fn catalogue() -> Result<Questionnaire, ApiError> {
    Questionnaire::defaults().map_err(|e| ApiError::internal(format!("questionnaire: {}", e.message)))
}

/// The record's automatic answers for every audited file, as of today. Each is a read of a
/// person's record: logged before anything is sent.
async fn inspections(
    ctx: &Ctx,
    a: &FileAuditState,
    access: &Access,
) -> Result<HashMap<CaseId, CaseInspection>, ApiError> {
    inspect_files(ctx, a, access, None).await
}

/// The automatic answers of the audited files (or of `only` one of them); logged reads.
pub(crate) async fn inspect_files(
    ctx: &Ctx,
    a: &FileAuditState,
    access: &Access,
    only: Option<CaseId>,
) -> Result<HashMap<CaseId, CaseInspection>, ApiError> {
    let store = ctx.app.store.clone();
    let cases: Vec<CaseId> = a.audited().map(|f| f.case).filter(|c| only.is_none_or(|o| o == *c)).collect();
    let today = local_date(ctx.now);
    let questions = a.questions.clone();
    let (map, children) = blocking(move || {
        let mut map = HashMap::new();
        let mut children = Vec::new();
        for case in cases {
            let events = store.read_stream(&case.stream())?;
            let p = store.projections();
            if let Some(c) = p.case(&case) {
                children.push((c.child, case));
            }
            if let Some(i) = inspect(&events, p.rules(), &p.org, &questions, today) {
                map.insert(case, i);
            }
        }
        Ok((map, children))
    })
    .await?;
    let entries = children
        .into_iter()
        .map(|(child, case)| ctx.access_entry(child, Some(case), AccessAction::ReadCase, access))
        .collect();
    ctx.log_reads(entries).await?;
    Ok(map)
}

async fn run(ctx: &Ctx, id: FileAuditId, expected: Option<u32>, cmd: Q) -> Result<Json<FileAuditResult>, ApiError> {
    command(ctx, id, expected, cmd).await.map(Json)
}

/// Runs a command on the audit (the domain judges it).
pub(crate) async fn command(
    ctx: &Ctx,
    id: FileAuditId,
    expected: Option<u32>,
    cmd: Q,
) -> Result<FileAuditResult, ApiError> {
    let store = ctx.app.store.clone();
    let (actor, now) = (ctx.actor.clone(), ctx.now);
    let events = blocking(move || Ok(store.execute_quality(&cmd, expected, &actor, now)?)).await?;
    let version = ctx.app.store.projections().matter(&id.stream()).and_then(|m| m.handling()).map_or(0, |h| h.version);
    Ok(FileAuditResult { id, version, events: events.len() })
}

// ------------------------------------------------------------------ handlers

/// Opens the year's audit for a unit: the sample is drawn here, reproducibly, from the unit's
/// cases received in the year that reached an investigation.
async fn open_file_audit(ctx: Ctx, RawJson(body): RawJson) -> Result<(StatusCode, Json<OpenedView>), ApiError> {
    let req: OpenFileAuditRequest = parse_json(&body)?;
    Ok((StatusCode::CREATED, Json(open_audit(&ctx, req).await?)))
}

/// Draws the sample and opens the audit (the API's and the page's form).
pub(crate) async fn open_audit(ctx: &Ctx, req: OpenFileAuditRequest) -> Result<OpenedView, ApiError> {
    let size = req.size.unwrap_or(20);
    if !(1..=200).contains(&size) {
        return Err(ApiError::bad_input("size", "Antalet akter ska vara mellan 1 och 200."));
    }
    let opened = {
        let p = ctx.app.store.projections();
        if p.org.unit(&req.unit).is_none_or(|u| u.kind != UnitKind::Unit) {
            return Err(ApiError::bad_input("unit", "Ange en enhet."));
        }
        let enhet = |u: &UnitId| {
            p.org
                .ancestors(u)
                .into_iter()
                .find(|a| p.org.unit(a).is_some_and(|x| x.kind == UnitKind::Unit))
                .unwrap_or_else(|| u.clone())
        };
        let cases: Vec<&CaseState> = p
            .all_cases()
            .filter(|c| c.received_at.year() == req.year && c.investigation.is_some() && enhet(&c.unit) == req.unit)
            .collect();
        let candidates: Vec<Candidate> = cases
            .iter()
            .map(|c| {
                let person = p.person(&c.child);
                Candidate {
                    case: c.case,
                    sex: person.and_then(|x| x.sex),
                    age_band: age_band(person.and_then(|x| x.birth_date), c.received_at.date_naive()),
                    handler: c.handler.clone().or_else(|| c.preliminary.as_ref().map(|x| x.decided_by.clone())),
                    drop_out: req.drop_outs.iter().find(|d| d.case == c.case).map(|d| d.reason.clone()),
                }
            })
            .collect();
        if candidates.is_empty() {
            return Err(ApiError::bad_input("year", "Enheten har inga utredda ärenden det året."));
        }
        let sample = draw(&req.unit, &candidates, size, req.seed);
        FileAuditOpened {
            audit: FileAuditId(uuid::Uuid::new_v4()),
            unit: req.unit.clone(),
            year: req.year,
            seed: sample.seed,
            method: sample.method.clone(),
            population: u32::try_from(sample.population).unwrap_or(u32::MAX),
            files: sample
                .drawn
                .iter()
                .map(|d| AuditedFile { case: d.case, stratum: d.stratum.clone(), handler: d.handler.clone() })
                .collect(),
            drop_outs: sample
                .drop_outs
                .iter()
                .map(|d| AuditDropOut { case: d.case, reason: d.reason.clone() })
                .collect(),
            // Filled by the domain from the unit type's template as it stands.
            questions: Vec::new(),
        }
    };
    let id = opened.audit;
    let view = OpenedView {
        id,
        drawn: opened.files.len(),
        audited: opened.files.len().saturating_sub(opened.drop_outs.len()),
    };
    command(ctx, id, None, Q::OpenFileAudit(opened)).await?;
    Ok(view)
}

async fn get_file_audit(ctx: Ctx, Path(id): Path<String>) -> Result<Json<FileAuditView>, ApiError> {
    Ok(Json(audit_view(&ctx, &id).await?))
}

/// The audit as the caller may see it (the API's answer and the page's content).
pub(crate) async fn audit_view(ctx: &Ctx, id: &str) -> Result<FileAuditView, ApiError> {
    let id = parse_id(id)?;
    let (a, _) = visible(ctx, id).await?;
    let previous = {
        let p = ctx.app.store.projections();
        let found = p.matters().find_map(|m| match m {
            Matter::FileAudit(x)
                if x.handling.unit == a.handling.unit && x.year == a.year - 1 && audit_access(ctx, m, x).is_some() =>
            {
                Some(PreviousAudit { id: x.id, year: x.year, results: file_audit_results(x) })
            }
            _ => None,
        });
        found
    };
    Ok(FileAuditView {
        id,
        unit: a.handling.unit.clone(),
        year: a.year,
        seed: a.seed,
        method: a.method.clone(),
        population: a.population,
        audited: a.audited().count(),
        files: a.files.clone(),
        drop_outs: a.drop_outs.clone(),
        version: a.handling.version,
        assignee: a.handling.assignee.clone(),
        analysed_on: a.analysed_on,
        locked_on: a.handling.locked_on,
        questions: a.questions.question.clone(),
        results: file_audit_results(&a),
        previous,
    })
}

/// The automatic answers with their evidence for every audited file (logged reads).
async fn get_file_audit_files(ctx: Ctx, Path(id): Path<String>) -> Result<Json<Vec<CaseInspection>>, ApiError> {
    let id = parse_id(&id)?;
    let (a, access) = visible(&ctx, id).await?;
    let map = inspections(&ctx, &a, &access).await?;
    Ok(Json(a.audited().filter_map(|f| map.get(&f.case).cloned()).collect()))
}

/// A command on one audit: the id parsed, the audit visible to the caller (else "not
/// found"), the body read as `{expected_version, data}`, and `cmd` built from the data.
async fn api_command<T: serde::de::DeserializeOwned>(
    ctx: &Ctx,
    id: &str,
    body: &[u8],
    cmd: impl FnOnce(FileAuditId, T) -> Q,
) -> CommandResult {
    let id = parse_id(id)?;
    visible(ctx, id).await?;
    let req: FileAuditCommandRequest<T> = parse_json(body)?;
    run(ctx, id, req.expected_version, cmd(id, req.data)).await
}

type CommandResult = Result<Json<FileAuditResult>, ApiError>;

async fn record_answers(ctx: Ctx, Path(id): Path<String>, RawJson(body): RawJson) -> CommandResult {
    api_command(&ctx, &id, &body, |id, answers: Vec<AuditAnswer>| {
        Q::FileAudit(id, F::Answer(FileAuditAnswersRecorded { answers, source: "manuell".into() }))
    })
    .await
}

async fn analyse(ctx: Ctx, Path(id): Path<String>, RawJson(body): RawJson) -> CommandResult {
    api_command(&ctx, &id, &body, |id, data: FileAuditAnalysed| Q::FileAudit(id, F::Analyse(data))).await
}

async fn decide_measure(ctx: Ctx, Path(id): Path<String>, RawJson(body): RawJson) -> CommandResult {
    api_command(&ctx, &id, &body, |id, data: MeasureDecided| {
        Q::FileAudit(id, F::Matter(MatterCommand::DecideMeasure(data)))
    })
    .await
}

async fn complete_measure(ctx: Ctx, Path(id): Path<String>, RawJson(body): RawJson) -> CommandResult {
    api_command(&ctx, &id, &body, |id, data: MeasureCompleted| {
        Q::FileAudit(id, F::Matter(MatterCommand::CompleteMeasure(data)))
    })
    .await
}

async fn drop_out(ctx: Ctx, Path(id): Path<String>, RawJson(body): RawJson) -> CommandResult {
    api_command(&ctx, &id, &body, |id, data: FileAuditDropOutRecorded| Q::FileAudit(id, F::DropOut(data))).await
}

async fn close(ctx: Ctx, Path(id): Path<String>, RawJson(body): RawJson) -> CommandResult {
    api_command(&ctx, &id, &body, |id, data: MatterLocked| Q::FileAudit(id, F::Close(data))).await
}

async fn sheet_rows(ctx: &Ctx, id: FileAuditId) -> Result<(FileAuditState, Vec<Vec<String>>, SheetInputs), ApiError> {
    let (a, access) = visible(ctx, id).await?;
    let map = inspections(ctx, &a, &access).await?;
    let store = ctx.app.store.clone();
    let events = blocking(move || Ok(store.read_stream(&id.stream())?)).await?;
    let comments = skyndsam_report::file_audit::comments(&events);
    let questions = a.questions.clone();
    let rows = skyndsam_report::file_audit::sheet(&a, &questions, &map, &comments);
    Ok((a, rows, SheetInputs { questions, inspections: map, comments }))
}

struct SheetInputs {
    questions: Questionnaire,
    inspections: HashMap<CaseId, CaseInspection>,
    comments: HashMap<(CaseId, skyndsam_domain::checks::Section, String), String>,
}

/// The unit's sheet as .xlsx (case ids, never names).
pub(crate) async fn get_sheet(ctx: Ctx, Path(id): Path<String>) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    let (a, rows, _) = sheet_rows(&ctx, id).await?;
    let bytes = skyndsam_report::xlsx::write("Aktgranskning", &rows, &skyndsam_report::file_audit::WIDTHS)
        .map_err(|e| ApiError::internal(format!("xlsx: {e}")))?;
    let name = format!("attachment; filename=\"aktgranskning-{}-{}.xlsx\"", a.handling.unit, a.year);
    let disposition = HeaderValue::from_str(&name)
        .unwrap_or_else(|_| HeaderValue::from_static("attachment; filename=\"aktgranskning.xlsx\""));
    Ok(([(header::CONTENT_TYPE, HeaderValue::from_static(XLSX)), (header::CONTENT_DISPOSITION, disposition)], bytes)
        .into_response())
}

/// The sheet back: only the answers it adds or changes; on any bad row nothing is written
/// and every error is named with its row number.
async fn put_sheet(ctx: Ctx, Path(id): Path<String>, body: Bytes) -> Result<Json<SheetImportResult>, ApiError> {
    let id = parse_id(&id)?;
    match import_sheet(&ctx, id, &body).await? {
        Ok(r) => Ok(Json(r)),
        Err(errs) => Err(ApiError::bad_input("file", errs.join(" "))),
    }
}

/// Reads a sheet back (the API's PUT and the page's upload): the result, or every bad row
/// (then nothing is written).
pub(crate) async fn import_sheet(
    ctx: &Ctx,
    id: FileAuditId,
    body: &[u8],
) -> Result<Result<SheetImportResult, Vec<String>>, ApiError> {
    let (a, _, inputs) = sheet_rows(ctx, id).await?;
    let rows = match skyndsam_report::xlsx::read(body) {
        Ok(r) => r,
        Err(e) => return Ok(Err(vec![format!("Filen kunde inte läsas som .xlsx: {e}")])),
    };
    let changes = match skyndsam_report::file_audit::answers_from_sheet(
        &rows,
        &a,
        &inputs.questions,
        &inputs.inspections,
        &inputs.comments,
    ) {
        Ok(c) => c,
        Err(errs) => return Ok(Err(errs)),
    };
    let changed = changes.len();
    if changed == 0 {
        return Ok(Ok(SheetImportResult { id, version: a.handling.version, changed }));
    }
    let cmd =
        Q::FileAudit(id, F::Answer(FileAuditAnswersRecorded { answers: changes, source: "aktgranskning.xlsx".into() }));
    let r = command(ctx, id, Some(a.handling.version), cmd).await?;
    Ok(Ok(SheetImportResult { id, version: r.version, changed }))
}

// ------------------------------------------------------------------ questionnaire templates

/// One unit type's file-audit questionnaire.
#[derive(Debug, Serialize, JsonSchema)]
pub struct AuditTemplateView {
    pub function: UnitFunction,
    /// The unit type in Swedish.
    pub label: String,
    /// Set by the quality developer; false: no template is recorded and the whole catalogue
    /// is asked.
    pub recorded: bool,
    /// The catalogue's questions asked.
    pub include: Vec<QuestionRef>,
    /// The unit type's own questions.
    pub extra: Vec<ExtraQuestion>,
    /// The questions an audit of a unit of this type opened now asks, in order.
    pub questions: Vec<Question>,
}

/// The catalogue and every unit type's template.
#[derive(Debug, Serialize, JsonSchema)]
pub struct AuditTemplatesView {
    /// The catalogue (the default questionnaire) the templates choose from.
    pub catalogue: Vec<Question>,
    pub templates: Vec<AuditTemplateView>,
}

/// A unit type's new questionnaire.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetAuditTemplateRequest {
    /// The catalogue's questions asked, by section and id.
    pub include: Vec<QuestionRef>,
    /// The unit type's own judgement questions (stable id, section, Swedish text).
    #[serde(default)]
    pub extra: Vec<ExtraQuestion>,
}

/// The unit types that can have a template (every one that is audited).
pub(crate) fn template_functions() -> impl Iterator<Item = UnitFunction> {
    UnitFunction::ALL.into_iter().filter(|f| *f != UnitFunction::Management)
}

pub(crate) fn parse_function(code: &str) -> Result<UnitFunction, ApiError> {
    UnitFunction::from_code(code).filter(|f| *f != UnitFunction::Management).ok_or_else(ApiError::not_found)
}

/// One unit type's template as it stands (the whole catalogue when none is recorded).
pub(crate) fn template_view(ctx: &Ctx, function: UnitFunction, catalogue: &Questionnaire) -> AuditTemplateView {
    let p = ctx.app.store.projections();
    let recorded = p.org.audit_templates.get(&function);
    let t = recorded.cloned().unwrap_or_else(|| AuditTemplate::whole(function, catalogue));
    AuditTemplateView {
        function,
        label: function.label_sv().to_owned(),
        recorded: recorded.is_some(),
        questions: t.questionnaire(catalogue).question,
        include: t.include,
        extra: t.extra,
    }
}

async fn list_templates(ctx: Ctx) -> Result<Json<AuditTemplatesView>, ApiError> {
    let catalogue = catalogue()?;
    let templates = template_functions().map(|f| template_view(&ctx, f, &catalogue)).collect();
    Ok(Json(AuditTemplatesView { catalogue: catalogue.question, templates }))
}

async fn get_template(ctx: Ctx, Path(function): Path<String>) -> Result<Json<AuditTemplateView>, ApiError> {
    let function = parse_function(&function)?;
    Ok(Json(template_view(&ctx, function, &catalogue()?)))
}

/// Records a unit type's template (the API's PUT and the page's form).
pub(crate) async fn set_template(
    ctx: &Ctx,
    function: UnitFunction,
    req: SetAuditTemplateRequest,
) -> Result<AuditTemplateView, ApiError> {
    let catalogue = catalogue()?;
    let t = AuditTemplate { function, include: req.include, extra: req.extra };
    crate::delegation_api::append_org(ctx, |c| skyndsam_domain::commands::set_audit_template(&t, &catalogue, c))
        .await?;
    Ok(template_view(ctx, function, &catalogue))
}

async fn put_template(
    ctx: Ctx,
    Path(function): Path<String>,
    RawJson(body): RawJson,
) -> Result<Json<AuditTemplateView>, ApiError> {
    let function = parse_function(&function)?;
    let req: SetAuditTemplateRequest = parse_json(&body)?;
    Ok(Json(set_template(&ctx, function, req).await?))
}

// ------------------------------------------------------------------ the routes

/// The file audit's routes, for the one route table.
pub fn routes() -> Vec<(RouteSpec, MethodRouter<AppState>)> {
    use axum::routing::{get, post, put};
    use Method as M;
    let cmd = |path: &'static str, op: &str, summary: &str, roles: &'static [Role], body| {
        spec(
            M::POST,
            path,
            op,
            summary,
            "aktgranskning",
            roles,
            Some("quality:write"),
            body,
            Some(schema::<FileAuditResult>),
            200,
        )
    };
    vec![
        (
            spec(
                M::GET,
                "/api/file-audit-templates",
                "file_audit_templates",
                "Aktgranskningens frågekatalog och frågemallen för varje enhetstyp",
                "aktgranskning",
                AUDIT_READERS,
                Some("quality:read"),
                None,
                Some(schema::<AuditTemplatesView>),
                200,
            ),
            get(list_templates),
        ),
        (
            spec(
                M::GET,
                "/api/file-audit-templates/{function}",
                "file_audit_template",
                "En enhetstyps frågemall (hela katalogen om ingen mall är satt)",
                "aktgranskning",
                AUDIT_READERS,
                Some("quality:read"),
                None,
                Some(schema::<AuditTemplateView>),
                200,
            ),
            get(get_template),
        ),
        (
            spec(
                M::PUT,
                "/api/file-audit-templates/{function}",
                "set_file_audit_template",
                "Sätt en enhetstyps frågemall: valda katalogfrågor och egna frågor (gäller granskningar som öppnas efter)",
                "aktgranskning",
                TEMPLATE_EDITORS,
                Some("quality:write"),
                Some(schema::<SetAuditTemplateRequest>),
                Some(schema::<AuditTemplateView>),
                200,
            ),
            put(put_template),
        ),
        (
            spec(
                M::POST,
                "/api/file-audits",
                "open_file_audit",
                "Öppna årets aktgranskning för en enhet (urvalet dras med registrerat frö)",
                "aktgranskning",
                OPENERS,
                Some("quality:write"),
                Some(schema::<OpenFileAuditRequest>),
                Some(schema::<OpenedView>),
                201,
            ),
            post(open_file_audit),
        ),
        (
            spec(
                M::GET,
                "/api/file-audits/{id}",
                "get_file_audit",
                "Aktgranskningen: urval, bortfall och enhetens resultat per fråga med förra årets bredvid",
                "aktgranskning",
                AUDIT_READERS,
                Some("quality:read"),
                None,
                Some(schema::<FileAuditView>),
                200,
            ),
            get(get_file_audit),
        ),
        (
            query(
                spec(
                    M::GET,
                    "/api/file-audits/{id}/files",
                    "file_audit_files",
                    "De automatiska svaren med underlag för varje granskad akt (läsningarna loggas)",
                    "aktgranskning",
                    AUDIT_READERS,
                    Some("quality:read"),
                    None,
                    Some(schema::<Vec<CaseInspection>>),
                    200,
                ),
                &[],
            ),
            get(get_file_audit_files),
        ),
        (
            cmd(
                "/api/file-audits/{id}/answers",
                "file_audit_answers",
                "Registrera granskarens svar (avvikelse från det automatiska svaret kräver kommentar)",
                AUDITORS,
                Some(schema::<FileAuditCommandRequest<Vec<AuditAnswer>>>),
            ),
            post(record_answers),
        ),
        (
            cmd(
                "/api/file-audits/{id}/drop-outs",
                "file_audit_drop_out",
                "Registrera bortfall: en dragen akt som inte kan granskas, med skäl",
                DROP_OUT_RECORDERS,
                Some(schema::<FileAuditCommandRequest<FileAuditDropOutRecorded>>),
            ),
            post(drop_out),
        ),
        (
            cmd(
                "/api/file-audits/{id}/analysis",
                "file_audit_analysis",
                "Enhetens analys: hur behåller vi goda resultat, vad ska förbättras",
                ANALYSTS,
                Some(schema::<FileAuditCommandRequest<FileAuditAnalysed>>),
            ),
            post(analyse),
        ),
        (
            cmd(
                "/api/file-audits/{id}/measures",
                "file_audit_measure",
                "Förbättringsåtgärd med ansvarig och datum (hamnar i ansvarigas Att göra)",
                ANALYSTS,
                Some(schema::<FileAuditCommandRequest<MeasureDecided>>),
            ),
            post(decide_measure),
        ),
        (
            cmd(
                "/api/file-audits/{id}/measure-completion",
                "file_audit_measure_completion",
                "Markera en förbättringsåtgärd som genomförd (den som äger åtgärden eller enhetens chefer)",
                MEASURE_COMPLETERS,
                Some(schema::<FileAuditCommandRequest<MeasureCompleted>>),
            ),
            post(complete_measure),
        ),
        (
            cmd(
                "/api/file-audits/{id}/close",
                "file_audit_close",
                "Avsluta aktgranskningen (alla akter besvarade och analysen skriven)",
                ANALYSTS,
                Some(schema::<FileAuditCommandRequest<MatterLocked>>),
            ),
            post(close),
        ),
        (
            spec(
                M::GET,
                "/api/file-audits/{id}/sheet.xlsx",
                "file_audit_sheet",
                "Enhetens granskningsblad som .xlsx (ärende-id, aldrig namn; läsningarna loggas)",
                "aktgranskning",
                AUDIT_READERS,
                Some("quality:read"),
                None,
                None,
                200,
            ),
            get(get_sheet),
        ),
        (
            spec(
                M::PUT,
                "/api/file-audits/{id}/sheet.xlsx",
                "file_audit_import_sheet",
                "Läs in granskningsbladet (.xlsx): fel anges med radnummer och då registreras inget",
                "aktgranskning",
                AUDITORS,
                Some("quality:write"),
                None,
                Some(schema::<SheetImportResult>),
                200,
            ),
            put(put_sheet),
        ),
    ]
}
