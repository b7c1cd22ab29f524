//! The public e-tjänst for reports of concern (DOMAIN §2, channel e-tjänst): a submission is
//! its own record (stream `submission/<id>`) until the registrar registers it as an
//! aktualisering or closes it. This module holds its commands and the fold of its stream
//! (dates and flags only, never free text). Pure: the clock, the ids and the receiving
//! unit are parameters.

use chrono::{DateTime, Utc};

use crate::calendar::local_date;
use crate::commands::{register_actualisation, Context, RegisterActualisation};
use crate::error::{DomainError, ErrorCode};
use crate::events::*;
use crate::ids::{ActualisationId, CaseId, SubmissionId, UnitId};
use crate::org::Role;
use crate::personnummer::PersonalIdentityNumber;

/// What a submitter sends (the e-tjänst's form, parsed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebReport {
    pub reporter: Reporter,
    pub child_name: Option<String>,
    pub child_id_number: Option<PersonalIdentityNumber>,
    pub child_details: Option<String>,
    pub other_children: Option<String>,
    pub text: String,
}

/// Where a submission stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmissionStatus {
    /// In the intake queue.
    Open,
    /// Registered as an aktualisering (one case per child).
    Registered { actualisation: ActualisationId, cases: Vec<CaseId> },
    /// Closed without registration.
    Dismissed,
}

/// A submission's state: the fold of its stream. No free text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    pub id: SubmissionId,
    pub receipt: String,
    pub received_at: DateTime<Utc>,
    pub after_hours: bool,
    pub unit: UnitId,
    pub reporter_category: ReporterCategory,
    /// A personnummer was given (checked for form only).
    pub id_number_given: bool,
    pub version: u32,
    pub status: SubmissionStatus,
}

impl Submission {
    /// Starts the state from the submission's first event.
    pub fn start(e: &RecordedEvent) -> Option<Self> {
        let Payload::WebReportSubmitted(w) = &e.payload else { return None };
        Some(Self {
            id: w.submission,
            receipt: w.receipt.clone(),
            received_at: w.received_at,
            after_hours: w.after_hours,
            unit: w.unit.clone(),
            reporter_category: w.reporter.category,
            id_number_given: w.child_id_number.is_some(),
            version: e.version,
            status: SubmissionStatus::Open,
        })
    }

    /// Applies a later event of the stream.
    pub fn apply(&mut self, e: &RecordedEvent) {
        self.version = e.version;
        match &e.payload {
            Payload::WebReportRegistered(r) => {
                self.status = SubmissionStatus::Registered { actualisation: r.actualisation, cases: r.cases.clone() }
            }
            Payload::WebReportDismissed(_) => self.status = SubmissionStatus::Dismissed,
            _ => {}
        }
    }

    pub fn is_open(&self) -> bool {
        self.status == SubmissionStatus::Open
    }
}

/// Crockford's base 32: no I, L, O or U to misread.
const RECEIPT_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The receipt number of a submission: the year it was received and 40 bits of its (random)
/// id, e.g. `E-2026-K7QX-M4PD`. Says nothing about the report or the child.
pub fn receipt_of(id: SubmissionId, received_at: DateTime<Utc>) -> String {
    use chrono::Datelike;
    let bits = (id.0.as_u128() >> 88) as u64; // the first 40 bits
    let mut code = String::with_capacity(9);
    for i in 0..8 {
        if i == 4 {
            code.push('-');
        }
        let k = ((bits >> (35 - 5 * i)) & 31) as usize;
        code.push(char::from(RECEIPT_ALPHABET[k]));
    }
    format!("E-{}-{code}", local_date(received_at).year())
}

fn err(code: ErrorCode, field: &str, msg: impl Into<String>) -> DomainError {
    DomainError::new(code, msg).field(field)
}

fn filled(v: &Option<String>) -> bool {
    v.as_deref().is_some_and(|x| !x.trim().is_empty())
}

fn at_most(field: &str, v: &Option<String>, max: u32, what: &str) -> Result<(), DomainError> {
    if v.as_deref().is_some_and(|x| x.chars().count() > max as usize) {
        return Err(err(ErrorCode::InvalidInput, field, format!("{what} är för lång (högst {max} tecken).")));
    }
    Ok(())
}

/// Receives a report through the e-tjänst: the system records it as received now, flagged
/// after hours by the rule table's office hours. Judged without looking anything up.
pub fn submit_web_report(
    submission: SubmissionId,
    unit: &UnitId,
    report: &WebReport,
    ctx: &Context,
) -> Result<NewEvent, DomainError> {
    if ctx.actor.role != Role::System {
        return Err(DomainError::new(ErrorCode::NotAuthorised, "E-tjänsten tar emot anmälningar som systemet."));
    }
    let limits = &ctx.rules.e_service;
    let r = &report.reporter;
    let short = limits.max_field_chars;
    at_most("reporter.name", &r.name, short, "Namnet")?;
    at_most("reporter.organisation", &r.organisation, short, "Arbetsplatsen")?;
    at_most("reporter.contact", &r.contact, short, "Kontaktuppgiften")?;
    at_most("child_name", &report.child_name, short, "Barnets namn")?;
    at_most("child_details", &report.child_details, limits.max_text_chars, "Uppgiften om barnet")?;
    at_most("other_children", &report.other_children, limits.max_text_chars, "Uppgiften om andra barn")?;
    if r.category.is_professional() {
        // 14 kap. 1 § SoL: a professional reports in their own name; the e-tjänst also needs a
        // way to reach them (återkoppling, questions).
        if !filled(&r.name) {
            return Err(err(
                ErrorCode::ReporterIdentityRequired,
                "reporter.name",
                "Anmäler du i din yrkesroll måste du ange ditt namn.",
            ));
        }
        if !filled(&r.organisation) {
            return Err(err(ErrorCode::ReporterIdentityRequired, "reporter.organisation", "Ange din arbetsplats."));
        }
        if !filled(&r.contact) {
            return Err(err(
                ErrorCode::ReporterIdentityRequired,
                "reporter.contact",
                "Ange telefonnummer eller e-post så att socialtjänsten kan nå dig.",
            ));
        }
    }
    match r.category {
        ReporterCategory::Anonymous if filled(&r.name) || filled(&r.contact) || filled(&r.organisation) => {
            return Err(err(
                ErrorCode::InvalidInput,
                "reporter.name",
                "Du har valt att vara anonym: lämna namn och kontaktuppgift tomma, eller välj att anmäla som privatperson.",
            ))
        }
        ReporterCategory::PrivatePerson if !filled(&r.name) => {
            return Err(err(
                ErrorCode::InvalidInput,
                "reporter.name",
                "Ange ditt namn, eller välj att vara anonym.",
            ))
        }
        _ => {}
    }
    if !filled(&report.child_name) && report.child_id_number.is_none() && !filled(&report.child_details) {
        return Err(err(
            ErrorCode::InvalidInput,
            "child_name",
            "Ange barnets namn, personnummer eller något annat som hjälper oss att hitta barnet.",
        ));
    }
    if report.text.trim().is_empty() {
        return Err(err(ErrorCode::InvalidInput, "text", "Beskriv vad som har hänt och vad du är orolig för."));
    }
    if report.text.chars().count() > limits.max_text_chars as usize {
        return Err(err(
            ErrorCode::InvalidInput,
            "text",
            format!("Beskrivningen är för lång (högst {} tecken).", limits.max_text_chars),
        ));
    }
    if report.child_id_number.as_ref().is_some_and(|n| n.birth_date().is_some_and(|b| b > ctx.today())) {
        return Err(err(ErrorCode::PnrInFuture, "child_id_number", "Födelsedatumet ligger i framtiden."));
    }
    if ctx.org.unit(unit).is_none() {
        return Err(err(ErrorCode::NotFound, "unit", "Den mottagande enheten finns inte."));
    }
    let trim = |v: &Option<String>| v.as_deref().map(str::trim).filter(|x| !x.is_empty()).map(str::to_owned);
    Ok(NewEvent {
        stream: submission.stream(),
        meta: EventMeta {
            recorded_at: ctx.now,
            effective_on: ctx.today(),
            actor: ctx.actor.staff.clone(),
            role: ctx.actor.role,
            unit: None,
            delegation: None,
            corrects: None,
        },
        payload: Payload::WebReportSubmitted(WebReportSubmitted {
            submission,
            receipt: receipt_of(submission, ctx.now),
            received_at: ctx.now,
            after_hours: ctx.rules.office_hours.is_after_hours(ctx.now),
            unit: unit.clone(),
            reporter: Reporter {
                category: r.category,
                name: trim(&r.name),
                organisation: trim(&r.organisation),
                contact: trim(&r.contact),
            },
            child_name: trim(&report.child_name),
            child_id_number: report.child_id_number.clone(),
            child_details: trim(&report.child_details),
            other_children: trim(&report.other_children),
            text: report.text.trim().to_owned(),
        }),
    })
}

fn still_open(sub: &Submission) -> Result<(), DomainError> {
    match &sub.status {
        SubmissionStatus::Open => Ok(()),
        SubmissionStatus::Registered { .. } => Err(DomainError::new(
            ErrorCode::WrongState,
            format!("Anmälan {} är redan registrerad som aktualisering.", sub.receipt),
        )),
        SubmissionStatus::Dismissed => {
            Err(DomainError::new(ErrorCode::WrongState, format!("Anmälan {} är redan avslutad.", sub.receipt)))
        }
    }
}

/// Registers an aktualisering from a submission: received when the e-tjänst received it,
/// channel e-tjänst, its receipt number, each case pointing at the submission — and the
/// submission leaves the queue (an event on its own stream, in the same append).
pub fn register_from_submission(
    cmd: &RegisterActualisation,
    sub: &Submission,
    ctx: &Context,
) -> Result<Vec<NewEvent>, DomainError> {
    if ctx.actor.role == Role::System {
        return Err(DomainError::new(
            ErrorCode::NotAuthorised,
            "En anmälan från e-tjänsten registreras av mottagningen.",
        ));
    }
    still_open(sub)?;
    if cmd.received_at != sub.received_at {
        return Err(err(
            ErrorCode::InvalidInput,
            "received_at",
            "Mottagningstiden är den tid e-tjänsten tog emot anmälan.",
        ));
    }
    if cmd.channel != Channel::EService {
        return Err(err(ErrorCode::InvalidInput, "channel", "Anmälan kom in via e-tjänsten."));
    }
    if cmd.receipt.as_deref() != Some(sub.receipt.as_str()) {
        return Err(err(ErrorCode::InvalidInput, "receipt", "Kvittensnumret är e-tjänstens."));
    }
    let mut out = register_actualisation(cmd, ctx)?;
    for e in out.iter_mut() {
        if let Payload::ActualisationRegistered(a) = &mut e.payload {
            a.submission = Some(sub.id);
        }
    }
    out.push(NewEvent {
        stream: sub.id.stream(),
        meta: EventMeta {
            recorded_at: ctx.now,
            effective_on: ctx.today(),
            actor: ctx.actor.staff.clone(),
            role: ctx.actor.role,
            unit: ctx.actor.unit.clone(),
            delegation: None,
            corrects: None,
        },
        payload: Payload::WebReportRegistered(WebReportRegistered {
            actualisation: cmd.actualisation,
            cases: cmd.children.iter().map(|(c, _)| *c).collect(),
        }),
    });
    Ok(out)
}

/// Closes a submission without registering it (a duplicate, not about a child, …): the
/// reason is required, the submission itself is kept unchanged.
pub fn dismiss_submission(sub: &Submission, reason: &str, ctx: &Context) -> Result<NewEvent, DomainError> {
    if !matches!(ctx.actor.role, Role::Registrar | Role::Handler | Role::TeamLeader | Role::UnitManager) {
        return Err(DomainError::new(
            ErrorCode::NotAuthorised,
            "Anmälningar från e-tjänsten hanteras av mottagningen.",
        ));
    }
    still_open(sub)?;
    if reason.trim().is_empty() {
        return Err(err(ErrorCode::InvalidInput, "reason", "Ange varför anmälan inte registreras."));
    }
    if reason.chars().count() > crate::commands::MAX_TEXT {
        return Err(err(ErrorCode::InvalidInput, "reason", "Skälet är för långt."));
    }
    Ok(NewEvent {
        stream: sub.id.stream(),
        meta: EventMeta {
            recorded_at: ctx.now,
            effective_on: ctx.today(),
            actor: ctx.actor.staff.clone(),
            role: ctx.actor.role,
            unit: ctx.actor.unit.clone(),
            delegation: None,
            corrects: None,
        },
        payload: Payload::WebReportDismissed(WebReportDismissed { reason: reason.trim().to_owned() }),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn a_receipt_number_is_the_year_and_eight_unambiguous_characters() {
        let t = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 3, 2, 7, 10, 0).unwrap();
        let r = receipt_of(SubmissionId::from_u128(u128::MAX), t);
        assert_eq!(r, "E-2026-ZZZZ-ZZZZ");
        let r = receipt_of(SubmissionId(uuid::Uuid::from_u128(0x0123_4567_89ab_cdef_0000_0000_0000_0000)), t);
        assert_eq!(r.len(), "E-2026-XXXX-XXXX".len());
        assert!(r.chars().skip(7).all(|c| c == '-' || RECEIPT_ALPHABET.contains(&(c as u8))), "{r}");
        assert!(!r.contains(['I', 'L', 'O', 'U']));
    }
}
