//! Mottagning's handling of one report from the e-tjänst: read it (a logged read), look the
//! child up, and register it as an aktualisering — received when the e-tjänst received it,
//! channel e-tjänst, its receipt number — or close it with a reason. Either way it leaves
//! the queue; the submission itself is never changed.

use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use skyndsam_domain::commands::RegisterActualisation;
use skyndsam_domain::events::{Channel, Payload, Reporter, WebReportSubmitted};
use skyndsam_domain::ids::{ActualisationId, CaseId, PersonId, SubmissionId};
use skyndsam_domain::submission::{Submission, SubmissionStatus};
use skyndsam_store::security::AccessAction;

use super::intake::{category_label, look_up, reasons_of, Found, KINDS, REASONS, REPORTERS};
use super::pages::{choice, local_time, render, required, Chrome, FormState};
use super::session::{Fields, Session, SessionForm, UiError};
use crate::app::blocking;
use crate::error::ApiError;

#[derive(Template)]
#[template(path = "submission.html")]
struct SubmissionPage {
    chrome: Option<Chrome>,
    csrf: String,
    id: String,
    receipt: String,
    received: String,
    after_hours: bool,
    reporter: &'static str,
    report: WebReportSubmitted,
    /// Registered: the cases; dismissed: the reason.
    registered: Vec<String>,
    dismissed: Option<String>,
    open: bool,
    /// Why a form could not be handled when the report is no longer open.
    notice: Option<String>,
    search: FormState,
    found: Option<Found>,
    form: FormState,
    dismiss: FormState,
    kinds: &'static [(&'static str, &'static str)],
    reporters: &'static [(&'static str, &'static str)],
    reasons: &'static [(&'static str, &'static str)],
}

impl SubmissionPage {
    fn has(&self, field: &str, value: &str) -> bool {
        self.form.values.0.iter().any(|(k, v)| k == field && v == value)
    }
    fn id_number(&self) -> String {
        self.report.child_id_number.as_ref().map(|n| n.as_str().to_owned()).unwrap_or_default()
    }
}

#[derive(Deserialize, Default)]
pub struct SubmissionQuery {
    personnummer: Option<String>,
}

fn parse_id(id: &str) -> Result<SubmissionId, UiError> {
    SubmissionId::parse(id).map_err(|_| UiError::not_found())
}

/// The submission as the caller may see it, read from the journal and logged durably
/// before it is shown (its subject is not a person of the register yet: the line names the
/// submission). Outside the caller's units it does not exist.
async fn read(s: &Session, id: SubmissionId) -> Result<(Submission, WebReportSubmitted, Option<String>), UiError> {
    let ctx = &s.ctx;
    let found = {
        let p = ctx.app.store.projections();
        p.submissions.get(&id).map(|x| (x.clone(), ctx.scope.unit_access(&x.unit)))
    };
    let (sub, access) = match found {
        None => return Err(UiError::not_found()),
        Some((_, None)) => return Err(ctx.refuse_out_of_scope(format!("e-tjänstanmälan {id}")).await.into()),
        Some((sub, Some(a))) => (sub, a),
    };
    let store = ctx.app.store.clone();
    let events = blocking(move || Ok(store.read_stream(&id.stream())?)).await?;
    let mut report = None;
    let mut reason = None;
    for e in events {
        match e.payload {
            Payload::WebReportSubmitted(w) => report = Some(w),
            Payload::WebReportDismissed(d) => reason = Some(d.reason),
            _ => {}
        }
    }
    let mut report =
        report.ok_or_else(|| UiError::from(ApiError::internal(format!("submission {id} without its report"))))?;
    // Registered about a child with a protected identity: the report's words are scrubbed
    // for a role that may not see it, as the case's own text is.
    if !ctx.scope.see_protected {
        let words: Vec<String> = {
            let p = ctx.app.store.projections();
            let cases = match &sub.status {
                SubmissionStatus::Registered { cases, .. } => cases.clone(),
                _ => Vec::new(),
            };
            let mut w: Vec<String> = cases
                .iter()
                .filter_map(|c| p.case(c))
                .flat_map(|c| std::iter::once(c.child).chain(c.siblings.clone()))
                .filter_map(|person| {
                    p.person(&person).filter(|e| e.protected_identity).map(crate::views::identity_words)
                })
                .flatten()
                .collect();
            w.sort_by_key(|x| std::cmp::Reverse(x.len()));
            w
        };
        if !words.is_empty() {
            scrub(&mut report, &words);
        }
    }
    ctx.log_reads(vec![ctx.access_entry(PersonId(id.0), None, AccessAction::ReadSubmission, &access)]).await?;
    Ok((sub, report, reason))
}

/// Every free-text field of the report with the words replaced; a personnummer among them
/// is dropped.
fn scrub(r: &mut WebReportSubmitted, words: &[String]) {
    let red = |v: &mut Option<String>| {
        if let Some(x) = v.as_mut() {
            *x = crate::views::redact_str(x, words);
        }
    };
    red(&mut r.reporter.name);
    red(&mut r.reporter.organisation);
    red(&mut r.reporter.contact);
    red(&mut r.child_name);
    red(&mut r.child_details);
    red(&mut r.other_children);
    r.text = crate::views::redact_str(&r.text, words);
    if r.child_id_number.as_ref().is_some_and(|n| words.iter().any(|w| w == n.as_str())) {
        r.child_id_number = None;
    }
}

/// The registration form as first shown: what the submitter said, to be checked. The kind
/// is left for the registrar to choose deliberately.
fn prefilled(r: &WebReportSubmitted) -> FormState {
    let category =
        serde_json::to_value(r.reporter.category).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
    let mut v = vec![("reporter_category".to_owned(), category)];
    for (k, x) in [
        ("reporter_name", &r.reporter.name),
        ("reporter_organisation", &r.reporter.organisation),
        ("reporter_contact", &r.reporter.contact),
    ] {
        v.push((k.to_owned(), x.clone().unwrap_or_default()));
    }
    v.push(("text".to_owned(), r.text.clone()));
    FormState { values: Fields(v), errors: Vec::new() }
}

#[allow(clippy::too_many_arguments)]
fn page(
    s: &Session,
    sub: &Submission,
    report: WebReportSubmitted,
    dismissed: Option<String>,
    search: FormState,
    found: Option<Found>,
    form: Option<FormState>,
    dismiss: FormState,
) -> SubmissionPage {
    let registered = match &sub.status {
        SubmissionStatus::Registered { cases, .. } => cases.iter().map(|c| c.to_string()).collect(),
        _ => Vec::new(),
    };
    SubmissionPage {
        chrome: Some(Chrome::of(s)),
        csrf: s.csrf.clone(),
        id: sub.id.to_string(),
        receipt: sub.receipt.clone(),
        received: local_time(sub.received_at),
        after_hours: sub.after_hours,
        reporter: category_label(sub.reporter_category),
        form: form.unwrap_or_else(|| prefilled(&report)),
        report,
        registered,
        dismissed,
        open: sub.is_open(),
        notice: None,
        search,
        found,
        dismiss,
        kinds: KINDS,
        reporters: REPORTERS,
        reasons: REASONS,
    }
}

/// GET: the report, the lookup (by the given personnummer when the submitter gave one),
/// and the forms.
pub async fn show(s: Session, Path(id): Path<String>, Query(q): Query<SubmissionQuery>) -> Result<Response, UiError> {
    let id = parse_id(&id)?;
    let (sub, report, dismissed) = read(&s, id).await?;
    let number = q
        .personnummer
        .or_else(|| report.child_id_number.as_ref().map(|n| n.as_str().to_owned()))
        .filter(|_| sub.is_open());
    let mut search = FormState::default();
    let mut found = None;
    if let Some(n) = number.as_deref() {
        search.values = Fields(vec![("personnummer".into(), n.to_owned())]);
        found = look_up(&s, n, &mut search).await?;
    }
    let status = if search.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok(render(status, &page(&s, &sub, report, dismissed, search, found, None, FormState::default())))
}

/// What a form on a report no longer open is told.
fn closed_notice(sub: &Submission) -> String {
    match sub.status {
        SubmissionStatus::Dismissed => format!("Anmälan {} är redan avslutad. Inget har sparats.", sub.receipt),
        _ => format!("Anmälan {} är redan registrerad som aktualisering. Inget har sparats.", sub.receipt),
    }
}

/// POST: registers the aktualisering from the submission (one append with the
/// submission's "registered" event: a second registration is refused).
pub async fn register(Path(id): Path<String>, f: SessionForm) -> Result<Response, UiError> {
    let id = parse_id(&id)?;
    let s = f.session;
    let (sub, report, dismissed) = read(&s, id).await?;
    let mut form = FormState { values: f.fields, errors: Vec::new() };
    let number = form.value("personnummer").to_owned();
    let mut search = FormState { values: Fields(vec![("personnummer".into(), number.clone())]), errors: Vec::new() };
    let found = if number.trim().is_empty() {
        search.add("personnummer", "Sök först fram barnet på personnummer.");
        None
    } else {
        look_up(&s, &number, &mut search).await?
    };
    let kind = choice(&mut form, "kind", KINDS, "Välj typ av aktualisering.");
    let category = choice(&mut form, "reporter_category", REPORTERS, "Välj vem som lämnat uppgifterna.");
    let reasons = reasons_of(&mut form);
    let text = required(&mut form, "text", "Beskriv vad som kommit in.");
    let child = found.as_ref().and_then(|p| PersonId::parse(&p.id).ok());
    // Siblings the report also concerns: each child gets a case of its own.
    let mut siblings: Vec<PersonId> = Vec::new();
    let numbers: Vec<String> = form
        .value("siblings")
        .split([',', ';', '\n'])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_owned)
        .collect();
    for n in numbers {
        let mut one = FormState::default();
        match look_up(&s, &n, &mut one).await? {
            Some(p) => match PersonId::parse(&p.id) {
                Ok(id) if Some(id) == child || siblings.contains(&id) => {
                    form.add("siblings", format!("{n}: barnet är redan angivet."))
                }
                Ok(id) => siblings.push(id),
                Err(_) => form.add("siblings", format!("{n}: ingen person med det personnumret hittades.")),
            },
            None => {
                for e in one.errors {
                    form.add("siblings", format!("{n}: {}", e.message));
                }
            }
        }
    }
    if let (true, true, Some(child), Some(kind), Some(category), Some(text)) =
        (form.errors.is_empty(), search.errors.is_empty(), child, kind, category, text)
    {
        let children = std::iter::once(child).chain(siblings).map(|p| (CaseId(uuid::Uuid::new_v4()), p)).collect();
        let cmd = RegisterActualisation {
            actualisation: ActualisationId(uuid::Uuid::new_v4()),
            children,
            kind,
            received_at: sub.received_at,
            channel: Channel::EService,
            reporter: Reporter {
                category,
                name: form.values.opt("reporter_name"),
                organisation: form.values.opt("reporter_organisation"),
                contact: form.values.opt("reporter_contact"),
            },
            reasons,
            text,
            unit: sub.unit.clone(),
            receipt: Some(sub.receipt.clone()),
        };
        let store = s.ctx.app.store.clone();
        let (actor, now) = (s.ctx.actor.clone(), s.ctx.now);
        let cmd2 = cmd.clone();
        let res = blocking(move || Ok(store.register_from_submission(&cmd2, id, &actor, now))).await?;
        match res {
            Ok(_) => {
                if let Some((case, _)) = cmd.children.first() {
                    return Ok(Redirect::to(&format!("/arenden/{case}")).into_response());
                }
            }
            Err(skyndsam_store::StoreError::Domain(d)) => {
                let field = match d.field.as_deref() {
                    Some("reporter.name") => "reporter_name",
                    Some("reporter.organisation") => "reporter_organisation",
                    Some("reporter.category") => "reporter_category",
                    Some("children") => "personnummer",
                    Some("reasons") => "reasons",
                    Some("kind") => "kind",
                    _ => "text",
                };
                form.add(field, d.message);
            }
            Err(skyndsam_store::StoreError::Conflict { .. }) => {
                form.add("text", "Anmälan har hanterats av någon annan medan du arbetade. Ladda om sidan.")
            }
            Err(e) => return Err(ApiError::from(e).into()),
        }
    }
    // The submission's state may have changed meanwhile: read it as it is now.
    let sub = s.ctx.app.store.projections().submissions.get(&id).cloned().unwrap_or(sub);
    let notice = (!sub.is_open()).then(|| closed_notice(&sub));
    let mut page = page(&s, &sub, report, dismissed, search, found, Some(form), FormState::default());
    page.notice = notice;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

/// POST: closes the submission without registering it (the reason is required).
pub async fn dismiss(Path(id): Path<String>, f: SessionForm) -> Result<Response, UiError> {
    let id = parse_id(&id)?;
    let s = f.session;
    let (sub, report, dismissed) = read(&s, id).await?;
    let mut dismiss = FormState { values: f.fields, errors: Vec::new() };
    if let Some(reason) = required(&mut dismiss, "reason", "Ange varför anmälan inte registreras.") {
        let store = s.ctx.app.store.clone();
        let (actor, now) = (s.ctx.actor.clone(), s.ctx.now);
        match blocking(move || Ok(store.dismiss_submission(id, &reason, &actor, now))).await? {
            Ok(_) => return Ok(Redirect::to("/mottagning").into_response()),
            Err(skyndsam_store::StoreError::Domain(d)) => dismiss.add("reason", d.message),
            Err(skyndsam_store::StoreError::Conflict { .. }) => {
                dismiss.add("reason", "Anmälan har hanterats av någon annan medan du arbetade. Ladda om sidan.")
            }
            Err(e) => return Err(ApiError::from(e).into()),
        }
    }
    let sub = s.ctx.app.store.projections().submissions.get(&id).cloned().unwrap_or(sub);
    let notice = (!sub.is_open()).then(|| closed_notice(&sub));
    let mut page = page(&s, &sub, report, dismissed, FormState::default(), None, None, dismiss);
    page.notice = notice;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}
