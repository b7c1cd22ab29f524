//! The file audit's questionnaire templates in the browser (`/aktgranskning/mallar`): per unit
//! type, which questions of the catalogue are asked and the unit type's own questions ("Varje
//! enhet har en Excelfil som är anpassad utifrån enhetens ansvarsområde"). Everyone who may
//! see audits reads them; the quality developer edits them with a plain POST form (CSRF),
//! which records the same `audit_template_set` as the API's PUT (`file_audit_api::set_template`).
//! A template stands for audits opened after it; an open audit keeps its questions.

use askama::Template;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use skyndsam_domain::checks::{ExtraQuestion, QuestionRef, Section};
use skyndsam_domain::org::UnitFunction;

use super::pages::{render, Chrome, FormState};
use super::quality::{add, form_of, refusal, see_other};
use super::session::{Fields, Session, SessionForm, UiError};
use crate::file_audit_api::{
    catalogue, parse_function, set_template, template_functions, template_view, AuditTemplateView,
    SetAuditTemplateRequest, TEMPLATE_EDITORS,
};

pub use crate::file_audit_api::AUDIT_READERS;

use super::audit::{section_code, section_sv};

const SECTIONS: [Section; 2] = [Section::PreliminaryAssessment, Section::Investigation];

// ------------------------------------------------------------------ the list

pub struct TemplateRow {
    pub link: String,
    pub label: String,
    pub recorded: bool,
    pub from_catalogue: usize,
    pub own: usize,
}

#[derive(Template)]
#[template(path = "audit_templates.html")]
struct ListPage {
    chrome: Option<Chrome>,
    rows: Vec<TemplateRow>,
    catalogue: usize,
    may_edit: bool,
}

/// Every unit type's questionnaire at a glance.
pub async fn list(s: Session) -> Result<Response, UiError> {
    let catalogue = catalogue()?;
    let rows = template_functions()
        .map(|f| {
            let v = template_view(&s.ctx, f, &catalogue);
            TemplateRow {
                link: format!("/aktgranskning/mallar/{}", f.code()),
                label: v.label,
                recorded: v.recorded,
                from_catalogue: v.include.len(),
                own: v.extra.len(),
            }
        })
        .collect();
    let page = ListPage {
        chrome: Some(Chrome::of(&s)),
        rows,
        catalogue: catalogue.question.len(),
        may_edit: TEMPLATE_EDITORS.contains(&s.ctx.actor.role),
    };
    Ok(render(StatusCode::OK, &page))
}

// ------------------------------------------------------------------ one unit type

pub struct CatalogueRow {
    /// The checkbox's value and id part: `section/id`.
    pub key: String,
    pub dom: String,
    pub id: String,
    pub text: String,
    pub judgement: bool,
}

pub struct SectionBlock {
    pub legend: &'static str,
    pub rows: Vec<CatalogueRow>,
    /// The textarea of the unit type's own questions in this section.
    pub own_field: String,
    pub own_label: String,
}

#[derive(Template)]
#[template(path = "audit_template.html")]
struct FormPage {
    chrome: Option<Chrome>,
    csrf: String,
    code: String,
    label: String,
    recorded: bool,
    sections: Vec<SectionBlock>,
    /// The questions asked now (read-only view).
    asked: Vec<(&'static str, String, String, bool)>,
    may_edit: bool,
    form: FormState,
}

fn key(section: Section, id: &str) -> String {
    format!("{}/{id}", section_code(section))
}

fn form_page(s: &Session, v: &AuditTemplateView, form: FormState) -> Result<FormPage, UiError> {
    let catalogue = catalogue()?;
    let sections = SECTIONS
        .into_iter()
        .map(|section| SectionBlock {
            legend: section_sv(section),
            rows: catalogue
                .question
                .iter()
                .filter(|q| q.applies_to == section)
                .map(|q| CatalogueRow {
                    key: key(section, &q.id),
                    dom: format!("{}-{}", section_code(section), q.id),
                    id: q.id.clone(),
                    text: q.text.clone(),
                    judgement: !q.auto,
                })
                .collect(),
            own_field: format!("egna-{}", section_code(section)),
            own_label: format!(
                "Enhetstypens egna frågor om {} (en per rad: id: frågetext)",
                section_sv(section).to_lowercase()
            ),
        })
        .collect();
    Ok(FormPage {
        chrome: Some(Chrome::of(s)),
        csrf: s.csrf.clone(),
        code: v.function.code().to_owned(),
        label: v.label.clone(),
        recorded: v.recorded,
        sections,
        asked: v.questions.iter().map(|q| (section_sv(q.applies_to), q.id.clone(), q.text.clone(), q.extra)).collect(),
        may_edit: TEMPLATE_EDITORS.contains(&s.ctx.actor.role),
        form,
    })
}

/// The form's values from a template: a checkbox per chosen question, a line per own one.
fn values_of(v: &AuditTemplateView) -> FormState {
    let mut values: Vec<(String, String)> =
        v.include.iter().map(|r| ("fraga".to_owned(), key(r.section, &r.id))).collect();
    for section in SECTIONS {
        let lines: Vec<String> =
            v.extra.iter().filter(|x| x.section == section).map(|x| format!("{}: {}", x.id, x.text)).collect();
        values.push((format!("egna-{}", section_code(section)), lines.join("\n")));
    }
    FormState { values: Fields(values), errors: Vec::new() }
}

/// One unit type's questionnaire; the quality developer's form.
pub async fn show(s: Session, Path(function): Path<String>) -> Result<Response, UiError> {
    let function = parse_function(&function)?;
    let v = template_view(&s.ctx, function, &catalogue()?);
    let form = values_of(&v);
    Ok(render(StatusCode::OK, &form_page(&s, &v, form)?))
}

/// Reads the form: the ticked catalogue questions and the own questions, one per line.
fn request_of(form: &mut FormState) -> SetAuditTemplateRequest {
    let mut include = Vec::new();
    for (k, v) in &form.values.0 {
        if k != "fraga" {
            continue;
        }
        let parsed = v.split_once('/').and_then(|(section, id)| {
            SECTIONS
                .into_iter()
                .find(|s| section_code(*s) == section)
                .map(|s| QuestionRef { section: s, id: id.to_owned() })
        });
        if let Some(r) = parsed {
            include.push(r);
        }
    }
    let mut extra = Vec::new();
    let mut errors = Vec::new();
    for section in SECTIONS {
        let field = format!("egna-{}", section_code(section));
        for (i, line) in form.value(&field).lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            match line.split_once(':') {
                Some((id, text)) => {
                    extra.push(ExtraQuestion { section, id: id.trim().to_owned(), text: text.trim().to_owned() })
                }
                None => errors.push((
                    field.clone(),
                    format!(
                        "Rad {}: skriv frågan som id: frågetext, t.ex. plan_foljd_upp: Har planen följts upp?",
                        i + 1
                    ),
                )),
            }
        }
    }
    for (f, m) in errors {
        add(form, &f, m);
    }
    SetAuditTemplateRequest { include, extra }
}

/// Saves the unit type's questionnaire (the quality developer; the domain checks it).
pub async fn save(Path(function): Path<String>, f: SessionForm) -> Result<Response, UiError> {
    let s = f.session;
    let function: UnitFunction = parse_function(&function)?;
    let mut form = form_of(f.fields);
    if !TEMPLATE_EDITORS.contains(&s.ctx.actor.role) {
        add(&mut form, "fraga", "Du har inte behörighet att ändra frågemallarna.");
    }
    let req = request_of(&mut form);
    if form.errors.is_empty() {
        match set_template(&s.ctx, function, req).await {
            Ok(_) => return Ok(see_other(&format!("/aktgranskning/mallar/{}", function.code()))),
            Err(e) => {
                refusal(&mut form, e, "fraga")?;
                // The domain names `include`/`extra`: shown at the matching part of the form.
                for e in &mut form.errors {
                    match e.field.as_str() {
                        "include" | "function" => e.field = "fraga".into(),
                        "extra" => e.field = "egna-forhandsbedomning".into(),
                        _ => {}
                    }
                }
            }
        }
    }
    let v = template_view(&s.ctx, function, &catalogue()?);
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &form_page(&s, &v, form)?))
}
