//! Aktgranskning (SCENARIOS 8) in the browser: the list of audits with the quality
//! developer's form to open the year's audit for a unit; the audit's page — the sample with
//! its seed and method, the drop-outs with their reasons (and a form to record one), the
//! results per question with last year's beside them, the unit's analysis ("Hur behåller vi
//! goda resultat?", "Vilka förbättringsåtgärder?"), improvement actions with owner and date
//! (they land in the owner's Att göra through the quality book), the .xlsx download and
//! upload (errors by row); and one file's judgement questions with the record's automatic
//! answers pre-filled, overridable with a comment.
//!
//! Every form is a plain POST with the CSRF token (no script needed) and sends the API's
//! commands (`file_audit_api::command`, `open_audit`, `import_sheet`), so a form and a JSON
//! call cannot disagree; each act is offered and accepted only for the roles the API's route
//! gives it. Who sees which audit is decided by `file_audit_api::visible` (as the API).

use askama::Template;
use axum::body::Bytes;
use axum::extract::multipart::{MultipartError, MultipartRejection};
use axum::extract::{Multipart, Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Datelike;
use skyndsam_domain::calendar::local_date;
use skyndsam_domain::checks::{Reply, Section};
use skyndsam_domain::events::{
    AuditAnswer, FileAuditAnalysed, FileAuditAnswersRecorded, FileAuditDropOutRecorded, Payload,
};
use skyndsam_domain::ids::{CaseId, FileAuditId};
use skyndsam_domain::org::{Role, UnitKind};
use skyndsam_domain::quality::commands::{FileAuditCommand as F, MatterCommand, QualityCommand as Q};
use skyndsam_domain::quality::model::{MatterLocked, MeasureCompleted, MeasureDecided};
use skyndsam_domain::quality::Matter;
use std::collections::HashMap;

use super::pages::{render, Chrome, FormState};
use super::quality::{add, date, form_of, prefilled, refusal, required, see_other, staff, staff_options};
use super::session::{same, Fields, Session, SessionForm, UiError, CSRF_FIELD};
use crate::file_audit_api::{
    audit_access, audit_view, command, get_sheet, import_sheet, inspect_files, open_audit, parse_id, visible,
    OpenFileAuditRequest, ANALYSTS, AUDITORS, DROP_OUT_RECORDERS, MEASURE_COMPLETERS, OPENERS,
};
use crate::quality::views::{staff_name, unit_name};

/// The roles the audit pages' gate lets through (the audit's access narrows further).
pub use crate::file_audit_api::AUDIT_READERS;

// ------------------------------------------------------------------ the list and opening

pub struct ListRow {
    pub link: String,
    pub unit: String,
    pub year: i32,
    pub drawn: usize,
    pub audited: usize,
    pub status: &'static str,
}

#[derive(Template)]
#[template(path = "audit_list.html")]
struct ListPage {
    chrome: Option<Chrome>,
    csrf: String,
    rows: Vec<ListRow>,
    open: bool,
    units: Vec<(String, String)>,
    active: FormState,
}

impl ListPage {
    fn form(&self, _: &str) -> FormState {
        self.active.clone()
    }
}

fn list_page(s: &Session, form: FormState) -> ListPage {
    let p = s.ctx.app.store.projections();
    let mut rows: Vec<ListRow> = p
        .matters()
        .filter_map(|m| match m {
            Matter::FileAudit(a) if audit_access(&s.ctx, m, a).is_some() => Some(ListRow {
                link: format!("/aktgranskning/{}", a.id),
                unit: unit_name(&p.org, &a.handling.unit),
                year: a.year,
                drawn: a.files.len(),
                audited: a.audited().count(),
                status: if a.handling.locked_on.is_some() {
                    "Avslutad"
                } else if a.analysed_on.is_some() {
                    "Analyserad"
                } else {
                    "Pågår"
                },
            }),
            _ => None,
        })
        .collect();
    rows.sort_by(|a, b| b.year.cmp(&a.year).then_with(|| a.unit.cmp(&b.unit)));
    let mut units: Vec<(String, String)> =
        p.org.units.values().filter(|u| u.kind == UnitKind::Unit).map(|u| (u.id.to_string(), u.name.clone())).collect();
    units.sort_by(|a, b| a.1.cmp(&b.1));
    ListPage {
        chrome: Some(Chrome::of(s)),
        csrf: s.csrf.clone(),
        rows,
        open: OPENERS.contains(&s.ctx.actor.role),
        units,
        active: form,
    }
}

/// The audits the caller sees, and (for the quality developer) the form to open one.
pub async fn list(s: Session) -> Result<Response, UiError> {
    let year = local_date(s.ctx.now).year() - 1;
    // A fresh seed to start from; it is shown, can be changed, and is recorded with the draw.
    let seed = uuid::Uuid::new_v4().as_u64_pair().0 % 1_000_000;
    let form = prefilled(&[("year", year.to_string()), ("seed", seed.to_string()), ("size", "20".into())]);
    Ok(render(StatusCode::OK, &list_page(&s, form)))
}

/// Opens the year's audit for a unit: the sample is drawn on the server from the seed.
pub async fn open(f: SessionForm) -> Result<Response, UiError> {
    let s = f.session;
    let mut form = form_of(f.fields);
    let unit = super::quality::unit(&mut form, "unit", "Välj enheten som ska granskas.");
    let year = form.value("year").trim().parse::<i32>().ok().filter(|y| (2000..=2100).contains(y));
    if year.is_none() {
        add(&mut form, "year", "Ange året som ett årtal, t.ex. 2025.");
    }
    let seed = form.value("seed").trim().parse::<u64>().ok();
    if seed.is_none() {
        add(&mut form, "seed", "Ange fröet som ett heltal (0 eller större).");
    }
    let size = form.value("size").trim().parse::<usize>().ok().filter(|n| (1..=200).contains(n));
    if size.is_none() {
        add(&mut form, "size", "Ange antalet akter (1–200).");
    }
    if let (true, Some(unit), Some(year), Some(seed), Some(size)) = (form.errors.is_empty(), unit, year, seed, size) {
        let req = OpenFileAuditRequest { unit, year, seed, size: Some(size), drop_outs: Vec::new() };
        match open_audit(&s.ctx, req).await {
            Ok(v) => return Ok(see_other(&format!("/aktgranskning/{}", v.id))),
            Err(e) => refusal(&mut form, e, "unit")?,
        }
    }
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &list_page(&s, form)))
}

// ------------------------------------------------------------------ the audit's page

pub struct FileRow {
    pub case: String,
    pub stratum: String,
    pub drop_out: Option<String>,
    /// Questions answered by an auditor so far.
    pub answered: usize,
    /// The file's answering page, while the audit is open and the file is audited.
    pub link: Option<String>,
}

pub struct ResultRow {
    pub question: String,
    /// The question's text in this audit's questionnaire.
    pub text: String,
    pub yes: u32,
    pub no: u32,
    pub not_applicable: u32,
    pub overridden: u32,
    pub share: String,
    pub previous: String,
}

pub struct MeasureRow {
    pub number: u32,
    pub text: String,
    pub owner: String,
    pub due: String,
    pub done: String,
}

#[derive(Template)]
#[template(path = "audit_file_audit.html")]
struct AuditPage {
    chrome: Option<Chrome>,
    csrf: String,
    id: String,
    action: String,
    version: u32,
    unit: String,
    year: i32,
    seed: u64,
    method: String,
    population: u32,
    drawn: usize,
    audited: usize,
    files: Vec<FileRow>,
    results: Vec<ResultRow>,
    previous_year: Option<i32>,
    analysis: Option<(String, String)>,
    measures: Vec<MeasureRow>,
    closed: Option<String>,
    /// Files that can still become drop-outs (drawn, not a drop-out, not answered).
    droppable: Vec<(String, String)>,
    may_drop_out: bool,
    may_analyse: bool,
    may_upload: bool,
    staff: Vec<(String, String)>,
    /// Actions the caller may mark done: not done, and theirs (or the caller is a manager).
    completable: Vec<(String, String)>,
    today: String,
    with_comment: bool,
    /// The unit's managers close the audit while it is open.
    may_close: bool,
    imported: Option<usize>,
    sheet_errors: Vec<String>,
    active: Option<(String, FormState)>,
}

impl AuditPage {
    fn form(&self, action: &str) -> FormState {
        match &self.active {
            Some((a, f)) if a == action => f.clone(),
            _ if action == "atgard-klar" => prefilled(&[("completed_on", self.today.clone())]),
            _ if action == "analys" => match &self.analysis {
                Some((k, i)) => prefilled(&[("keep_doing", k.clone()), ("improve", i.clone())]),
                None => FormState::default(),
            },
            _ => FormState::default(),
        }
    }
}

fn share(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_owned(), |s| format!("{:.0} %", s * 100.0))
}

#[derive(serde::Deserialize, Default)]
pub struct PageQuery {
    inlast: Option<usize>,
}

async fn page_of(
    s: &Session,
    id: &str,
    active: Option<(String, FormState)>,
    sheet_errors: Vec<String>,
    imported: Option<usize>,
) -> Result<AuditPage, UiError> {
    let v = audit_view(&s.ctx, id).await?;
    let (a, _) = visible(&s.ctx, v.id).await?;
    let store = s.ctx.app.store.clone();
    let stream = v.id.stream();
    let events = crate::app::blocking(move || Ok(store.read_stream(&stream)?)).await?;
    let mut analysis = None;
    let mut texts: HashMap<u32, String> = HashMap::new();
    for e in &events {
        match &e.payload {
            Payload::FileAuditAnalysed(x) => analysis = Some((x.keep_doing.clone(), x.improve.clone())),
            Payload::MeasureDecided(m) => {
                texts.insert(m.measure, m.description.clone());
            }
            _ => {}
        }
    }
    let previous: HashMap<String, Option<f64>> = v
        .previous
        .as_ref()
        .map(|p| p.results.iter().map(|r| (r.question.clone(), r.share_yes)).collect())
        .unwrap_or_default();
    let open = v.locked_on.is_none();
    let answered = |c: &CaseId| a.answers.keys().filter(|(x, _, _)| x == c).count();
    let files = v
        .files
        .iter()
        .map(|f| {
            let drop_out = v.drop_outs.iter().find(|d| d.case == f.case).map(|d| d.reason.clone());
            FileRow {
                case: f.case.to_string(),
                stratum: f.stratum.clone(),
                link: (open && drop_out.is_none()).then(|| format!("/aktgranskning/{}/akter/{}", v.id, f.case)),
                drop_out,
                answered: answered(&f.case),
            }
        })
        .collect();
    let droppable = v
        .files
        .iter()
        .filter(|f| !v.drop_outs.iter().any(|d| d.case == f.case) && answered(&f.case) == 0)
        .map(|f| (f.case.to_string(), format!("{} ({})", f.case, f.stratum)))
        .collect();
    let results = v
        .results
        .iter()
        .map(|r| ResultRow {
            question: r.question.clone(),
            text: a.questions.get(r.section, &r.question).map(|q| q.text.clone()).unwrap_or_default(),
            yes: r.yes,
            no: r.no,
            not_applicable: r.not_applicable,
            overridden: r.overridden,
            share: share(r.share_yes),
            previous: previous.get(&r.question).map_or_else(|| "–".to_owned(), |p| share(*p)),
        })
        .collect();
    let measures = {
        let p = s.ctx.app.store.projections();
        a.handling
            .measures
            .iter()
            .map(|m| MeasureRow {
                number: m.measure,
                text: texts.get(&m.measure).cloned().unwrap_or_else(|| "–".into()),
                owner: staff_name(&p.org, &m.owner),
                due: m.due.to_string(),
                done: m.completed_on.map(|d| d.to_string()).unwrap_or_else(|| "Nej".into()),
            })
            .collect()
    };
    let unit = {
        let p = s.ctx.app.store.projections();
        unit_name(&p.org, &v.unit)
    };
    let role = s.ctx.actor.role;
    let me = &s.ctx.actor.staff;
    let completable = a
        .handling
        .measures
        .iter()
        .filter(|m| m.completed_on.is_none() && MEASURE_COMPLETERS.contains(&role))
        .filter(|m| &m.owner == me || ANALYSTS.contains(&role))
        .map(|m| {
            let text = texts.get(&m.measure).cloned().unwrap_or_else(|| format!("Åtgärd {}", m.measure));
            (m.measure.to_string(), format!("{}: {text} (senast {})", m.measure, m.due))
        })
        .collect();
    Ok(AuditPage {
        chrome: Some(Chrome::of(s)),
        csrf: s.csrf.clone(),
        id: v.id.to_string(),
        action: format!("/aktgranskning/{}", v.id),
        version: v.version,
        unit,
        year: v.year,
        seed: v.seed,
        method: v.method.clone(),
        population: v.population,
        drawn: v.files.len(),
        audited: v.audited,
        files,
        results,
        previous_year: v.previous.as_ref().map(|p| p.year),
        analysis,
        measures,
        closed: v.locked_on.map(|d| d.to_string()),
        droppable,
        may_drop_out: open && DROP_OUT_RECORDERS.contains(&role),
        may_analyse: open && ANALYSTS.contains(&role),
        may_upload: open && AUDITORS.contains(&role),
        staff: if open && ANALYSTS.contains(&role) { staff_options(s) } else { Vec::new() },
        completable,
        today: local_date(s.ctx.now).to_string(),
        with_comment: true,
        may_close: open && ANALYSTS.contains(&role),
        imported,
        sheet_errors,
        active,
    })
}

pub async fn page(s: Session, Path(id): Path<String>, Query(q): Query<PageQuery>) -> Result<Response, UiError> {
    let page = page_of(&s, &id, None, Vec::new(), q.inlast).await?;
    Ok(render(StatusCode::OK, &page))
}

/// The page's forms, at one address: `atgard` names the act (bortfall, analys, atgard,
/// atgard-klar, avsluta), each offered and accepted for the roles of its API route.
pub async fn act(Path(id): Path<String>, f: SessionForm) -> Result<Response, UiError> {
    let s = f.session;
    let audit = parse_id(&id)?;
    visible(&s.ctx, audit).await?;
    let mut form = form_of(f.fields);
    let action = form.value("atgard").to_owned();
    let role = s.ctx.actor.role;
    let allowed = |roles: &[Role]| roles.contains(&role);
    let (built, fallback): (Option<F>, &str) = match action.as_str() {
        "bortfall" if allowed(DROP_OUT_RECORDERS) => {
            let case = CaseId::parse(form.value("case").trim()).ok();
            if case.is_none() {
                add(&mut form, "case", "Välj akten som faller bort.");
            }
            let reason = required(&mut form, "reason", "Skriv skälet till bortfallet, t.ex. överflyttat.");
            let cmd = case.zip(reason).map(|(case, reason)| F::DropOut(FileAuditDropOutRecorded { case, reason }));
            (cmd, "reason")
        }
        "analys" if allowed(ANALYSTS) => {
            let keep = required(&mut form, "keep_doing", "Skriv hur ni behåller goda resultat.");
            let improve = required(&mut form, "improve", "Skriv vilka förbättringsåtgärder som behövs.");
            let cmd =
                keep.zip(improve).map(|(keep_doing, improve)| F::Analyse(FileAuditAnalysed { keep_doing, improve }));
            (cmd, "keep_doing")
        }
        "atgard" if allowed(ANALYSTS) => {
            let description = required(&mut form, "description", "Beskriv åtgärden.");
            let owner = staff(&mut form, "owner", "Välj vem som ansvarar för åtgärden.");
            let due = date(&mut form, "due", "när åtgärden ska vara genomförd");
            let cmd = match (description, owner, due) {
                (Some(description), Some(owner), Some(due)) => {
                    Some(F::Matter(MatterCommand::DecideMeasure(MeasureDecided {
                        measure: 0,
                        description,
                        owner,
                        due,
                    })))
                }
                _ => None,
            };
            (cmd, "description")
        }
        "atgard-klar" if allowed(MEASURE_COMPLETERS) => {
            let measure = form.value("measure").trim().parse::<u32>().ok();
            if measure.is_none() {
                add(&mut form, "measure", "Välj åtgärden.");
            }
            let on = date(&mut form, "completed_on", "när åtgärden genomfördes");
            let comment = form.values.opt("comment");
            let cmd = measure.zip(on).map(|(measure, completed_on)| {
                F::Matter(MatterCommand::CompleteMeasure(MeasureCompleted { measure, completed_on, comment }))
            });
            (cmd, "measure")
        }
        "avsluta" if allowed(ANALYSTS) => {
            let summary = required(&mut form, "summary", "Skriv en sammanfattning av granskningen.");
            (summary.map(|summary| F::Close(MatterLocked { summary })), "summary")
        }
        "bortfall" | "analys" | "atgard" | "atgard-klar" | "avsluta" => {
            add(&mut form, "atgard", "Du har inte behörighet att göra det här i aktgranskningen.");
            (None, "atgard")
        }
        _ => {
            add(&mut form, "atgard", "Okänd åtgärd. Ladda om sidan och försök igen.");
            (None, "atgard")
        }
    };
    if let (true, Some(cmd)) = (form.errors.is_empty(), built) {
        let expected = form.value("expected_version").trim().parse::<u32>().ok();
        match command(&s.ctx, audit, expected, Q::FileAudit(audit, cmd)).await {
            Ok(_) => {
                let anchor = match action.as_str() {
                    "bortfall" => "urval",
                    "analys" => "analys",
                    _ => "atgarder",
                };
                return Ok(see_other(&format!("/aktgranskning/{audit}#{anchor}")));
            }
            Err(e) => refusal(&mut form, e, fallback)?,
        }
    }
    let page = page_of(&s, &id, Some((action, form)), Vec::new(), None).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

/// The unit's sheet (.xlsx) from the page: the same as the API's, under the session.
pub async fn sheet(s: Session, Path(id): Path<String>) -> Result<Response, UiError> {
    Ok(get_sheet(s.ctx, Path(id)).await?)
}

/// The sheet back from a plain file form (multipart/form-data with the CSRF token, read by
/// axum's `Multipart` under the router's body limit): only the answers it adds or changes;
/// on any bad row nothing is written and every row's error is shown.
pub async fn upload(
    s: Session,
    Path(id): Path<String>,
    form: Result<Multipart, MultipartRejection>,
) -> Result<Response, UiError> {
    let audit = parse_id(&id)?;
    visible(&s.ctx, audit).await?;
    // A body that is not multipart has no fields: it fails the CSRF check below.
    let (csrf, file) = match form {
        Ok(m) => parts(m).await?,
        Err(_) => (String::new(), None),
    };
    if !same(&csrf, &s.csrf) {
        s.ctx
            .log_security(
                skyndsam_store::security::SecurityKind::RequestRefused,
                "formulär utan giltig CSRF-token".into(),
            )
            .await?;
        return Err(UiError::Page {
            status: StatusCode::FORBIDDEN,
            message:
                "Formuläret kunde inte tas emot (säkerhetskontrollen misslyckades). Ladda om sidan och försök igen."
                    .into(),
        });
    }
    let errors = if !AUDITORS.contains(&s.ctx.actor.role) {
        vec!["Du har inte behörighet att läsa in granskningsbladet.".to_owned()]
    } else {
        match file.filter(|b| !b.is_empty()) {
            None => vec!["Välj en .xlsx-fil att läsa in.".to_owned()],
            Some(bytes) => match import_sheet(&s.ctx, audit, &bytes).await {
                Ok(Ok(r)) => return Ok(see_other(&format!("/aktgranskning/{audit}?inlast={}#blad", r.changed))),
                Ok(Err(errs)) => errs,
                Err(e) if e.status.is_client_error() && e.status != StatusCode::NOT_FOUND => vec![e.message],
                Err(e) => return Err(e.into()),
            },
        }
    };
    let page = page_of(&s, &id, None, errors, None).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

/// The upload form's two fields: the CSRF token and the file (other fields are skipped). A
/// body over the limit, or one that is not a well-formed form, is answered with a page.
async fn parts(mut m: Multipart) -> Result<(String, Option<Bytes>), UiError> {
    let unreadable = |e: MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            UiError::Page {
                status: StatusCode::PAYLOAD_TOO_LARGE,
                message: format!(
                    "Filen är för stor (högst {} kB). Spara bladet utan bilder och försök igen.",
                    crate::app::BODY_LIMIT / 1024
                ),
            }
        } else {
            UiError::Page { status: StatusCode::BAD_REQUEST, message: "Formuläret kunde inte läsas.".into() }
        }
    };
    let (mut csrf, mut file) = (String::new(), None);
    while let Some(field) = m.next_field().await.map_err(unreadable)? {
        match field.name() {
            Some(CSRF_FIELD) => csrf = field.text().await.map_err(unreadable)?,
            Some("file") => file = Some(field.bytes().await.map_err(unreadable)?),
            _ => {}
        }
    }
    Ok((csrf, file))
}

// ------------------------------------------------------------------ one file's questions

pub struct QuestionRow {
    pub index: usize,
    pub key: String,
    pub section: &'static str,
    pub id: String,
    pub text: String,
    pub automatic: &'static str,
    pub judgement: bool,
    /// The unit type's own question: no automatic answer, may be left unanswered.
    pub own: bool,
    pub evidence: String,
}

#[derive(Template)]
#[template(path = "audit_file.html")]
struct FilePage {
    chrome: Option<Chrome>,
    csrf: String,
    id: String,
    case: String,
    stratum: String,
    version: u32,
    rows: Vec<QuestionRow>,
    replies: Vec<(String, String)>,
    may_answer: bool,
    form: FormState,
}

fn reply_code(r: Reply) -> &'static str {
    match r {
        Reply::Yes => "ja",
        Reply::No => "nej",
        Reply::NotApplicable => "et",
    }
}

fn reply_of(code: &str) -> Option<Reply> {
    match code {
        "ja" => Some(Reply::Yes),
        "nej" => Some(Reply::No),
        "et" => Some(Reply::NotApplicable),
        _ => None,
    }
}

pub(super) fn section_sv(s: Section) -> &'static str {
    match s {
        Section::PreliminaryAssessment => "Förhandsbedömning",
        Section::Investigation => "Utredning",
    }
}

pub(super) fn section_code(s: Section) -> &'static str {
    match s {
        Section::PreliminaryAssessment => "forhandsbedomning",
        Section::Investigation => "utredning",
    }
}

/// One file's questions: the record's automatic answers (a logged read), the standing
/// answers and comments.
struct FileQuestions {
    audit: FileAuditId,
    case: CaseId,
    stratum: String,
    version: u32,
    rows: Vec<Asked>,
}

/// One question of a file: its row, section, the automatic answer (none for the unit type's
/// own questions), the standing answer and the standing comment.
type Asked = (QuestionRow, Section, Option<Reply>, Option<Reply>, Option<String>);

async fn file_questions(s: &Session, id: &str, case: &str) -> Result<FileQuestions, UiError> {
    let audit = parse_id(id)?;
    let (a, access) = visible(&s.ctx, audit).await?;
    let case = CaseId::parse(case).map_err(|_| UiError::not_found())?;
    let Some(file) = a.audited().find(|f| f.case == case).cloned() else {
        return Err(UiError::not_found());
    };
    let map = inspect_files(&s.ctx, &a, &access, Some(case)).await?;
    let questions = a.questions.clone();
    let store = s.ctx.app.store.clone();
    let stream = audit.stream();
    let events = crate::app::blocking(move || Ok(store.read_stream(&stream)?)).await?;
    let comments = skyndsam_report::file_audit::comments(&events);
    let mut rows = Vec::new();
    if let Some(insp) = map.get(&case) {
        for q in &questions.question {
            let Some(auto) = insp.answer(q.applies_to, &q.id) else { continue };
            let key = (case, q.applies_to, q.id.clone());
            let index = rows.len();
            rows.push((
                QuestionRow {
                    index,
                    key: format!("{}/{}", section_code(q.applies_to), q.id),
                    section: section_sv(q.applies_to),
                    id: q.id.clone(),
                    text: q.text.clone(),
                    automatic: if q.extra { "–" } else { auto.answer.label_sv() },
                    judgement: !q.auto,
                    own: q.extra,
                    evidence: auto.evidence.note.clone(),
                },
                q.applies_to,
                (!q.extra).then_some(auto.answer),
                a.answers.get(&key).map(|x| x.reply),
                comments.get(&key).cloned(),
            ));
        }
    }
    Ok(FileQuestions { audit, case, stratum: file.stratum, version: a.handling.version, rows })
}

fn file_page(s: &Session, q: FileQuestions, form: FormState) -> FilePage {
    FilePage {
        chrome: Some(Chrome::of(s)),
        csrf: s.csrf.clone(),
        id: q.audit.to_string(),
        case: q.case.to_string(),
        stratum: q.stratum,
        version: q.version,
        rows: q.rows.into_iter().map(|(r, ..)| r).collect(),
        replies: [Reply::Yes, Reply::No, Reply::NotApplicable]
            .into_iter()
            .map(|r| (reply_code(r).to_owned(), r.label_sv().to_owned()))
            .collect(),
        may_answer: AUDITORS.contains(&s.ctx.actor.role),
        form,
    }
}

/// The file's judgement questions, the automatic answers pre-filled (or the standing ones).
pub async fn file(s: Session, Path((id, case)): Path<(String, String)>) -> Result<Response, UiError> {
    let q = file_questions(&s, &id, &case).await?;
    let mut values = Vec::new();
    for (r, _, auto, standing, comment) in &q.rows {
        values.push((format!("fraga-{}", r.index), r.key.clone()));
        let shown = standing.or(*auto).map_or("", reply_code);
        values.push((format!("svar-{}", r.index), shown.to_owned()));
        values.push((format!("kommentar-{}", r.index), comment.clone().unwrap_or_default()));
    }
    let form = FormState { values: Fields(values), errors: Vec::new() };
    Ok(render(StatusCode::OK, &file_page(&s, q, form)))
}

/// Records the file's answers: every answer that differs from the record's automatic one
/// needs a comment (refused beside its field, input kept, nothing written).
pub async fn answer(Path((id, case)): Path<(String, String)>, f: SessionForm) -> Result<Response, UiError> {
    let s = f.session;
    let q = file_questions(&s, &id, &case).await?;
    let mut form = form_of(f.fields);
    if !AUDITORS.contains(&s.ctx.actor.role) {
        add(&mut form, "svar", "Du har inte behörighet att granska akter.");
    }
    let mut answers = Vec::new();
    for (r, section, auto, standing, comment) in &q.rows {
        let i = r.index;
        if form.value(&format!("fraga-{i}")) != r.key {
            add(&mut form, "svar", "Akten har ändrats sedan du öppnade sidan. Ladda om sidan och svara igen.");
            break;
        }
        let code = form.value(&format!("svar-{i}"));
        // The unit type's own question may be left for later (nothing to record yet).
        if r.own && code.is_empty() {
            continue;
        }
        let Some(reply) = reply_of(code) else {
            add(&mut form, &format!("svar-{i}"), "Välj Ja, Nej eller Ej tillämpligt.");
            continue;
        };
        let new_comment = form.values.opt(&format!("kommentar-{i}"));
        if let Some(auto) = auto.filter(|a| *a != reply && new_comment.is_none()) {
            add(
                &mut form,
                &format!("kommentar-{i}"),
                format!("Du ändrar det automatiska svaret ({}) — skriv en kommentar om varför.", auto.label_sv()),
            );
            continue;
        }
        if *standing != Some(reply) || *comment != new_comment {
            answers.push(AuditAnswer {
                case: q.case,
                section: *section,
                question: r.id.clone(),
                reply,
                automatic: *auto,
                comment: new_comment,
            });
        }
    }
    if form.errors.is_empty() {
        if answers.is_empty() {
            return Ok(see_other(&format!("/aktgranskning/{}#urval", q.audit)));
        }
        let expected = form.value("expected_version").trim().parse::<u32>().ok();
        let cmd = Q::FileAudit(q.audit, F::Answer(FileAuditAnswersRecorded { answers, source: "manuell".into() }));
        match command(&s.ctx, q.audit, expected, cmd).await {
            Ok(_) => return Ok(see_other(&format!("/aktgranskning/{}#urval", q.audit))),
            Err(e) => {
                refusal(&mut form, e, "svar")?;
                // The domain names a row's field (comment, case…): shown at the form's button.
                for e in &mut form.errors {
                    if !e.field.starts_with("svar-") && !e.field.starts_with("kommentar-") {
                        e.field = "svar".into();
                    }
                }
            }
        }
    }
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &file_page(&s, q, form)))
}
