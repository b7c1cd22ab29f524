//! The public e-tjänst for reports of concern over HTTP (no browser): the form survives bad
//! input, a report lands in the mottagning's queue with the server's time and its after-hours
//! flag, the answer is the same whether or not the child is known, posts are rate-limited
//! and size-limited, and the registrar registers a report from the queue — once.

use crate::harness::*;
use crate::ui::{Page, UiClient};
use skyndsam_domain::events::Channel;
use skyndsam_store::security::{AccessAction, SecurityKind};

const FORM: &str = "/e-tjanst/orosanmalan";

/// A teacher's report about `child_pnr` (as the form sends it).
fn teacher(csrf: &str, child_pnr: &str) -> Vec<(String, String)> {
    [
        ("_csrf", csrf),
        ("reporter_kind", "professional"),
        ("reporter_category", "school"),
        ("reporter_name", "Lärare Lärarsson"),
        ("reporter_organisation", "Påhittade skolan"),
        ("reporter_contact", "08-000 00 00"),
        ("child_name", "Elsa"),
        ("child_id_number", child_pnr),
        ("child_details", ""),
        ("other_children", "Noah, 6 år"),
        ("text", "Elsa kom till skolan med blåmärken och sa att styvpappan slagit henne."),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

async fn post(c: &mut UiClient, fields: &[(String, String)]) -> Page {
    let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    c.post(FORM, &f).await
}

fn set(fields: &mut [(String, String)], name: &str, value: &str) {
    if let Some(f) = fields.iter_mut().find(|(k, _)| k == name) {
        f.1 = value.to_owned();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_form_needs_no_login_survives_bad_input_and_writes_nothing_until_valid() {
    let t = TestApp::spawn().await;
    let mut c = UiClient::new(&t);
    let form = c.get(FORM).await;
    assert_eq!(form.status, 200, "no session needed: {}", form.body);
    assert!(form.body.contains("<html lang=\"sv\">") && form.body.contains("Anmäl oro för ett barn"));
    assert!(
        form.body.contains("Ring 112") && form.body.contains("vardagar 08.00–17.00"),
        "office hours from the rules"
    );
    assert!(
        !form.body.contains("Logga ut") && !form.body.contains("href=\"/mottagning\""),
        "nothing of the staff's pages"
    );
    let journal = t.journal_count();

    // A professional without name, workplace or contact; a malformed personnummer; no text.
    let mut bad = teacher(&form.csrf(), "20160504-24");
    for f in ["reporter_name", "reporter_organisation", "reporter_contact", "text"] {
        set(&mut bad, f, "");
    }
    set(&mut bad, "child_name", "Elsa <script>");
    let r = post(&mut c, &bad).await;
    assert_eq!(r.status, 422, "{}", r.body);
    for (field, msg) in [
        ("reporter_name", "Anmäler du i din yrkesroll måste du ange ditt namn."),
        ("reporter_organisation", "Ange din arbetsplats."),
        ("reporter_contact", "Ange telefonnummer eller e-post"),
        ("child_id_number", "Lämna fältet tomt om du inte vet personnumret."),
        ("text", "Beskriv vad som har hänt och vad du är orolig för."),
    ] {
        assert!(r.body.contains(&format!("id=\"anm-{field}-fel\"")), "the error at {field}");
        assert!(r.body.contains(&format!("aria-describedby=\"anm-{field}-fel\"")), "{field} described by its error");
        assert!(r.body.contains(msg), "{msg}");
        assert!(r.body.contains(&format!("href=\"#anm-{field}\"")), "the summary links to {field}");
    }
    assert!(r.body.contains("value=\"20160504-24\""), "input kept");
    assert!(r.body.contains("Noah, 6 år"), "textareas kept");
    assert!(r.body.contains("checked"), "the choice kept");
    assert!(!r.body.contains("Elsa <script>"), "escaped");
    assert_eq!(t.journal_count(), journal, "nothing written");

    // Anonymous with a name; nothing that identifies the child.
    let mut anon = teacher(&r.csrf(), "");
    set(&mut anon, "reporter_kind", "anonymous");
    set(&mut anon, "reporter_category", "");
    set(&mut anon, "reporter_organisation", "");
    set(&mut anon, "reporter_contact", "");
    set(&mut anon, "child_name", "");
    let r = post(&mut c, &anon).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Du har valt att vara anonym"));
    assert!(r.body.contains("Ange barnets namn, personnummer eller något annat"));
    // No choice of who reports.
    let mut none = teacher(&r.csrf(), "");
    set(&mut none, "reporter_kind", "");
    let r = post(&mut c, &none).await;
    assert!(r.body.contains("id=\"anm-reporter_kind-fel\""));
    // Too long.
    let mut long = teacher(&r.csrf(), "");
    set(&mut long, "text", &"å".repeat(10_001));
    let r = post(&mut c, &long).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Beskrivningen är för lång (högst 10000 tecken)."));
    assert_eq!(t.journal_count(), journal);

    // Without the form's token (a post from another site): refused, the input kept.
    let mut no_token = teacher("fel", "");
    set(&mut no_token, "child_name", "Elsa Kvar");
    let r = post(&mut c, &no_token).await;
    assert_eq!(r.status, 403);
    assert!(r.body.contains("Formuläret hade gått ut") && r.body.contains("value=\"Elsa Kvar\""));
    assert_eq!(t.journal_count(), journal);

    // Larger than the body limit: a Swedish page, nothing written.
    let huge = teacher(&r.csrf(), "");
    let mut huge: Vec<(String, String)> = huge;
    set(&mut huge, "text", &"x".repeat(skyndsam_web::ui::etjanst::BODY_LIMIT + 1));
    let r = post(&mut c, &huge).await;
    assert_eq!(r.status, 413);
    assert!(r.body.contains("Anmälan är för stor"), "{}", r.body);
    assert_eq!(t.journal_count(), journal);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_lands_in_the_queue_with_its_receipt_and_the_answer_never_tells_whether_the_child_is_known() {
    let t = TestApp::spawn().await;
    // Tuesday 3 March 2026, 09:00: office hours.
    let journal = t.journal_count();
    let mut answers = Vec::new();
    let unknown = skyndsam_domain::personnummer::PersonalIdentityNumber::from_parts(
        date(2015, 3, 12),
        239,
        skyndsam_domain::personnummer::IdKind::Personnummer,
    )
    .unwrap();
    assert!(t.app.store.projections().person_by_id_number(&unknown).is_none());
    for pnr in [Target::OwnUnit.pnr().as_str().to_owned(), unknown.as_str().to_owned()] {
        let mut c = UiClient::new(&t);
        let form = c.get(FORM).await;
        let r = post(&mut c, &teacher(&form.csrf(), &pnr)).await;
        assert_eq!((r.status, r.location.as_str()), (303, "/e-tjanst/orosanmalan/kvitto"), "{}", r.body);
        assert!(!c.set_cookies.iter().any(|l| l.contains("skyndsam_session")));
        let receipt = c.get("/e-tjanst/orosanmalan/kvitto").await;
        assert_eq!(receipt.status, 200);
        let nr = receipt.body.split("id=\"kvittensnummer\">").nth(1).unwrap().split('<').next().unwrap().to_owned();
        assert!(nr.starts_with("E-2026-") && nr.len() == 16, "{nr}");
        assert!(receipt.body.contains("Vad händer nu?") && receipt.body.contains("Inom 14 dagar"));
        assert!(!receipt.body.contains("utanför kontorstid"), "office hours");
        answers.push((r.status, r.location.clone(), receipt.body.replace(&nr, "NR")));
    }
    assert_eq!(answers[0], answers[1], "known child or not: the same answer");
    assert_eq!(t.journal_count(), journal + 2);
    // The receipt page without a receipt of one's own shows none (and nothing else).
    let mut other = UiClient::new(&t);
    let r = other.get("/e-tjanst/orosanmalan/kvitto").await;
    assert!(r.body.contains("Inget kvitto att visa") && !r.body.contains("E-2026-"));

    // Friday night: after hours, flagged for the länsjour.
    t.clock.advance(chrono::Duration::days(3) + chrono::Duration::hours(13));
    let mut c = UiClient::new(&t);
    let form = c.get(FORM).await;
    let mut anon = teacher(&form.csrf(), "");
    set(&mut anon, "reporter_kind", "anonymous");
    for f in ["reporter_category", "reporter_name", "reporter_organisation", "reporter_contact"] {
        set(&mut anon, f, "");
    }
    assert_eq!(post(&mut c, &anon).await.status, 303);
    let receipt = c.get("/e-tjanst/orosanmalan/kvitto").await;
    assert!(receipt.body.contains("utanför kontorstid") && receipt.body.contains("markerad för jouren"));

    // The registrar's queue: four reports (the fixture's and these three), no names in it,
    // the after-hours ones marked.
    let mut rita = UiClient::new(&t);
    rita.login("rita").await;
    let before = t.access_log().len();
    let m = rita.get("/mottagning").await;
    assert_eq!(m.status, 200);
    assert!(m.body.contains("Anmälningar från e-tjänsten <span class=\"antal\">(4)</span>"), "{}", m.body);
    assert_eq!(m.body.matches("Efter kontorstid – länsjouren").count(), 2, "the fixture's (07:00) and Friday night's");
    assert!(
        !m.body.contains("Elsa") && !m.body.contains("Dora") && !m.body.contains("blåmärken"),
        "no names in the list"
    );
    assert_eq!(t.access_log().len(), before, "a list is not a read of a record");

    // A handler of an investigation unit has no queue: the reports are the mottagning's.
    let mut hanna = UiClient::new(&t);
    hanna.login("hanna").await;
    let m = hanna.get("/mottagning").await;
    assert!(m.body.contains("Anmälningar från e-tjänsten <span class=\"antal\">(0)</span>"));
    let r = hanna.get(&format!("/mottagning/e-tjanst/{SUBMISSION}")).await;
    assert_eq!(r.status, 404);
    assert!(!r.body.contains("Dora") && !r.body.contains("grannlägenheten"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn posts_are_rate_limited_per_address_and_the_limit_is_logged_once() {
    let t = TestApp::spawn().await;
    let max = t.app.store.rules().e_service.max_per_address as usize;
    let mut c = UiClient::new(&t);
    let form = c.get(FORM).await;
    let mut bad = teacher(&form.csrf(), "");
    set(&mut bad, "text", "");
    for _ in 0..max {
        assert_eq!(post(&mut c, &bad).await.status, 422);
    }
    let journal = t.journal_count();
    let r = post(&mut c, &teacher(&form.csrf(), "")).await;
    assert_eq!(r.status, 429);
    assert!(r.body.contains("Många anmälningar har skickats från din anslutning"));
    assert!(r.body.contains("value=\"Lärare Lärarsson\""), "the input is kept");
    assert_eq!(post(&mut c, &bad).await.status, 429);
    assert_eq!(t.journal_count(), journal);
    let throttled = t.security_log().iter().filter(|s| s.entry.kind == SecurityKind::AddressThrottled).count();
    assert_eq!(throttled, 1, "logged once per window, not per post");
    // An hour later the address may post again.
    t.clock.advance(chrono::Duration::minutes(61));
    let form = c.get(FORM).await;
    assert_eq!(post(&mut c, &teacher(&form.csrf(), "")).await.status, 303);
    assert_eq!(t.journal_count(), journal + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_registrar_reads_a_report_logged_and_registers_it_once_with_the_e_tjansts_time() {
    let t = TestApp::spawn().await;
    let mut c = UiClient::new(&t);
    c.login("rita").await;
    let path = format!("/mottagning/e-tjanst/{SUBMISSION}");
    let before = t.access_log().len();
    let page = c.get(&path).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains(SUBMISSION_TEXT), "the report as sent");
    assert!(page.body.contains("Efter kontorstid – markerad för länsjouren"));
    assert!(page.body.contains("Dora Mottagsson"), "the child looked up by the personnummer given");
    assert!(page.body.contains("Registrera som aktualisering"));
    let log = t.access_log();
    let read = log.iter().skip(before).find(|l| l.entry.action == AccessAction::ReadSubmission).expect("logged");
    assert_eq!(read.entry.person.0, SUBMISSION.0, "the line names the submission");
    assert_eq!(read.entry.staff.as_str(), "rita");

    // Bad input: errors at their fields, input kept, nothing written. The kind is not
    // pre-chosen: the registrar chooses it deliberately.
    let csrf = page.csrf();
    let pnr = Target::Intake.pnr();
    let journal = t.journal_count();
    let r = c
        .post(
            &path,
            &[
                ("_csrf", &csrf),
                ("personnummer", pnr.as_str()),
                ("kind", ""),
                ("reporter_category", "anonymous"),
                ("text", "Grannen hör skrik."),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("id=\"reg-kind-fel\"") && r.body.contains("Välj typ av aktualisering."));
    assert!(r.body.contains("id=\"reg-reasons-fel\""));
    assert!(r.body.contains("Grannen hör skrik."), "input kept");
    assert_eq!(t.journal_count(), journal);

    let fields = [
        ("_csrf", csrf.as_str()),
        ("personnummer", pnr.as_str()),
        ("kind", "report"),
        ("reporter_category", "anonymous"),
        ("reasons", "witnessed_violence"),
        ("text", "Grannen hör skrik och slag varje kväll."),
    ];
    let r = c.post(&path, &fields).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let case = skyndsam_domain::ids::CaseId::parse(r.location.trim_start_matches("/arenden/")).unwrap();
    {
        let p = t.app.store.projections();
        let c = p.case(&case).unwrap();
        assert_eq!(c.received_at, at(2026, 3, 2, 7), "the clock runs from the e-tjänst's receipt");
        assert_eq!(c.channel, Channel::EService);
        assert!(c.after_hours);
        assert!(p.submissions.open_in(&[skyndsam_domain::ids::UnitId::parse("mottagning").unwrap()]).is_empty());
    }
    let casepage = c.get(&r.location).await;
    assert!(casepage.body.contains("E-tjänst") && casepage.body.contains("Kvittens"), "{}", casepage.body);

    // Registered: it has left the queue; a second registration is refused.
    let m = c.get("/mottagning").await;
    assert!(m.body.contains("Inga anmälningar väntar."));
    let journal = t.journal_count();
    let r = c.post(&path, &fields).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("redan registrerad"), "{}", r.body);
    assert_eq!(t.journal_count(), journal);
    let page = c.get(&path).await;
    assert!(page.body.contains(&format!("href=\"/arenden/{case}\"")), "the page links the case");
    assert!(!page.body.contains("Registrera inte"), "no forms any more");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_that_is_not_an_aktualisering_is_closed_with_its_reason() {
    let t = TestApp::spawn().await;
    let mut c = UiClient::new(&t);
    c.login("maja").await;
    let path = format!("/mottagning/e-tjanst/{SUBMISSION}");
    let page = c.get(&path).await;
    assert_eq!(page.status, 200, "the intake's team leader handles the queue too");
    let journal = t.journal_count();
    let r = c.post(&format!("{path}/avsluta"), &[("_csrf", &page.csrf()), ("reason", " ")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("id=\"avsluta-reason-fel\"") && r.body.contains("Ange varför anmälan inte registreras."));
    assert_eq!(t.journal_count(), journal);
    let r = c
        .post(&format!("{path}/avsluta"), &[("_csrf", &page.csrf()), ("reason", "Dubblett av ett telefonsamtal")])
        .await;
    assert_eq!((r.status, r.location.as_str()), (303, "/mottagning"));
    assert_eq!(t.journal_count(), journal + 1);
    let page = c.get(&path).await;
    assert!(page.body.contains("Avslutad utan registrering: Dubblett av ett telefonsamtal"));
    assert!(page.body.contains(SUBMISSION_TEXT), "kept as it came in");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_about_siblings_is_registered_as_one_aktualisering_with_a_case_per_child() {
    let t = TestApp::spawn().await;
    let mut c = UiClient::new(&t);
    c.login("rita").await;
    let path = format!("/mottagning/e-tjanst/{SUBMISSION}");
    let page = c.get(&path).await;
    let csrf = page.csrf();
    let dora = Target::Intake.pnr();
    let elsa = Target::OwnUnit.pnr();
    let journal = t.journal_count();
    let mut fields = [
        ("_csrf", csrf.clone()),
        ("personnummer", dora.as_str().to_owned()),
        ("siblings", format!("{}\n20160504-24", dora.as_str())),
        ("kind", "report".to_owned()),
        ("reporter_category", "anonymous".to_owned()),
        ("reasons", "witnessed_violence".to_owned()),
        ("text", "Grannen hör skrik.".to_owned()),
    ];
    let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = c.post(&path, &f).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("id=\"reg-siblings-fel\"") && r.body.contains("barnet är redan angivet"));
    assert_eq!(t.journal_count(), journal);
    fields[2].1 = elsa.as_str().to_owned();
    let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = c.post(&path, &f).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(t.journal_count(), journal + 3, "two cases and the submission's registration");
    let p = t.app.store.projections();
    match &p.submissions.get(&SUBMISSION).unwrap().status {
        skyndsam_domain::submission::SubmissionStatus::Registered { cases, .. } => {
            assert_eq!(cases.len(), 2);
            let children: Vec<_> = cases.iter().map(|c| p.case(c).unwrap().child).collect();
            assert_eq!(children, [Target::Intake.child(), Target::OwnUnit.child()]);
            assert_eq!(p.case(&cases[0]).unwrap().siblings, [Target::OwnUnit.child()]);
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn once_registered_about_a_protected_child_the_report_is_scrubbed_for_roles_that_may_not_see_it() {
    let t = TestApp::spawn().await;
    let id = skyndsam_domain::ids::SubmissionId::from_u128(0xAB << 120 | 7);
    let app = t.app.clone();
    let now = t.clock.now_utc();
    tokio::task::spawn_blocking(move || {
        let report = skyndsam_domain::submission::WebReport {
            reporter: skyndsam_domain::events::Reporter {
                category: skyndsam_domain::events::ReporterCategory::Preschool,
                name: Some("Förskollärare Fröken".into()),
                organisation: Some("Förskolan Solen".into()),
                contact: Some("08-111 11 11".into()),
            },
            child_name: Some(NOAH_NAME.into()),
            child_id_number: Some(noah_pnr()),
            child_details: None,
            other_children: None,
            text: format!("{NOAH_NAME} berättar om bråk hemma."),
        };
        app.store
            .submit_web_report(id, &skyndsam_domain::ids::UnitId::parse("mottagning").unwrap(), &report, now)
            .unwrap();
    })
    .await
    .unwrap();
    // The registrar (who may see protected identities) registers it.
    let mut rita = UiClient::new(&t);
    rita.login("rita").await;
    let path = format!("/mottagning/e-tjanst/{id}");
    let page = rita.get(&path).await;
    assert!(page.body.contains(NOAH_NAME), "the registrar sees it");
    let pnr = noah_pnr();
    let r = rita
        .post(
            &path,
            &[
                ("_csrf", &page.csrf()),
                ("personnummer", pnr.as_str()),
                ("kind", "report"),
                ("reporter_category", "preschool"),
                ("reporter_name", "Förskollärare Fröken"),
                ("reporter_organisation", "Förskolan Solen"),
                ("reasons", "neglect_of_care"),
                ("text", "Förskolan oroar sig."),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    // The intake's team leader (who may not) reads the registered report scrubbed.
    let mut maja = UiClient::new(&t);
    maja.login("maja").await;
    let r = maja.get(&path).await;
    assert_eq!(r.status, 200);
    assert!(!r.body.contains(NOAH_NAME) && !r.body.contains("Skyddadsson") && !r.body.contains(pnr.as_str()));
    assert!(r.body.contains("[skyddad uppgift] berättar om bråk hemma."), "{}", r.body);
}
