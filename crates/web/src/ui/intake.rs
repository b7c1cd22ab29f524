//! Mottagning: look a child up by personnummer (earlier knowledge), and register an
//! aktualisering with its kind chosen deliberately.

use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use skyndsam_domain::calendar::TZ;

use super::pages::{choice, form_field, local_instant, parse_date, parse_time, render, required, Chrome, FormState};
use super::session::{Fields, Session, SessionForm, UiError};

// ------------------------------------------------------------------ Mottagning

pub(super) const KINDS: &[(&str, &str)] = &[
    ("report", "Anmälan"),
    ("application", "Ansökan"),
    ("notification", "Underrättelse / information på annat sätt"),
    ("own_knowledge", "Egen kännedom"),
];
pub(super) const CHANNELS: &[(&str, &str)] = &[
    ("e_service", "E-tjänst"),
    ("letter", "Brev"),
    ("phone", "Telefon"),
    ("fax", "Fax"),
    ("visit", "Besök"),
    ("on_call", "Socialjouren (efter kontorstid)"),
];
pub(super) const REPORTERS: &[(&str, &str)] = &[
    ("school", "Skola"),
    ("preschool", "Förskola"),
    ("health_care", "Hälso- och sjukvård"),
    ("police", "Polis"),
    ("social_services", "Socialtjänst"),
    ("other_authority", "Annan myndighet"),
    ("private_person", "Privatperson"),
    ("anonymous", "Anonym"),
];
pub(super) const REASONS: &[(&str, &str)] = &[
    ("violence_against_child", "Våld mot barn"),
    ("witnessed_violence", "Bevittnat våld"),
    ("sexual_abuse", "Sexuella övergrepp"),
    ("honour_violence", "Hedersrelaterat våld"),
    ("parental_substance_abuse", "Missbruk hos förälder"),
    ("own_substance_abuse", "Eget missbruk"),
    ("crime", "Kriminalitet"),
    ("serious_crime", "Grov kriminalitet"),
    ("school_absence", "Skolfrånvaro"),
    ("mental_ill_health", "Psykisk ohälsa"),
    ("neglect_of_care", "Brister i omsorg"),
    ("other", "Annat"),
];

pub struct Knowledge {
    pub kind: &'static str,
    pub received_on: String,
    pub step: &'static str,
    pub preliminary: String,
    pub investigated: bool,
}

pub struct Found {
    pub id: String,
    pub name: String,
    pub id_number: String,
    pub knowledge: Vec<Knowledge>,
}

/// One row of the e-tjänst's queue: no names (opening it is a logged read).
pub struct QueueRow {
    pub id: String,
    pub receipt: String,
    pub received: String,
    pub after_hours: bool,
    pub reporter: &'static str,
    pub id_number_given: bool,
}

/// The open e-tjänst submissions of the units the caller sees in full, oldest first.
pub(super) fn queue(s: &Session) -> Vec<QueueRow> {
    let units = s.ctx.scope.full_units();
    let p = s.ctx.app.store.projections();
    p.submissions
        .open_in(&units)
        .into_iter()
        .map(|x| QueueRow {
            id: x.id.to_string(),
            receipt: x.receipt.clone(),
            received: super::pages::local_time(x.received_at),
            after_hours: x.after_hours,
            reporter: category_label(x.reporter_category),
            id_number_given: x.id_number_given,
        })
        .collect()
}

/// The Swedish label of a reporter category.
pub(super) fn category_label(c: skyndsam_domain::events::ReporterCategory) -> &'static str {
    let v = serde_json::to_value(c).ok();
    REPORTERS.iter().find(|(k, _)| v.as_ref().and_then(|v| v.as_str()) == Some(*k)).map(|(_, l)| *l).unwrap_or("")
}

/// The reasons ticked in a form (`reasons`, repeated); an unknown one is the field's error.
pub(super) fn reasons_of(form: &mut FormState) -> Vec<skyndsam_domain::events::Reason> {
    let mut reasons = Vec::new();
    for (k, v) in form.values.0.clone() {
        if k == "reasons" {
            match serde_json::from_value(serde_json::Value::String(v)) {
                Ok(r) => reasons.push(r),
                Err(_) => form.add("reasons", "Okänd orsak."),
            }
        }
    }
    if reasons.is_empty() {
        form.add("reasons", "Välj minst en orsak.");
    }
    reasons
}

#[derive(Template)]
#[template(path = "intake.html")]
struct IntakePage {
    chrome: Option<Chrome>,
    queue: Vec<QueueRow>,
    csrf: String,
    search: FormState,
    found: Option<Found>,
    form: FormState,
    kinds: &'static [(&'static str, &'static str)],
    channels: &'static [(&'static str, &'static str)],
    reporters: &'static [(&'static str, &'static str)],
    reasons: &'static [(&'static str, &'static str)],
}

impl IntakePage {
    fn has(&self, field: &str, value: &str) -> bool {
        self.form.values.0.iter().any(|(k, v)| k == field && v == value)
    }
}

#[derive(Deserialize, Default)]
pub struct IntakeQuery {
    personnummer: Option<String>,
}

/// The personnummer lookup: the person and the earlier knowledge, or the field's error.
pub(super) async fn look_up(s: &Session, number: &str, search: &mut FormState) -> Result<Option<Found>, UiError> {
    let n = match skyndsam_domain::personnummer::PersonalIdentityNumber::parse(number.trim()) {
        Ok(n) => n,
        Err(e) => {
            search.add("personnummer", e.message_sv());
            return Ok(None);
        }
    };
    match crate::routes::search_by_id_number(&s.ctx, &n).await {
        Ok(d) => Ok(Some(Found {
            id: d.person.id.clone(),
            name: d.person.name.clone(),
            id_number: d.person.id_number.clone().unwrap_or_default(),
            knowledge: d
                .earlier_knowledge
                .iter()
                .map(|k| Knowledge {
                    kind: k.kind.label_sv(),
                    received_on: k.received_on.to_string(),
                    step: k.step.label_sv(),
                    preliminary: k.preliminary.clone().unwrap_or_default(),
                    investigated: k.investigated,
                })
                .collect(),
        })),
        Err(e) if e.status == StatusCode::NOT_FOUND => {
            search.add("personnummer", "Ingen person med det personnumret hittades.");
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

fn intake_page(s: &Session, search: FormState, found: Option<Found>, form: FormState) -> IntakePage {
    IntakePage {
        chrome: Some(Chrome::of(s)),
        queue: queue(s),
        csrf: s.csrf.clone(),
        search,
        found,
        form,
        kinds: KINDS,
        channels: CHANNELS,
        reporters: REPORTERS,
        reasons: REASONS,
    }
}

/// Mottagning: look a child up by personnummer (earlier knowledge), then register.
pub async fn intake(s: Session, Query(q): Query<IntakeQuery>) -> Result<Response, UiError> {
    let mut search = FormState::default();
    let mut found = None;
    if let Some(n) = q.personnummer.as_deref() {
        search.values = Fields(vec![("personnummer".into(), n.to_owned())]);
        found = look_up(&s, n, &mut search).await?;
    }
    let status = if search.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let mut form = FormState::default();
    let now = s.ctx.now.with_timezone(&TZ);
    form.values = Fields(vec![
        ("received_date".into(), now.format("%Y-%m-%d").to_string()),
        ("received_time".into(), now.format("%H:%M").to_string()),
    ]);
    Ok(render(status, &intake_page(&s, search, found, form)))
}

/// Registers the aktualisering through the API's `register`.
pub async fn register(f: SessionForm) -> Result<Response, UiError> {
    let s = f.session;
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
    let channel = choice(&mut form, "channel", CHANNELS, "Välj hur uppgifterna kom in.");
    let category = choice(&mut form, "reporter_category", REPORTERS, "Välj vem som lämnat uppgifterna.");
    let date = parse_date(&mut form, "received_date", "mottagningsdatum");
    let time = parse_time(&mut form, "received_time");
    let reasons = reasons_of(&mut form);
    let text = required(&mut form, "text", "Beskriv vad som kommit in.");
    let received_at = match (date, time) {
        (Some(d), Some(t)) => local_instant(d, t),
        _ => None,
    };
    let child = found.as_ref().and_then(|p| skyndsam_domain::ids::PersonId::parse(&p.id).ok());
    let unit = s.ctx.actor.unit.clone().unwrap_or_else(|| s.ctx.token.unit.clone());
    if let (true, true, Some(child), Some(kind), Some(channel), Some(category), Some(received_at), Some(text)) =
        (form.errors.is_empty(), search.errors.is_empty(), child, kind, channel, category, received_at, text)
    {
        let req = crate::routes::RegisterActualisationRequest {
            children: vec![child],
            kind,
            received_at,
            channel,
            reporter: skyndsam_domain::events::Reporter {
                category,
                name: form.values.opt("reporter_name"),
                organisation: form.values.opt("reporter_organisation"),
                contact: form.values.opt("reporter_contact"),
            },
            reasons,
            text,
            unit,
            receipt: None,
        };
        match crate::routes::register(&s.ctx, req).await {
            Ok(r) => {
                if let Some(c) = r.cases.first() {
                    return Ok(Redirect::to(&format!("/arenden/{}", c.case)).into_response());
                }
            }
            Err(e) if e.status.is_client_error() => {
                let field = form_field(e.field.as_deref(), "text");
                let field = match field.as_str() {
                    "received_at" => "received_date".to_owned(),
                    "reporter-name" => "reporter_name".to_owned(),
                    "reporter-category" => "reporter_category".to_owned(),
                    "reporter-organisation" => "reporter_organisation".to_owned(),
                    "children" => "personnummer".to_owned(),
                    _ => field,
                };
                form.add(&field, e.message);
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &intake_page(&s, search, found, form)))
}
