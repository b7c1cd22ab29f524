//! A unit's file-audit sheet (aktgranskning) as rows for .xlsx, and the answers read back
//! from an edited sheet. One row per audited file and question that applies to it: the
//! record's automatic answer with its evidence, the standing answer (pre-filled with the
//! automatic one for the questions the record answers), and the auditor's comment. The
//! questions are the audit's own (its unit type's template when it was opened); a unit type's
//! own question has no automatic answer.

use std::collections::{HashMap, HashSet};

use skyndsam_domain::checks::{CaseInspection, Questionnaire, Reply, Section};
use skyndsam_domain::events::{AuditAnswer, Payload, RecordedEvent};
use skyndsam_domain::ids::CaseId;
use skyndsam_domain::quality::FileAuditState;

pub const HEADER: [&str; 9] =
    ["Akt", "Urvalsgrupp", "Del", "Fråga-id", "Fråga", "Automatiskt svar", "Underlag", "Svar", "Kommentar"];

/// Column widths for the sheet (characters).
pub const WIDTHS: [u16; 9] = [38, 16, 18, 14, 60, 16, 50, 14, 40];

type Key = (CaseId, Section, String);

fn section_sv(s: Section) -> &'static str {
    match s {
        Section::PreliminaryAssessment => "Förhandsbedömning",
        Section::Investigation => "Utredning",
    }
}

fn parse_section(s: &str) -> Option<Section> {
    match s.trim().to_lowercase().as_str() {
        "förhandsbedömning" => Some(Section::PreliminaryAssessment),
        "utredning" => Some(Section::Investigation),
        _ => None,
    }
}

fn parse_reply(s: &str) -> Option<Reply> {
    match s.trim().to_lowercase().as_str() {
        "ja" => Some(Reply::Yes),
        "nej" => Some(Reply::No),
        "ej tillämpligt" | "ej tillämplig" | "et" => Some(Reply::NotApplicable),
        _ => None,
    }
}

/// The auditors' comments standing in the audit's stream (the latest per answer).
pub fn comments(events: &[RecordedEvent]) -> HashMap<Key, String> {
    let mut out = HashMap::new();
    for e in events {
        if let Payload::FileAuditAnswersRecorded(r) = &e.payload {
            for a in &r.answers {
                let key = (a.case, a.section, a.question.clone());
                match a.comment.as_deref().filter(|c| !c.trim().is_empty()) {
                    Some(c) => out.insert(key, c.to_owned()),
                    None => out.remove(&key),
                };
            }
        }
    }
    out
}

/// The sheet: a header row, then one row per audited file and applicable question.
pub fn sheet(
    a: &FileAuditState,
    questions: &Questionnaire,
    inspections: &HashMap<CaseId, CaseInspection>,
    comments: &HashMap<Key, String>,
) -> Vec<Vec<String>> {
    let mut rows = vec![HEADER.map(str::to_owned).to_vec()];
    for f in a.audited() {
        let Some(insp) = inspections.get(&f.case) else { continue };
        for q in &questions.question {
            let Some(auto) = insp.answer(q.applies_to, &q.id) else { continue };
            let key = (f.case, q.applies_to, q.id.clone());
            let standing = a.answers.get(&key).map(|s| s.reply).or(q.auto.then_some(auto.answer));
            rows.push(vec![
                f.case.to_string(),
                f.stratum.clone(),
                section_sv(q.applies_to).to_owned(),
                q.id.clone(),
                q.text.clone(),
                if q.extra { String::new() } else { auto.answer.label_sv().to_owned() },
                auto.evidence.note.clone(),
                standing.map(|r| r.label_sv().to_owned()).unwrap_or_default(),
                comments.get(&key).cloned().unwrap_or_default(),
            ]);
        }
    }
    rows
}

/// The answers an edited sheet adds or changes, or every problem found with its row number
/// (then nothing is to be recorded).
pub fn answers_from_sheet(
    rows: &[Vec<String>],
    a: &FileAuditState,
    questions: &Questionnaire,
    inspections: &HashMap<CaseId, CaseInspection>,
    comments: &HashMap<Key, String>,
) -> Result<Vec<AuditAnswer>, Vec<String>> {
    let Some(head) = rows.first() else { return Err(vec!["Bladet är tomt.".to_owned()]) };
    let head: Vec<&str> = head.iter().map(|h| h.trim()).collect();
    if head.len() < HEADER.len() || head[..HEADER.len()] != HEADER {
        return Err(vec![format!("Rad 1: kolumnerna ska vara {}.", HEADER.join(", "))]);
    }
    let audited: HashSet<CaseId> = a.audited().map(|f| f.case).collect();
    let mut errors = Vec::new();
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for (i, r) in rows.iter().enumerate().skip(1) {
        let n = i + 1;
        let cell = |c: usize| r.get(c).map(|s| s.trim()).unwrap_or("");
        if r.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let Ok(case) = CaseId::parse(cell(0)) else {
            errors.push(format!("Rad {n}: akten {:?} känns inte igen.", cell(0)));
            continue;
        };
        if !audited.contains(&case) {
            errors.push(format!("Rad {n}: akten ingår inte i urvalet."));
            continue;
        }
        let Some(section) = parse_section(cell(2)) else {
            errors.push(format!("Rad {n}: Del ska vara Förhandsbedömning eller Utredning."));
            continue;
        };
        let qid = cell(3);
        let Some(question) = questions.get(section, qid) else {
            errors.push(format!("Rad {n}: frågan {qid:?} finns inte i granskningens frågelista."));
            continue;
        };
        if !seen.insert((case, section, qid.to_owned())) {
            errors.push(format!("Rad {n}: samma akt och fråga finns två gånger."));
            continue;
        }
        if cell(7).is_empty() {
            continue; // not answered yet
        }
        let Some(reply) = parse_reply(cell(7)) else {
            errors.push(format!("Rad {n}: Svar ska vara Ja, Nej eller Ej tillämpligt."));
            continue;
        };
        let key = (case, section, qid.to_owned());
        // A unit type's own question has no automatic answer (the record does not answer it).
        let automatic = if question.extra {
            None
        } else {
            inspections.get(&case).and_then(|x| x.answer(section, qid)).map(|x| x.answer)
        };
        let comment = Some(cell(8).to_owned()).filter(|c| !c.is_empty());
        if automatic.is_some_and(|auto| auto != reply) && comment.is_none() {
            errors.push(format!("Rad {n}: svaret skiljer sig från det automatiska — skriv en kommentar om varför."));
            continue;
        }
        let standing = a.answers.get(&key).map(|s| s.reply);
        let changed = standing != Some(reply) || comments.get(&key).map(String::as_str) != comment.as_deref();
        if changed {
            out.push(AuditAnswer { case, section, question: qid.to_owned(), reply, automatic, comment });
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}
