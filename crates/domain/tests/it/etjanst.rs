//! The public e-tjänst: office hours as data, the submission's checks, registration from
//! the queue (once) and closing without registration.

use crate::harness::*;
use skyndsam_domain::case::CaseState;
use skyndsam_domain::commands::{Context, RegisterActualisation};
use skyndsam_domain::events::*;
use skyndsam_domain::ids::*;
use skyndsam_domain::org::{Actor, Role};
use skyndsam_domain::personnummer::{IdKind, PersonalIdentityNumber};
use skyndsam_domain::rules::{OfficeHours, RuleTable, Weekday};
use skyndsam_domain::submission::{
    dismiss_submission, register_from_submission, submit_web_report, Submission, SubmissionStatus, WebReport,
};
use skyndsam_domain::ErrorCode;

fn teacher() -> WebReport {
    WebReport {
        reporter: Reporter {
            category: ReporterCategory::School,
            name: Some(" Lärare Lärarsson ".into()),
            organisation: Some("Påhittade skolan".into()),
            contact: Some("08-000 00 00".into()),
        },
        child_name: Some("Elsa".into()),
        child_id_number: Some(PersonalIdentityNumber::from_parts(date(2016, 5, 4), 248, IdKind::Personnummer).unwrap()),
        child_details: None,
        other_children: Some("Noah, 6 år, går på samma skola.".into()),
        text: "Elsa kom till skolan med blåmärken och berättade att hennes styvpappa slagit henne.".into(),
    }
}

fn submit(
    w: &World,
    report: &WebReport,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<NewEvent, skyndsam_domain::DomainError> {
    let sys = Actor::system();
    let ctx = Context { now, rules: &w.rules, org: &w.org, actor: &sys };
    submit_web_report(SubmissionId::from_u128(77), &UnitId::parse("mottagning").unwrap(), report, &ctx)
}

#[test]
fn office_hours_are_data_weekdays_eight_to_five_without_holidays_and_eves_by_default() {
    let h = RuleTable::defaults().unwrap().office_hours;
    assert_eq!(h, OfficeHours::default());
    // Monday 2 March 2026.
    assert!(h.is_after_hours(at(2026, 3, 2, 7, 59)));
    assert!(!h.is_after_hours(at(2026, 3, 2, 8, 0)));
    assert!(!h.is_after_hours(at(2026, 3, 2, 16, 59)));
    assert!(h.is_after_hours(at(2026, 3, 2, 17, 0)));
    assert!(h.is_after_hours(at(2026, 3, 7, 10, 0)), "a Saturday");
    assert!(h.is_after_hours(at(2026, 6, 19, 10, 0)), "midsommarafton, a Friday");
    assert!(h.is_after_hours(at(2026, 4, 6, 10, 0)), "annandag påsk");
    // A municipality whose intake is open on Saturdays: still closed on julafton (a Saturday in 2022).
    let text = skyndsam_domain::rules::DEFAULT_RULES_TOML
        .replace(
            "days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]",
            "days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\"]",
        )
        .replace("closes = \"17:00:00\"", "closes = \"16:30:00\"");
    let h = RuleTable::from_toml(&text).unwrap().office_hours;
    assert!(h.days.contains(&Weekday::Sat));
    assert!(!h.is_after_hours(at(2022, 12, 17, 10, 0)));
    assert!(h.is_after_hours(at(2022, 12, 24, 10, 0)));
    assert!(h.is_after_hours(at(2026, 3, 2, 16, 45)));
    let bad = skyndsam_domain::rules::DEFAULT_RULES_TOML.replace("opens = \"08:00:00\"", "opens = \"18:00:00\"");
    assert!(RuleTable::from_toml(&bad).unwrap_err().message.contains("kontorstiden"));
}

#[test]
fn a_submission_is_received_now_flagged_after_hours_and_gets_a_receipt() {
    let w = World::new();
    let e = submit(&w, &teacher(), at(2026, 3, 2, 8, 10)).unwrap();
    assert_eq!(e.stream, SubmissionId::from_u128(77).stream());
    assert_eq!(e.meta.role, Role::System);
    let Payload::WebReportSubmitted(s) = &e.payload else { panic!() };
    assert_eq!(s.received_at, at(2026, 3, 2, 8, 10));
    assert!(!s.after_hours);
    assert!(s.receipt.starts_with("E-2026-"), "{}", s.receipt);
    assert_eq!(s.reporter.name.as_deref(), Some("Lärare Lärarsson"), "trimmed");
    let e = submit(&w, &teacher(), at(2026, 3, 6, 22, 30)).unwrap();
    let Payload::WebReportSubmitted(s) = &e.payload else { panic!() };
    assert!(s.after_hours, "Friday night: for the länsjour");
    // Only the system receives.
    let rita = w.actor("rita", Role::Registrar);
    let ctx = Context { now: at(2026, 3, 2, 9, 0), rules: &w.rules, org: &w.org, actor: &rita };
    let err = submit_web_report(SubmissionId::from_u128(1), &UnitId::parse("mottagning").unwrap(), &teacher(), &ctx)
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotAuthorised);
}

#[test]
fn a_professional_gives_name_workplace_and_contact_and_an_anonymous_submitter_gives_none() {
    let w = World::new();
    let now = at(2026, 3, 2, 9, 0);
    for (field, mut r) in
        [("reporter.name", teacher()), ("reporter.organisation", teacher()), ("reporter.contact", teacher())]
    {
        match field {
            "reporter.name" => r.reporter.name = Some("  ".into()),
            "reporter.organisation" => r.reporter.organisation = None,
            _ => r.reporter.contact = None,
        }
        let e = submit(&w, &r, now).unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), (ErrorCode::ReporterIdentityRequired, Some(field)), "{e:?}");
    }
    let mut anon = teacher();
    anon.reporter = Reporter { category: ReporterCategory::Anonymous, name: None, organisation: None, contact: None };
    assert!(submit(&w, &anon, now).is_ok());
    anon.reporter.name = Some("Granne".into());
    assert_eq!(submit(&w, &anon, now).unwrap_err().field.as_deref(), Some("reporter.name"));
    let mut private = anon.clone();
    private.reporter =
        Reporter { category: ReporterCategory::PrivatePerson, name: None, organisation: None, contact: None };
    assert_eq!(submit(&w, &private, now).unwrap_err().field.as_deref(), Some("reporter.name"));

    let mut nobody = teacher();
    nobody.child_name = None;
    nobody.child_id_number = None;
    assert_eq!(submit(&w, &nobody, now).unwrap_err().field.as_deref(), Some("child_name"));
    nobody.child_details = Some("Flickan i gula huset på Storgatan, ca 9 år".into());
    assert!(submit(&w, &nobody, now).is_ok());

    let mut long = teacher();
    long.text = "x".repeat(w.rules.e_service.max_text_chars as usize + 1);
    let e = submit(&w, &long, now).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("text"));
    assert!(e.message.contains("för lång"));
    long.text = "   ".into();
    assert_eq!(submit(&w, &long, now).unwrap_err().field.as_deref(), Some("text"));
}

fn registration(sub: &Submission, children: Vec<(CaseId, PersonId)>) -> RegisterActualisation {
    RegisterActualisation {
        actualisation: ActualisationId::from_u128(900),
        children,
        kind: ActualisationKind::Report,
        received_at: sub.received_at,
        channel: Channel::EService,
        reporter: Reporter {
            category: ReporterCategory::School,
            name: Some("Lärare Lärarsson".into()),
            organisation: Some("Påhittade skolan".into()),
            contact: Some("08-000 00 00".into()),
        },
        reasons: vec![Reason::ViolenceAgainstChild],
        text: "Elsa kom till skolan med blåmärken.".into(),
        unit: UnitId::parse("mottagning").unwrap(),
        receipt: Some(sub.receipt.clone()),
    }
}

#[test]
fn the_registrar_registers_a_submission_once_and_each_case_points_at_it() {
    let mut w = World::new();
    let received = at(2026, 3, 2, 8, 10);
    let rec = w.append(submit(&w, &teacher(), received).unwrap());
    let mut sub = Submission::start(&rec).unwrap();
    assert!(sub.is_open() && sub.id_number_given && !sub.after_hours);
    let rita = w.actor("rita", Role::Registrar);
    let now = at(2026, 3, 2, 8, 40);
    let ctx = Context { now, rules: &w.rules, org: &w.org, actor: &rita };
    let children =
        vec![(CaseId::from_u128(501), PersonId::from_u128(1)), (CaseId::from_u128(502), PersonId::from_u128(2))];

    // The received time, the channel and the receipt are the e-tjänst's.
    let mut cmd = registration(&sub, children.clone());
    cmd.received_at = now;
    assert_eq!(register_from_submission(&cmd, &sub, &ctx).unwrap_err().field.as_deref(), Some("received_at"));
    let mut cmd = registration(&sub, children.clone());
    cmd.channel = Channel::Phone;
    assert_eq!(register_from_submission(&cmd, &sub, &ctx).unwrap_err().field.as_deref(), Some("channel"));

    let events = register_from_submission(&registration(&sub, children), &sub, &ctx).unwrap();
    assert_eq!(events.len(), 3, "one case per child, and the submission leaves the queue");
    let (rules, org) = (w.rules.clone(), w.org.clone());
    let mut cases = Vec::new();
    for e in events {
        let r = w.append(e);
        if r.stream.starts_with("case/") {
            let state = CaseState::from_events([&r]).unwrap();
            assert_eq!(
                (state.received_at, state.channel),
                (received, Channel::EService),
                "the clock runs from receipt"
            );
            let Payload::ActualisationRegistered(a) = &r.payload else { panic!() };
            assert_eq!(a.submission, Some(sub.id));
            assert_eq!(a.receipt.as_deref(), Some(sub.receipt.as_str()));
            cases.push(a.case);
        } else {
            sub.apply(&r);
        }
    }
    assert_eq!(
        sub.status,
        SubmissionStatus::Registered { actualisation: ActualisationId::from_u128(900), cases: cases.clone() }
    );
    assert_eq!(sub.version, 2);
    let ctx = Context { now, rules: &rules, org: &org, actor: &rita };
    let again = register_from_submission(
        &registration(&sub, vec![(CaseId::from_u128(503), PersonId::from_u128(1))]),
        &sub,
        &ctx,
    );
    assert_eq!(again.unwrap_err().code, ErrorCode::WrongState);
    assert_eq!(dismiss_submission(&sub, "dubblett", &ctx).unwrap_err().code, ErrorCode::WrongState);
}

#[test]
fn a_submission_is_closed_with_a_reason_and_the_system_cannot_register_one() {
    let mut w = World::new();
    let rec = w.append(submit(&w, &teacher(), at(2026, 3, 2, 8, 10)).unwrap());
    let mut sub = Submission::start(&rec).unwrap();
    let rita = w.actor("rita", Role::Registrar);
    let (rules, org) = (w.rules.clone(), w.org.clone());
    let ctx = Context { now: at(2026, 3, 2, 9, 0), rules: &rules, org: &org, actor: &rita };
    assert_eq!(dismiss_submission(&sub, " ", &ctx).unwrap_err().field.as_deref(), Some("reason"));
    let e = dismiss_submission(&sub, "Dubblett av E-2026-AAAA-BBBB", &ctx).unwrap();
    sub.apply(&w.append(e));
    assert_eq!(sub.status, SubmissionStatus::Dismissed);

    let rec = w.append(submit(&w, &teacher(), at(2026, 3, 2, 8, 10)).unwrap());
    let sub = Submission::start(&rec).unwrap();
    let sys = Actor::system();
    let ctx = Context { now: at(2026, 3, 2, 9, 0), rules: &w.rules, org: &w.org, actor: &sys };
    let cmd = registration(&sub, vec![(CaseId::from_u128(601), PersonId::from_u128(1))]);
    assert_eq!(register_from_submission(&cmd, &sub, &ctx).unwrap_err().code, ErrorCode::NotAuthorised);
}
