//! E-tjänst för orosanmälan: the public form (no login) where anyone reports concern for a
//! child. A professional gives name, workplace and contact; a member of the public may be
//! anonymous. What is sent becomes an immutable `web_report_submitted` event in its own
//! stream (`submission/<id>`), received at the server's clock and flagged after hours by
//! the rule table's office hours; the registrar finds it in Mottagning's queue.
//!
//! The e-tjänst looks nothing up: the answer (a receipt number and what happens next) is
//! the same whether or not the child is known. Posts are rate-limited per address (the
//! rule table's `e_service`), the body is size-limited, and the form carries a
//! double-submit CSRF token like the login form. See docs/decisions/0010.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use rand::RngCore;
use skyndsam_domain::calendar::local_date;
use skyndsam_domain::events::{Payload, Reporter, ReporterCategory};
use skyndsam_domain::ids::{SubmissionId, UnitId};
use skyndsam_domain::org::{UnitFunction, UnitKind};
use skyndsam_domain::personnummer::PersonalIdentityNumber;
use skyndsam_domain::rules::{OfficeHours, Weekday};
use skyndsam_domain::submission::WebReport;
use skyndsam_store::security::{SecurityEntry, SecurityKind};
use skyndsam_store::StoreError;
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use super::pages::{render, FormState};
use super::session::{cookie, same, secure, set_cookie, Fields, CSRF_FIELD};
use crate::app::{blocking, durably, AppState, Origin};

/// The form's double-submit cookie (no session on a public page).
const FORM_COOKIE: &str = "skyndsam_etjanst";
/// The receipt, for the page after the redirect (the receipt is never in the address).
const RECEIPT_COOKIE: &str = "skyndsam_kvitto";
/// Largest form body accepted: the longest description in multi-byte characters, encoded.
pub const BODY_LIMIT: usize = 160 * 1024;
/// Addresses tracked at most by the rate limit (beyond it, old ones are forgotten first).
const TRACKED_ADDRESSES: usize = 50_000;

/// Yrkesroller a professional reports in (14 kap. 1 § SoL).
const PROFESSIONS: &[(&str, &str)] = &[
    ("school", "Skola"),
    ("preschool", "Förskola"),
    ("health_care", "Hälso- och sjukvård"),
    ("police", "Polis"),
    ("social_services", "Socialtjänst"),
    ("other_authority", "Annan myndighet"),
];

// ------------------------------------------------------------------ rate limit

/// Posts per address within a sliding window, in this process.
#[derive(Debug, Default)]
pub struct Limiter {
    seen: Mutex<HashMap<String, VecDeque<DateTime<Utc>>>>,
}

/// The limiter's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    Allowed,
    /// The first post over the limit in this window (written to the security log).
    JustLimited,
    Limited,
}

impl Limiter {
    /// Counts a post from `address` at `now` and says whether it may be handled.
    pub fn check(&self, address: &str, now: DateTime<Utc>, max: u32, window: chrono::Duration) -> Limit {
        let Ok(mut seen) = self.seen.lock() else { return Limit::Allowed };
        if seen.len() >= TRACKED_ADDRESSES && !seen.contains_key(address) {
            seen.retain(|_, q| q.back().is_some_and(|t| now - *t < window));
            if seen.len() >= TRACKED_ADDRESSES {
                // Under a flood from very many addresses: forget the quietest.
                if let Some(k) = seen.iter().min_by_key(|(_, q)| q.back().copied()).map(|(k, _)| k.clone()) {
                    seen.remove(&k);
                }
            }
        }
        let q = seen.entry(address.to_owned()).or_default();
        while q.front().is_some_and(|t| now - *t >= window) {
            q.pop_front();
        }
        q.push_back(now);
        let n = q.len();
        let max = max as usize;
        if n <= max {
            Limit::Allowed
        } else {
            // Keep the queue bounded: the oldest posts past the limit do not matter.
            while q.len() > max + 1 {
                q.pop_front();
            }
            if n == max + 1 {
                Limit::JustLimited
            } else {
                Limit::Limited
            }
        }
    }
}

// ------------------------------------------------------------------ pages

#[derive(Template)]
#[template(path = "etjanst.html")]
struct FormPage {
    csrf: String,
    form: FormState,
    professions: &'static [(&'static str, &'static str)],
    office_hours: String,
    /// A message above the form (rate limit, expired form).
    notice: Option<String>,
}

#[derive(Template)]
#[template(path = "etjanst_receipt.html")]
struct ReceiptPage {
    receipt: Option<String>,
    after_hours: bool,
    office_hours: String,
}

/// The office hours in plain Swedish ("vardagar 08.00–17.00").
pub fn office_hours_sv(h: &OfficeHours) -> String {
    use Weekday::*;
    let days = if h.days == [Mon, Tue, Wed, Thu, Fri] {
        "vardagar".to_owned()
    } else {
        h.days
            .iter()
            .map(|d| match d {
                Mon => "måndag",
                Tue => "tisdag",
                Wed => "onsdag",
                Thu => "torsdag",
                Fri => "fredag",
                Sat => "lördag",
                Sun => "söndag",
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!("{days} {}–{}", h.opens.format("%H.%M"), h.closes.format("%H.%M"))
}

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The form page with its double-submit token: the browser's own while it holds one (two
/// tabs do not invalidate each other), else a fresh one.
fn form_page(
    app: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    form: FormState,
    notice: Option<String>,
) -> Response {
    let secure = secure(app, headers);
    let csrf = cookie(headers, FORM_COOKIE)
        .filter(|c| c.len() == 64 && c.bytes().all(|b| b.is_ascii_hexdigit()))
        .unwrap_or_else(new_token);
    let page = FormPage {
        csrf: csrf.clone(),
        form,
        professions: PROFESSIONS,
        office_hours: office_hours_sv(&app.store.rules().office_hours),
        notice,
    };
    let mut res = render(status, &page);
    // Four hours: time to write a report without losing it to an expired token.
    res.headers_mut().append(header::SET_COOKIE, set_cookie(FORM_COOKIE, &csrf, Some(4 * 3600), secure));
    res
}

/// The unit that receives the e-tjänst's reports: the intake (mottagning) enhet; with
/// several, the first by id.
pub fn receiving_unit(org: &skyndsam_domain::org::Organisation) -> Option<UnitId> {
    let intake = || org.units.values().filter(|u| u.function == UnitFunction::Intake);
    intake().find(|u| u.kind == UnitKind::Unit).or_else(|| intake().next()).map(|u| u.id.clone())
}

/// GET: the empty form.
pub async fn form(State(app): State<AppState>, headers: HeaderMap) -> Response {
    form_page(&app, &headers, StatusCode::OK, FormState::default(), None)
}

#[derive(Template)]
#[template(path = "public_error.html")]
struct PublicError<'a> {
    title: &'a str,
    message: &'a str,
}

/// An error page in the public layout (no link into the staff's pages).
fn public_error(status: StatusCode, message: &str) -> Response {
    let title = match status {
        StatusCode::PAYLOAD_TOO_LARGE => "Anmälan är för stor",
        s if s.is_server_error() => "Det gick inte att ta emot anmälan",
        _ => "Anmälan kunde inte läsas",
    };
    render(status, &PublicError { title, message })
}

fn too_large() -> Response {
    public_error(
        StatusCode::PAYLOAD_TOO_LARGE,
        "Anmälan är för stor för att tas emot. Gå tillbaka, korta beskrivningen och skicka igen. Är barnet i akut fara: ring 112.",
    )
}

fn limited(app: &AppState, headers: &HeaderMap, form: FormState) -> Response {
    form_page(
        app,
        headers,
        StatusCode::TOO_MANY_REQUESTS,
        form,
        Some(
            "Många anmälningar har skickats från din anslutning på kort tid, så vi kan inte ta emot fler just nu. \
             Vänta en stund och försök igen, eller ring socialtjänsten. Är barnet i akut fara: ring 112."
                .into(),
        ),
    )
}

/// The fields of the form as sent, checked in Swedish per field; the report when all hold.
fn parse(form: &mut FormState, today: chrono::NaiveDate, max_text: u32, max_field: u32) -> Option<WebReport> {
    let short = |form: &mut FormState, f: &str, max: u32| -> Option<String> {
        let v = form.values.opt(f);
        if v.as_deref().is_some_and(|x| x.chars().count() > max as usize) {
            form.add(f, format!("Högst {max} tecken."));
        }
        v
    };
    let name = short(form, "reporter_name", max_field);
    let organisation = short(form, "reporter_organisation", max_field);
    let contact = short(form, "reporter_contact", max_field);
    let category = match form.value("reporter_kind") {
        "professional" => {
            let v = form.value("reporter_category").to_owned();
            let c = PROFESSIONS
                .iter()
                .any(|(k, _)| *k == v)
                .then(|| serde_json::from_value::<ReporterCategory>(serde_json::Value::String(v)).ok())
                .flatten();
            if c.is_none() {
                form.add("reporter_category", "Välj din yrkesroll.");
            }
            if name.is_none() {
                form.add("reporter_name", "Anmäler du i din yrkesroll måste du ange ditt namn.");
            }
            if organisation.is_none() {
                form.add("reporter_organisation", "Ange din arbetsplats.");
            }
            if contact.is_none() {
                form.add("reporter_contact", "Ange telefonnummer eller e-post så att socialtjänsten kan nå dig.");
            }
            c
        }
        "private" => {
            if name.is_none() {
                form.add("reporter_name", "Ange ditt namn, eller välj att vara anonym.");
            }
            Some(ReporterCategory::PrivatePerson)
        }
        "anonymous" => {
            if name.is_some() || contact.is_some() || organisation.is_some() {
                form.add(
                    "reporter_name",
                    "Du har valt att vara anonym: lämna namn, arbetsplats och kontaktuppgift tomma, eller välj att anmäla som privatperson.",
                );
            }
            Some(ReporterCategory::Anonymous)
        }
        _ => {
            form.add("reporter_kind", "Välj om du anmäler i din yrkesroll, som privatperson eller anonymt.");
            None
        }
    };
    let child_name = short(form, "child_name", max_field);
    let child_id_number = match form.values.opt("child_id_number") {
        None => None,
        Some(v) => match PersonalIdentityNumber::parse_on(&v, today) {
            Ok(n) => Some(n),
            Err(e) => {
                form.add(
                    "child_id_number",
                    format!("{} Lämna fältet tomt om du inte vet personnumret.", e.message_sv()),
                );
                None
            }
        },
    };
    let child_details = short(form, "child_details", max_text);
    let other_children = short(form, "other_children", max_text);
    if child_name.is_none() && form.values.opt("child_id_number").is_none() && child_details.is_none() {
        form.add("child_name", "Ange barnets namn, personnummer eller något annat som hjälper oss att hitta barnet.");
    }
    let text = form.values.opt("text");
    match &text {
        None => form.add("text", "Beskriv vad som har hänt och vad du är orolig för."),
        Some(t) if t.chars().count() > max_text as usize => {
            form.add("text", format!("Beskrivningen är för lång (högst {max_text} tecken)."))
        }
        Some(_) => {}
    }
    let (Some(category), Some(text), true) = (category, text, form.errors.is_empty()) else { return None };
    Some(WebReport {
        reporter: Reporter { category, name, organisation, contact },
        child_name,
        child_id_number,
        child_details,
        other_children,
        text,
    })
}

/// The form field a domain refusal concerns.
fn field_of(field: Option<&str>) -> &'static str {
    match field {
        Some("reporter.name") => "reporter_name",
        Some("reporter.organisation") => "reporter_organisation",
        Some("reporter.contact") => "reporter_contact",
        Some("reporter.category") => "reporter_kind",
        Some("child_name") => "child_name",
        Some("child_id_number") => "child_id_number",
        Some("child_details") => "child_details",
        Some("other_children") => "other_children",
        _ => "text",
    }
}

/// POST: rate limit, CSRF, the fields, then the domain; the receipt after a redirect.
pub async fn submit(
    State(app): State<AppState>,
    headers: HeaderMap,
    origin: Origin,
    body: Result<axum::Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let secure = secure(&app, &headers);
    let now = app.now();
    let limits = app.store.rules().e_service.clone();
    let window = chrono::Duration::minutes(i64::from(limits.window_minutes));
    let verdict = app.e_service_limiter.check(&origin.address, now, limits.max_per_address, window);
    let fields = match body {
        Ok(f) => Fields(f.0),
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return too_large(),
        Err(_) => {
            return public_error(StatusCode::BAD_REQUEST, "Anmälan kunde inte läsas. Ladda om sidan och försök igen.")
        }
    };
    // Everything but the token is kept for the form sent back.
    let keep = Fields(fields.0.iter().filter(|(k, _)| k != CSRF_FIELD).cloned().collect());
    let mut form = FormState { values: keep, errors: Vec::new() };
    if verdict != Limit::Allowed {
        if verdict == Limit::JustLimited {
            let e = SecurityEntry {
                at: now,
                kind: SecurityKind::AddressThrottled,
                username: None,
                address: Some(origin.address.clone()),
                detail: format!(
                    "e-tjänsten: fler än {} anmälningar på {} minuter",
                    limits.max_per_address, limits.window_minutes
                ),
                correlation: origin.correlation.clone(),
            };
            if let Err(e) = durably(&app, Vec::new(), vec![e]).await {
                tracing::error!(code = e.code, "security log write failed");
            }
        }
        return limited(&app, &headers, form);
    }
    let expected = cookie(&headers, FORM_COOKIE).unwrap_or_default();
    if expected.is_empty() || !same(fields.get(CSRF_FIELD), &expected) {
        let notice = "Formuläret hade gått ut. Dina uppgifter finns kvar: kontrollera dem och skicka igen.";
        // A fresh token: the old one (if any) did not match.
        let mut h = headers.clone();
        h.remove(header::COOKIE);
        return form_page(&app, &h, StatusCode::FORBIDDEN, form, Some(notice.into()));
    }
    let Some(report) = parse(&mut form, local_date(now), limits.max_text_chars, limits.max_field_chars) else {
        return form_page(&app, &headers, StatusCode::UNPROCESSABLE_ENTITY, form, None);
    };
    let Some(unit) = receiving_unit(&app.store.projections().org) else {
        tracing::error!("e-tjänsten: no intake unit to receive reports");
        return public_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "E-tjänsten kan inte ta emot anmälningar just nu. Ring socialtjänsten. Är barnet i akut fara: ring 112.",
        );
    };
    // A receipt number already given (40 random bits: rare) is drawn again.
    for _ in 0..3 {
        let id = SubmissionId(uuid::Uuid::new_v4());
        let (store, unit2, report2) = (app.store.clone(), unit.clone(), report.clone());
        let res = blocking(move || Ok(store.submit_web_report(id, &unit2, &report2, now))).await;
        match res {
            Ok(Ok(e)) => {
                let Payload::WebReportSubmitted(w) = &e.payload else { break };
                let value = format!("{}.{}", w.receipt, u8::from(w.after_hours));
                let mut res = Redirect::to("/e-tjanst/orosanmalan/kvitto").into_response();
                res.headers_mut().append(header::SET_COOKIE, set_cookie(RECEIPT_COOKIE, &value, Some(3600), secure));
                return res;
            }
            Ok(Err(StoreError::Domain(d))) if d.code == skyndsam_domain::ErrorCode::Conflict && d.field.is_none() => {
                continue
            }
            Ok(Err(StoreError::Domain(d))) => {
                form.add(field_of(d.field.as_deref()), d.message);
                return form_page(&app, &headers, StatusCode::UNPROCESSABLE_ENTITY, form, None);
            }
            Ok(Err(e)) => {
                tracing::error!(code = e.code(), "e-tjänsten: the report could not be stored");
                break;
            }
            Err(e) => {
                tracing::error!(code = e.code, "e-tjänsten: the report could not be stored");
                break;
            }
        }
    }
    form_page(
        &app,
        &headers,
        StatusCode::SERVICE_UNAVAILABLE,
        form,
        Some(
            "Anmälan kunde inte tas emot på grund av ett tekniskt fel. Dina uppgifter finns kvar: försök igen om en stund, \
             eller ring socialtjänsten. Är barnet i akut fara: ring 112."
                .into(),
        ),
    )
}

/// A receipt number as the e-tjänst gives them (`E-2026-K7QX-M4PD`): anything else in the
/// cookie is not shown.
fn well_formed(receipt: &str) -> bool {
    let b = receipt.as_bytes();
    b.len() == 16
        && receipt.starts_with("E-")
        && b.get(6) == Some(&b'-')
        && b.get(11) == Some(&b'-')
        && receipt.chars().all(|c| c == '-' || c.is_ascii_digit() || c.is_ascii_uppercase())
}

/// GET: the receipt and what happens next (from the cookie set by the post: nothing is
/// looked up, so the page cannot tell anyone anything about a case).
pub async fn receipt(State(app): State<AppState>, headers: HeaderMap) -> Response {
    let value = cookie(&headers, RECEIPT_COOKIE).unwrap_or_default();
    let (nr, after) = value.split_once('.').unwrap_or((value.as_str(), "0"));
    let receipt = well_formed(nr).then(|| nr.to_owned());
    let page = ReceiptPage {
        after_hours: receipt.is_some() && after == "1",
        receipt,
        office_hours: office_hours_sv(&app.store.rules().office_hours),
    };
    render(StatusCode::OK, &page)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_limit_counts_posts_per_address_in_a_sliding_window() {
        let l = Limiter::default();
        let t0 = Utc.with_ymd_and_hms(2026, 3, 2, 8, 0, 0).unwrap();
        let w = chrono::Duration::minutes(60);
        for i in 0..3 {
            assert_eq!(l.check("a", t0 + chrono::Duration::minutes(i), 3, w), Limit::Allowed);
        }
        assert_eq!(l.check("a", t0 + chrono::Duration::minutes(5), 3, w), Limit::JustLimited);
        assert_eq!(l.check("a", t0 + chrono::Duration::minutes(6), 3, w), Limit::Limited);
        assert_eq!(l.check("b", t0 + chrono::Duration::minutes(6), 3, w), Limit::Allowed, "per address");
        assert_eq!(l.check("a", t0 + chrono::Duration::minutes(125), 3, w), Limit::Allowed, "the window slides");
    }

    #[test]
    fn office_hours_in_plain_swedish() {
        assert_eq!(office_hours_sv(&OfficeHours::default()), "vardagar 08.00–17.00");
        assert!(well_formed("E-2026-K7QX-M4PD"));
        assert!(!well_formed("E-2026-K7QX-M4P<") && !well_formed("<script>") && !well_formed(""));
    }
}
