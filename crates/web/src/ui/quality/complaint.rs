//! Synpunkter och klagomål: the list, registering one (from users, relatives, staff, other
//! bodies or IVO; about handling, treatment or an insats), and its page: contact, answer,
//! measures, closure.

use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use skyndsam_domain::calendar::local_date;
use skyndsam_domain::quality::commands::ComplaintCommand as C;
use skyndsam_domain::quality::model::*;
use skyndsam_domain::quality::Matter;

use super::deviation::{fallback, initial, linked_case, matter_command, measures, new_page, MeasureRow, NewQuery};
use super::*;
use crate::quality::views::MatterKind;
use crate::quality::{Built, ReceiveComplaintRequest};
use crate::ui::pages::{Chrome, FormState};
use crate::ui::session::{Session, SessionForm, UiError};

const KIND: MatterKind = MatterKind::Complaint;

pub async fn list(s: Session, Query(q): Query<ListQuery>) -> Result<Response, UiError> {
    Ok(list_page(&s, KIND, q))
}

pub async fn new_form(s: Session, Query(q): Query<NewQuery>) -> Result<Response, UiError> {
    let case = linked_case(&s, q.arende.as_deref()).await?;
    let form = initial(&s, case);
    Ok(render(StatusCode::OK, &new_page(&s, "complaint", form, case)))
}

pub async fn receive(f: SessionForm) -> Result<Response, UiError> {
    let s = f.session;
    let case = linked_case(&s, Some(f.fields.get("case"))).await?;
    let mut form = form_of(f.fields);
    let page = new_page(&s, "complaint", FormState::default(), None);
    let kind: Option<ComplaintKind> = choice(&mut form, "complaint_kind", &page.complaint_kinds, "Välj typ.");
    let source: Option<ComplaintSource> = choice(&mut form, "source", &page.sources, "Välj vem den kommer från.");
    let subject: Option<ComplaintSubject> = choice(&mut form, "subject", &page.subjects, "Välj vad den gäller.");
    let received_on = date(&mut form, "received_on", "när den kom in");
    let unit = unit(&mut form, "unit", "Välj den enhet det gäller.");
    let description = required(&mut form, "description", "Skriv vad synpunkten gäller.");
    if let (true, Some(kind), Some(source), Some(subject), Some(received_on), Some(unit), Some(description)) =
        (form.errors.is_empty(), kind, source, subject, received_on, unit, description)
    {
        let req = ReceiveComplaintRequest {
            kind,
            source,
            subject,
            received_on,
            unit,
            assignee: None,
            case,
            description,
            contact: form.values.opt("contact"),
        };
        match crate::quality::receive_complaint(&s.ctx, req).await {
            Ok(c) => return Ok(see_other(&format!("/synpunkter/{}", c.id))),
            Err(e) => refusal(&mut form, e, "description")?,
        }
    }
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &new_page(&s, "complaint", form, case)))
}

#[derive(Template)]
#[template(path = "quality_complaint.html")]
struct ComplaintPage {
    chrome: Option<Chrome>,
    csrf: String,
    id: String,
    version: u32,
    full: bool,
    facts: Vec<(String, String)>,
    case_link: Option<String>,
    clocks: Vec<ClockRow>,
    measures: Vec<MeasureRow>,
    timeline: Vec<EntryRow>,
    contact: bool,
    answer: bool,
    close: bool,
    decide: bool,
    note: bool,
    completable: Vec<(String, String)>,
    active: Option<(String, FormState)>,
    staff: Vec<(String, String)>,
    today: String,
}

impl ComplaintPage {
    fn form(&self, action: &str) -> FormState {
        match &self.active {
            Some((a, f)) if a == action => f.clone(),
            _ => match action {
                "kontakt" | "svar" => prefilled(&[("on", self.today.clone())]),
                "atgard-klar" => prefilled(&[("completed_on", self.today.clone())]),
                _ => FormState::default(),
            },
        }
    }
}

async fn page_of(s: &Session, id: &str, active: Option<(String, FormState)>) -> Result<ComplaintPage, UiError> {
    let read = read(s, KIND, id).await?;
    let Some(Matter::Complaint(c)) = matter_of(s, KIND, id, |m| Some(m.clone())) else {
        return Err(UiError::not_found());
    };
    let p = s.ctx.app.store.projections();
    let q = &p.rules().quality;
    let h = &c.handling;
    let me = &s.ctx.actor.staff;
    let facts = vec![
        ("Status".to_owned(), c.status_sv().to_owned()),
        ("Typ".to_owned(), c.kind.label_sv().to_owned()),
        ("Från".to_owned(), c.source.label_sv().to_owned()),
        ("Gäller".to_owned(), c.subject.label_sv().to_owned()),
        ("Mottagen".to_owned(), c.received_on.to_string()),
        ("Enhet".to_owned(), unit_name(&p.org, &h.unit)),
        (
            "Handläggs av".to_owned(),
            h.assignee.as_ref().map(|a| staff_name(&p.org, a)).unwrap_or_else(|| "Ingen utsedd".into()),
        ),
        ("Anonym".to_owned(), if c.anonymous { "ja" } else { "nej" }.to_owned()),
    ];
    let open = h.locked_on.is_none();
    let full = read.full;
    let handler = full && handles(s, &h.unit, h.assignee.as_ref(), &q.deviation_investigator_roles);
    let completable = h
        .open_measures()
        .filter(|m| full && (&m.owner == me || handler))
        .map(|m| (m.measure.to_string(), format!("Åtgärd {}", m.measure)))
        .collect();
    drop(p);
    let measures = measures(s, &read, &h.measures);
    Ok(ComplaintPage {
        chrome: Some(chrome(s)),
        csrf: s.csrf.clone(),
        id: id.to_owned(),
        version: h.version,
        full,
        facts,
        case_link: h.case.map(|x| format!("/arenden/{x}")),
        clocks: read.clocks,
        measures,
        timeline: read.timeline,
        contact: open && handler && !c.anonymous,
        answer: open && handler && !c.anonymous,
        close: open && handler,
        decide: open && handler,
        note: full && (h.involves(me) || handler || s.ctx.actor.role == skyndsam_domain::org::Role::QualityDeveloper),
        completable,
        active,
        staff: staff_options(s),
        today: local_date(s.ctx.now).to_string(),
    })
}

pub async fn page(s: Session, Path(id): Path<String>) -> Result<Response, UiError> {
    let page = page_of(&s, &id, None).await?;
    Ok(render(StatusCode::OK, &page))
}

pub async fn act(Path(id): Path<String>, f: SessionForm) -> Result<Response, UiError> {
    let s = f.session;
    writable(&s, KIND, &id).await?;
    let mut form = form_of(f.fields);
    let action = form.value("atgard").to_owned();
    let built: Option<C> = if let Some(m) = matter_command(&mut form, &action) {
        m.map(C::Matter)
    } else {
        match action.as_str() {
            "kontakt" | "svar" => {
                let on = date(&mut form, "on", "datum");
                let text = required(&mut form, "text", "Beskriv kontakten eller svaret.");
                match (on, text) {
                    (Some(on), Some(text)) if action == "kontakt" => Some(C::Contact(ComplaintContacted { on, text })),
                    (Some(on), Some(text)) => Some(C::Answer(ComplaintAnswered { on, text })),
                    _ => None,
                }
            }
            "avsluta" => required(&mut form, "summary", "Skriv en sammanfattning.")
                .map(|summary| C::Close(MatterLocked { summary })),
            _ => {
                add(&mut form, "atgard", "Okänd åtgärd. Ladda om sidan och försök igen.");
                None
            }
        }
    };
    if let (true, Some(cmd)) = (form.errors.is_empty(), built) {
        let fb = match action.as_str() {
            "kontakt" | "svar" => "text",
            "avsluta" => "summary",
            other => fallback(other),
        };
        if send(&s, KIND, &id, &mut form, Built::Complaint(cmd), fb).await?.is_some() {
            return Ok(see_other(&format!("/synpunkter/{id}#tidslinje")));
        }
    }
    let page = page_of(&s, &id, Some((action, form))).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}
