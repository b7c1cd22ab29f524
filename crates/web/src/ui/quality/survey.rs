//! Brukarundersökningar: defining a survey, entering how many were asked, entering
//! responses one by one or importing them from CSV (every row checked first, the errors
//! named by row, nothing written on any bad row), and the results per unit and sex with
//! response rate and NKI.

use askama::Template;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use skyndsam_domain::calendar::local_date;
use skyndsam_domain::personnummer::Sex;
use skyndsam_domain::quality::commands::SurveyCommand as S;
use skyndsam_domain::quality::model::*;
use skyndsam_domain::quality::Matter;

use super::*;
use crate::quality::views::{survey_summary, MatterKind};
use crate::quality::{Built, CsvImportRequest, DefineSurveyRequest, SURVEY_DEFINERS, SURVEY_ROLES};
use crate::ui::pages::{Chrome, FormState};
use crate::ui::session::{Session, SessionForm, UiError};

const KIND: MatterKind = MatterKind::Survey;

pub struct SurveyRowView {
    pub link: String,
    pub name: String,
    pub period: String,
    pub units: String,
    pub responses: usize,
    pub invited: u32,
}

#[derive(Template)]
#[template(path = "quality_surveys.html")]
struct ListPage {
    chrome: Option<Chrome>,
    csrf: String,
    rows: Vec<SurveyRowView>,
    define: bool,
    form: FormState,
    units: Vec<(String, String)>,
}

impl ListPage {
    fn has(&self, field: &str, value: &str) -> bool {
        self.form.values.0.iter().any(|(k, v)| k == field && v == value)
    }
}

fn list_of(s: &Session, form: FormState) -> ListPage {
    let p = s.ctx.app.store.projections();
    let mut rows: Vec<SurveyRowView> = s
        .ctx
        .scope
        .matters(&p)
        .into_iter()
        .filter_map(|(m, _)| match m {
            Matter::Survey(x) => {
                let v = survey_summary(x);
                Some(SurveyRowView {
                    link: format!("/brukarundersokningar/{}", v.id),
                    name: v.name,
                    period: format!("{} – {}", v.from, v.to),
                    units: v.units.iter().map(|u| unit_name(&p.org, u)).collect::<Vec<_>>().join(", "),
                    responses: v.responses,
                    invited: v.invited,
                })
            }
            _ => None,
        })
        .collect();
    rows.sort_by(|a, b| b.period.cmp(&a.period));
    drop(p);
    ListPage {
        chrome: Some(chrome(s)),
        csrf: s.csrf.clone(),
        rows,
        define: SURVEY_DEFINERS.contains(&s.ctx.actor.role),
        form,
        units: unit_options(s),
    }
}

pub async fn list(s: Session) -> Result<Response, UiError> {
    let today = local_date(s.ctx.now);
    let form = prefilled(&[
        ("from", today.to_string()),
        ("to", (today + chrono::Duration::days(90)).to_string()),
        ("scale_max", "10".into()),
    ]);
    Ok(render(StatusCode::OK, &list_of(&s, form)))
}

pub async fn define(f: SessionForm) -> Result<Response, UiError> {
    let s = f.session;
    let mut form = form_of(f.fields);
    let name = required(&mut form, "name", "Ge undersökningen ett namn.");
    let mut units = Vec::new();
    for (k, v) in form.values.0.clone() {
        if k == "units" {
            match skyndsam_domain::ids::UnitId::parse(&v) {
                Ok(u) => units.push(u),
                Err(_) => add(&mut form, "units", "Okänd enhet."),
            }
        }
    }
    if units.is_empty() {
        add(&mut form, "units", "Välj minst en enhet.");
    }
    let from = date(&mut form, "from", "när undersökningen börjar");
    let to = date(&mut form, "to", "när undersökningen slutar");
    let scale_max = form.value("scale_max").trim().parse::<u8>().ok();
    if scale_max.is_none() {
        add(&mut form, "scale_max", "Ange skalans högsta värde (2–10).");
    }
    let questions: Vec<SurveyQuestion> = form
        .value("questions")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| match l.strip_prefix("NKI:") {
            Some(t) => SurveyQuestion { text: t.trim().to_owned(), nki: true },
            None => SurveyQuestion { text: l.to_owned(), nki: false },
        })
        .collect();
    if questions.is_empty() {
        add(&mut form, "questions", "Skriv minst en fråga, en per rad.");
    }
    if let (true, Some(name), Some(from), Some(to), Some(scale_max)) =
        (form.errors.is_empty(), name, from, to, scale_max)
    {
        let req = DefineSurveyRequest { name, units, from, to, scale_max, questions };
        match crate::quality::define_survey(&s.ctx, req).await {
            Ok(c) => return Ok(see_other(&format!("/brukarundersokningar/{}", c.id))),
            Err(e) => refusal(&mut form, e, "name")?,
        }
    }
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &list_of(&s, form)))
}

// ------------------------------------------------------------------ one survey

pub struct ResultRow {
    pub unit: String,
    pub sex: &'static str,
    pub invited: u32,
    pub responses: u32,
    pub rate: String,
    pub nki: String,
    pub total: bool,
}

pub struct QuestionField {
    pub name: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "quality_survey.html")]
struct SurveyPage {
    chrome: Option<Chrome>,
    csrf: String,
    id: String,
    version: u32,
    name: String,
    facts: Vec<(String, String)>,
    questions: Vec<(String, bool)>,
    results: Vec<ResultRow>,
    timeline: Vec<EntryRow>,
    enter: bool,
    active: Option<(String, FormState)>,
    csv_errors: Vec<String>,
    units: Vec<(String, String)>,
    sexes: Vec<(String, String)>,
    answers: Vec<QuestionField>,
    header: String,
}

impl SurveyPage {
    fn form(&self, action: &str) -> FormState {
        match &self.active {
            Some((a, f)) if a == action => f.clone(),
            _ => FormState::default(),
        }
    }
}

fn pct(x: Option<f64>) -> String {
    x.map(|v| format!("{:.0} %", v * 100.0)).unwrap_or_else(|| "–".into())
}

async fn page_of(
    s: &Session,
    id: &str,
    active: Option<(String, FormState)>,
    csv_errors: Vec<String>,
) -> Result<SurveyPage, UiError> {
    let read = read(s, KIND, id).await?;
    let Some(Matter::Survey(sv)) = matter_of(s, KIND, id, |m| Some(m.clone())) else {
        return Err(UiError::not_found());
    };
    let p = s.ctx.app.store.projections();
    let results = read
        .detail
        .survey_results
        .clone()
        .unwrap_or_default()
        .into_iter()
        .map(|r| ResultRow {
            unit: r.unit.as_ref().map(|u| unit_name(&p.org, u)).unwrap_or_else(|| "Alla enheter".into()),
            sex: match (r.unit.is_some(), r.sex) {
                (_, Some(Sex::Female)) => "Flickor/kvinnor",
                (_, Some(Sex::Male)) => "Pojkar/män",
                (true, None) => "Alla i enheten",
                (false, None) => "Totalt",
            },
            invited: r.invited,
            responses: r.responses,
            rate: pct(r.response_rate),
            nki: r.nki.map(|n| format!("{n:.0}")).unwrap_or_else(|| "–".into()),
            total: r.sex.is_none(),
        })
        .collect();
    let facts = vec![
        ("Period".to_owned(), format!("{} – {}", sv.from, sv.to)),
        ("Enheter".to_owned(), sv.units.iter().map(|u| unit_name(&p.org, u)).collect::<Vec<_>>().join(", ")),
        ("Skala".to_owned(), format!("1–{}", sv.scale_max)),
        ("Svar".to_owned(), sv.responses.len().to_string()),
    ];
    let units = sv.units.iter().map(|u| (u.to_string(), unit_name(&p.org, u))).collect();
    drop(p);
    let n = sv.questions.len();
    Ok(SurveyPage {
        chrome: Some(chrome(s)),
        csrf: s.csrf.clone(),
        id: id.to_owned(),
        version: sv.version,
        name: sv.name.clone(),
        facts,
        questions: sv.questions.iter().map(|q| (q.text.clone(), q.nki)).collect(),
        results,
        timeline: read.timeline,
        enter: SURVEY_ROLES.contains(&s.ctx.actor.role),
        active,
        csv_errors,
        units,
        sexes: vec![("K".into(), "Flicka/kvinna".into()), ("M".into(), "Pojke/man".into())],
        answers: sv
            .questions
            .iter()
            .enumerate()
            .map(|(i, q)| QuestionField {
                name: format!("q{}", i + 1),
                label: format!("Fråga {}: {} (1–{}, tomt om obesvarad)", i + 1, q.text, sv.scale_max),
            })
            .collect(),
        header: format!("enhet;kön;{}", (1..=n).map(|i| format!("fråga {i}")).collect::<Vec<_>>().join(";")),
    })
}

pub async fn page(s: Session, Path(id): Path<String>) -> Result<Response, UiError> {
    let page = page_of(&s, &id, None, Vec::new()).await?;
    Ok(render(StatusCode::OK, &page))
}

fn sex_of(v: &str) -> Result<Option<Sex>, ()> {
    match v {
        "" => Ok(None),
        "K" => Ok(Some(Sex::Female)),
        "M" => Ok(Some(Sex::Male)),
        _ => Err(()),
    }
}

pub async fn act(Path(id): Path<String>, f: SessionForm) -> Result<Response, UiError> {
    let s = f.session;
    writable(&s, KIND, &id).await?;
    let mut form = form_of(f.fields);
    let action = form.value("atgard").to_owned();
    let mut csv_errors = Vec::new();
    let questions = matter_of(&s, KIND, &id, |m| match m {
        Matter::Survey(x) => Some((x.questions.len(), x.scale_max)),
        _ => None,
    })
    .unwrap_or((0, 10));
    let built = match action.as_str() {
        "tillfragade" => {
            let unit = unit(&mut form, "unit", "Välj enheten.");
            let sex = sex_of(form.value("sex")).ok();
            if sex.is_none() {
                add(&mut form, "sex", "Välj kön eller lämna tomt.");
            }
            let count = form.value("count").trim().parse::<u32>().ok();
            if count.is_none() {
                add(&mut form, "count", "Ange antalet tillfrågade som ett heltal.");
            }
            match (unit, sex, count) {
                (Some(unit), Some(sex), Some(count)) => Some(S::RecordInvitations(SurveyInvitationsRecorded {
                    invited: vec![SurveyInvited { unit, sex, count }],
                })),
                _ => None,
            }
        }
        "svar" => {
            let unit = unit(&mut form, "unit", "Välj enheten.");
            let sex = sex_of(form.value("sex")).ok();
            if sex.is_none() {
                add(&mut form, "sex", "Välj kön eller lämna tomt.");
            }
            let mut answers = Vec::new();
            for i in 1..=questions.0 {
                let name = format!("q{i}");
                let v = form.value(&name).trim().to_owned();
                if v.is_empty() {
                    answers.push(None);
                    continue;
                }
                match v.parse::<u8>() {
                    Ok(a) if (1..=questions.1).contains(&a) => answers.push(Some(a)),
                    _ => add(&mut form, &name, format!("Svaret ska vara ett heltal 1–{} eller tomt.", questions.1)),
                }
            }
            match (unit, sex) {
                (Some(unit), Some(sex)) => Some(S::RecordResponses(SurveyResponsesRecorded {
                    responses: vec![SurveyResponse { unit, sex, answers }],
                    source: "manuell".into(),
                })),
                _ => None,
            }
        }
        "import" => {
            let req =
                CsvImportRequest { file_name: form.value("file_name").to_owned(), csv: form.value("csv").to_owned() };
            let (_, stream) = crate::quality::stream_of(KIND, &id).map_err(|_| UiError::not_found())?;
            match crate::quality::csv_command(&s.ctx, &stream, &req) {
                Ok(Built::Survey(c)) => Some(c),
                Ok(_) => None,
                Err(errors) => {
                    if req.file_name.trim().is_empty() {
                        add(&mut form, "file_name", "Ange filens namn.");
                    } else {
                        add(
                            &mut form,
                            "csv",
                            format!("Filen har fel och inget har förts in ({} st, se nedan).", errors.len()),
                        );
                        csv_errors = errors;
                    }
                    None
                }
            }
        }
        _ => {
            add(&mut form, "atgard", "Okänd åtgärd. Ladda om sidan och försök igen.");
            None
        }
    };
    if let (true, Some(cmd)) = (form.errors.is_empty(), built) {
        let fb = match action.as_str() {
            "tillfragade" => "count",
            "import" => "csv",
            _ => "unit",
        };
        if send(&s, KIND, &id, &mut form, Built::Survey(cmd), fb).await?.is_some() {
            return Ok(see_other(&format!("/brukarundersokningar/{id}#resultat")));
        }
    }
    let page = page_of(&s, &id, Some((action, form)), csv_errors).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}
