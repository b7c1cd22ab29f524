//! The self-inspection checklist panel on the case page: every question of the questionnaire
//! answered Ja / Nej / Ej tillämpligt with its evidence (the rule, the journal entry, a note).
//! Computed from the same record the page has just read (that read is the logged one).

use skyndsam_domain::calendar::local_date;
use skyndsam_domain::checks::{inspect, Questionnaire, Reply};
use skyndsam_domain::ids::CaseId;

use super::session::Session;

pub struct ChecklistRow {
    pub question: String,
    pub answer: &'static str,
    pub answer_class: &'static str,
    pub judgement: bool,
    pub rule: String,
    pub seq: Option<u64>,
    pub note: String,
}

/// The checklist as of today, or empty when the record cannot be read or has no actualisation.
pub(super) async fn checklist(s: &Session, case: CaseId) -> Vec<ChecklistRow> {
    let store = s.ctx.app.store.clone();
    let today = local_date(s.ctx.now);
    let rows = crate::app::blocking(move || {
        let questions = Questionnaire::defaults()
            .map_err(|e| crate::error::ApiError::internal(format!("questionnaire: {}", e.message)))?;
        let events = store.read_stream(&case.stream())?;
        let p = store.projections();
        let Some(i) = inspect(&events, p.rules(), &p.org, &questions, today) else {
            return Ok(Vec::new());
        };
        Ok(i.answers
            .iter()
            .map(|a| ChecklistRow {
                question: questions
                    .question
                    .iter()
                    .find(|q| q.id == a.question)
                    .map_or_else(|| a.question.clone(), |q| q.text.clone()),
                answer: a.answer.label_sv(),
                answer_class: match a.answer {
                    Reply::Yes => "ja",
                    Reply::No => "nej",
                    Reply::NotApplicable => "ej-tillampligt",
                },
                judgement: !a.auto,
                rule: a.evidence.rule.clone(),
                seq: a.evidence.seq,
                note: a.evidence.note.clone(),
            })
            .collect())
    })
    .await;
    match rows {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(case = %case, error = ?e, "self-inspection checklist");
            Vec::new()
        }
    }
}
