//! The quality pages end to end in a real headless Chromium (see `e2e.rs`), with axe-core
//! on every page visited: (a) a deviation reported by a registrar from a case page, to
//! locked with a measure, a follow-up and feedback the reporter then reads; (b) a lex Sarah
//! through investigation and classification to the report to IVO; (c) a deviation escalated
//! to lex Sarah with its history kept and linked; (d) an external deviation sent on to
//! another administration; and the remaining quality pages. Also, over HTTP, that the six
//! weeks and the IVO clock show on the right users' Att göra and in the deadline book.

use crate::e2e::{axe, browser, click, click_and_wait_for_next_page, login, logout};
use crate::harness::*;
use crate::quality_api::QualityTargets;
use crate::ui::UiClient;
use fantoccini::{Client, Locator};
use serde_json::json;

async fn accessible(c: &Client, page: &str) {
    let v = axe(c).await;
    assert!(v.is_empty(), "axe-core on {page}: {} violations:\n{}", v.len(), v.join("\n"));
}

async fn fill(c: &Client, css: &str, text: &str) {
    let e = c.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}"));
    e.clear().await.unwrap();
    e.send_keys(text).await.unwrap();
}

async fn choose(c: &Client, css: &str, value: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("{css} = {value}: {e}"));
}

async fn text(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}")).text().await.unwrap()
}

/// Submits the form that follows the heading `#id` and waits until the next page has
/// replaced this one (the old page's root goes stale).
async fn submit(c: &Client, heading: &str) {
    click_and_wait_for_next_page(c, &format!("#{heading} ~ form button[type=submit]")).await;
}

async fn source(c: &Client) -> String {
    c.source().await.unwrap()
}

/// The id at the end of the current page's address.
async fn id_of(c: &Client, prefix: &str) -> String {
    let url = c.current_url().await.unwrap();
    url.path().trim_start_matches(prefix).trim_matches('/').to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deviation_from_a_case_page_to_locked_with_measure_follow_up_and_feedback_the_reporter_reads() {
    let Some((_driver, c)) = browser().await else { return };
    let t = TestApp::spawn().await;
    let base = t.base.clone();
    let case = Target::Intake.case();

    // The registrar, on the case page: reports a deviation with the case linked.
    login(&c, &base, "rita").await;
    c.goto(&format!("{base}/arenden/{case}")).await.unwrap();
    c.wait().for_element(Locator::Css("#kvalitet-arende")).await.unwrap();
    accessible(&c, "Ärende med avvikelser").await;
    click(&c, &format!("a[href='/avvikelser/ny?arende={case}']")).await;
    c.wait().for_element(Locator::Css("#ny-description")).await.unwrap();
    accessible(&c, "Rapportera avvikelse").await;
    assert!(source(&c).await.contains("Riskvärde och rekommendation"), "the risk matrix beside the form");
    // Without a description: the error beside its field, the input kept, nothing written.
    let journal = t.journal_count();
    choose(&c, "#ny-unit", "utredning-1").await;
    choose(&c, "#ny-category", "registrering").await;
    click(&c, "main form button[type=submit]").await;
    c.wait().for_element(Locator::Css("#ny-description-fel")).await.unwrap();
    assert_eq!(t.journal_count(), journal);
    assert!(text(&c, "#ny-description-fel").await.contains("Beskriv vad som hänt."));
    accessible(&c, "Rapportera avvikelse med fel").await;
    fill(&c, "#ny-description", "Anmälan låg oskannad i sex dagar innan den kopplades till handläggare.").await;
    choose(&c, "#ny-severity", "2").await;
    choose(&c, "#ny-probability", "2").await;
    click(&c, "main form button[type=submit]").await;
    c.wait().for_element(Locator::Css("#tidslinje")).await.unwrap();
    let id = id_of(&c, "/avvikelser/").await;
    assert!(source(&c).await.contains("Avvikelse rapporterad"));
    accessible(&c, "Avvikelse (rapportören)").await;
    logout(&c).await;

    // The unit manager: the six weeks and the deviation on his Att göra.
    login(&c, &base, "ulf").await;
    let todo = source(&c).await;
    assert!(todo.contains("Utredning av avvikelse") && todo.contains("2026-04-14"), "the six-week clock");
    accessible(&c, "Att göra med kvalitet").await;
    click(&c, &format!("#tilldelade ~ table a[href='/avvikelser/{id}']")).await;
    c.wait().for_element(Locator::Css("#utredning")).await.unwrap();
    accessible(&c, "Avvikelse (utredaren)").await;
    fill(&c, "#utr-what_happened", "Handlingen skannades men kopplades inte till handläggaren.").await;
    fill(&c, "#utr-failures", "Ingen läste posten under frånvaro.").await;
    fill(&c, "#utr-causes", "Hög inströmning och ingen rutin vid frånvaro.").await;
    fill(&c, "#utr-measures", "En reservläsare av posten varje dag.").await;
    click(&c, "#utr-recurrence_prevented-ja").await;
    submit(&c, "utredning").await;
    fill(&c, "#atg-description", "Reservläsare av posten varje dag").await;
    choose(&c, "#atg-owner", "tove").await;
    fill(&c, "#atg-due", "2026-03-17").await;
    submit(&c, "ny-atgard").await;
    assert!(source(&c).await.contains("Reservläsare av posten varje dag"), "the measure in the table");
    fill(&c, "#uppf-text", "Posten läses varje dag; inga fler sena kopplingar.").await;
    choose(&c, "#uppf-effect", "achieved").await;
    submit(&c, "uppfoljning").await;
    fill(&c, "#ater-text", "Tack för rapporten! Vi har infört en reservläsare av posten.").await;
    choose(&c, "#ater-channel", "in_app").await;
    submit(&c, "ge-aterkoppling").await;
    fill(&c, "#las-summary", "Utredd, åtgärdad och följd upp.").await;
    submit(&c, "las").await;
    let page = source(&c).await;
    assert!(page.contains("Avslutad (låst)"), "locked");
    assert!(c.find(Locator::Css("#utredning")).await.is_err(), "a locked deviation takes no investigation");
    assert!(c.find(Locator::Css("#tillagg")).await.is_ok(), "additions stay possible");
    accessible(&c, "Avvikelse (låst)").await;
    logout(&c).await;

    // The reporter sees the feedback in the app.
    login(&c, &base, "rita").await;
    c.wait().for_element(Locator::Css("#aterkoppling")).await.unwrap();
    accessible(&c, "Att göra med återkoppling").await;
    click(&c, &format!("#aterkoppling ~ ul a[href='/avvikelser/{id}']")).await;
    c.wait().for_element(Locator::Css("#aterkoppling-rubrik")).await.unwrap();
    assert!(text(&c, "blockquote.aterkoppling").await.contains("Vi har infört en reservläsare av posten."));
    accessible(&c, "Avvikelse med återkoppling").await;
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lex_sarah_through_investigation_and_classification_to_the_report_to_ivo() {
    let Some((_driver, c)) = browser().await else { return };
    let t = TestApp::spawn().await;
    let base = t.base.clone();
    let case = Target::OwnUnit.case();

    login(&c, &base, "hanna").await;
    c.goto(&format!("{base}/lex-sarah/ny?arende={case}")).await.unwrap();
    c.wait().for_element(Locator::Css("#ny-description")).await.unwrap();
    accessible(&c, "Rapportera enligt lex Sarah").await;
    fill(&c, "#ny-description", "Barnet lämnades utan skyddsbedömning över helgen.").await;
    choose(&c, "#ny-severity", "4").await;
    choose(&c, "#ny-probability", "2").await;
    click(&c, "main form button[type=submit]").await;
    c.wait().for_element(Locator::Css("#tidslinje")).await.unwrap();
    let id = id_of(&c, "/lex-sarah/").await;
    accessible(&c, "Lex Sarah (rapportören)").await;
    logout(&c).await;

    // The lex Sarah investigator (quality) investigates, structured as SKR's template.
    login(&c, &base, "kim").await;
    click(&c, &format!("#tilldelade ~ table a[href='/lex-sarah/{id}']")).await;
    c.wait().for_element(Locator::Css("#utredning")).await.unwrap();
    for (f, v) in [
        ("course_of_events", "Anmälan kom fredag kväll och lästes först måndag."),
        ("consequences", "Barnet kan ha varit utan skydd i tre dygn."),
        ("causes", "Ingen bemanning av mottagningen under helgen."),
        ("immediate_measures", "Jourrutinen har skärpts."),
        ("users_view", "Vårdnadshavaren har inte gått att nå."),
        ("staff_view", "Personalen bekräftar förloppet."),
        ("analysis", "En påtaglig risk för ett allvarligt missförhållande."),
    ] {
        fill(&c, &format!("#lsu-{f}"), v).await;
    }
    submit(&c, "utredning").await;
    assert!(c.find(Locator::Css("#bedomning")).await.is_err(), "the investigator does not classify");
    accessible(&c, "Lex Sarah (utredd)").await;
    logout(&c).await;

    // The delegate classifies; the IVO clock starts; the report is printed and registered.
    login(&c, &base, "anna").await;
    c.goto(&format!("{base}/lex-sarah/{id}")).await.unwrap();
    c.wait().for_element(Locator::Css("#bedomning")).await.unwrap();
    click(&c, "#bed-classification-substantial_risk_of_serious").await;
    fill(&c, "#bed-motivation", "Barnet var utan skyddsbedömning över en helg.").await;
    fill(&c, "#bed-decided_on", "2026-03-03").await;
    submit(&c, "bedomning").await;
    let clock = text(&c, "#ivo-klocka").await;
    assert!(clock.contains("2026-03-17"), "the IVO clock: {clock}");
    accessible(&c, "Lex Sarah (bedömd)").await;
    click(&c, &format!("a[href='/lex-sarah/{id}/ivo']")).await;
    c.wait().for_element(Locator::Css("article.utskrift")).await.unwrap();
    let print = source(&c).await;
    assert!(
        print.contains("Påtaglig risk för allvarligt missförhållande")
            && print.contains("Ingen bemanning av mottagningen")
    );
    accessible(&c, "Anmälan till IVO (utskrift)").await;
    c.goto(&format!("{base}/lex-sarah/{id}")).await.unwrap();
    c.wait().for_element(Locator::Css("#ivo")).await.unwrap();
    fill(&c, "#ivo-sent_on", "2026-03-03").await;
    fill(&c, "#ivo-summary", "Påtaglig risk för allvarligt missförhållande: ingen skyddsbedömning över helgen.").await;
    submit(&c, "ivo").await;
    assert!(source(&c).await.contains("Anmäld till IVO"));
    assert!(c.find(Locator::Css("#ivo")).await.is_err(), "reported: no longer offered");
    accessible(&c, "Lex Sarah (anmäld till IVO)").await;
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deviation_escalated_to_lex_sarah_keeps_its_history_linked() {
    let Some((_driver, c)) = browser().await else { return };
    let t = TestApp::spawn().await;
    let base = t.base.clone();
    let case = Target::OwnUnit.case();

    login(&c, &base, "hanna").await;
    c.goto(&format!("{base}/arenden/{case}")).await.unwrap();
    click(&c, &format!("a[href='/avvikelser/ny?arende={case}']")).await;
    c.wait().for_element(Locator::Css("#ny-description")).await.unwrap();
    choose(&c, "#ny-category", "tidsfrister").await;
    fill(&c, "#ny-description", "Ingen skyddsbedömning gjordes över helgen.").await;
    click(&c, "main form button[type=submit]").await;
    c.wait().for_element(Locator::Css("#tidslinje")).await.unwrap();
    let dev = id_of(&c, "/avvikelser/").await;
    logout(&c).await;

    login(&c, &base, "ulf").await;
    c.goto(&format!("{base}/avvikelser/{dev}")).await.unwrap();
    c.wait().for_element(Locator::Css("#till-lex-sarah")).await.unwrap();
    // Without the risk reading: refused beside the fields, nothing written.
    let journal = t.journal_count();
    fill(&c, "#ls-reason", "Möjligt missförhållande: barnet var utan skyddsbedömning.").await;
    submit(&c, "till-lex-sarah").await;
    c.wait().for_element(Locator::Css("#ls-severity-fel")).await.unwrap();
    assert_eq!(t.journal_count(), journal);
    assert_eq!(
        c.find(Locator::Css("#ls-reason")).await.unwrap().prop("value").await.unwrap().as_deref(),
        Some("Möjligt missförhållande: barnet var utan skyddsbedömning."),
        "the input is kept"
    );
    accessible(&c, "Avvikelse med fel i lyftet").await;
    choose(&c, "#ls-severity", "4").await;
    choose(&c, "#ls-probability", "2").await;
    submit(&c, "till-lex-sarah").await;
    c.wait().for_element(Locator::Css("#fran-avvikelse")).await.unwrap();
    assert!(c.current_url().await.unwrap().path().starts_with("/lex-sarah/"));
    accessible(&c, "Lex Sarah (lyft från avvikelse)").await;
    click(&c, &format!("#fran-avvikelse a[href='/avvikelser/{dev}']")).await;
    c.wait().for_element(Locator::Css("#lyft")).await.unwrap();
    let page = source(&c).await;
    assert!(page.contains("Lyft till lex Sarah") && page.contains("Avvikelse rapporterad"), "the history is kept");
    assert!(page.contains("Ingen skyddsbedömning gjordes över helgen."));
    assert!(c.find(Locator::Css("#utredning")).await.is_err(), "it is handled as lex Sarah now");
    accessible(&c, "Avvikelse (lyft till lex Sarah)").await;
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_external_deviation_is_sent_on_to_another_administration() {
    let Some((_driver, c)) = browser().await else { return };
    let t = TestApp::spawn().await;
    let base = t.base.clone();

    login(&c, &base, "hanna").await;
    click(&c, "a[href='/avvikelser/ny']").await;
    c.wait().for_element(Locator::Css("#ny-description")).await.unwrap();
    choose(&c, "#ny-unit", "utredning-1").await;
    choose(&c, "#ny-category", "samverkan").await;
    click(&c, "#ny-direction-external_outgoing").await;
    fill(&c, "#ny-external_body", "Barn- och utbildningsförvaltningen").await;
    fill(&c, "#ny-description", "Skolan skickade orosanmälan tre veckor efter att oron uppstod.").await;
    click(&c, "main form button[type=submit]").await;
    c.wait().for_element(Locator::Css("#tidslinje")).await.unwrap();
    let id = id_of(&c, "/avvikelser/").await;
    logout(&c).await;

    login(&c, &base, "ulf").await;
    c.goto(&format!("{base}/avvikelser/{id}")).await.unwrap();
    c.wait().for_element(Locator::Css("#skicka-vidare")).await.unwrap();
    accessible(&c, "Extern avvikelse").await;
    fill(&c, "#vid-to_body", "Barn- och utbildningsförvaltningen").await;
    fill(&c, "#vid-contact", "bou.avvikelser@kommun.example").await;
    fill(&c, "#vid-sent_on", "2026-03-03").await;
    submit(&c, "skicka-vidare").await;
    assert!(source(&c).await.contains("Skickad vidare"));
    assert!(c.find(Locator::Css("#skicka-vidare")).await.is_err(), "sent: no longer offered");
    assert!(c.find(Locator::Css("#externt-svar")).await.is_ok(), "the other body's answer can be recorded");
    fill(&c, "#ater-text", "Avvikelsen är skickad till BoU för utredning.").await;
    submit(&c, "ge-aterkoppling").await;
    fill(&c, "#las-summary", "Skickad till BoU, som utreder.").await;
    submit(&c, "las").await;
    let page = source(&c).await;
    assert!(page.contains("Avslutad (låst)") && page.contains("Skickad vidare för utredning"), "{page}");
    accessible(&c, "Extern avvikelse (skickad och låst)").await;
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_other_quality_pages_work_from_the_keyboard_and_pass_axe() {
    let Some((_driver, c)) = browser().await else { return };
    let t = TestApp::spawn().await;
    QualityTargets::seed(&t).await;
    let base = t.base.clone();

    login(&c, &base, "kim").await;
    click(&c, "nav a[href='/kvalitet']").await;
    c.wait().for_element(Locator::Css("#kvalitetsfrister")).await.unwrap();
    accessible(&c, "Kvalitet").await;
    for (path, name) in [("/avvikelser", "Avvikelser"), ("/lex-sarah", "Lex Sarah"), ("/synpunkter", "Synpunkter")] {
        c.goto(&format!("{base}{path}")).await.unwrap();
        c.wait().for_element(Locator::Css("main table, main p")).await.unwrap();
        assert!(!source(&c).await.contains("oskannad"), "the lists carry no text");
        accessible(&c, name).await;
    }
    // The quality developer sees a deviation pseudonymised: no text and no forms.
    c.goto(&format!("{base}/avvikelser/{}", QualityTargets::deviation(Target::OwnUnit))).await.unwrap();
    c.wait().for_element(Locator::Css("#tidslinje")).await.unwrap();
    let page = source(&c).await;
    assert!(page.contains("Pseudonymiserad vy") && !page.contains("oskannad"));
    assert!(c.find(Locator::Css("main form")).await.is_err());
    accessible(&c, "Avvikelse (pseudonymiserad)").await;

    // A complaint.
    c.goto(&format!("{base}/synpunkter/ny")).await.unwrap();
    c.wait().for_element(Locator::Css("#ny-description")).await.unwrap();
    accessible(&c, "Registrera synpunkt").await;
    choose(&c, "#ny-complaint_kind", "complaint").await;
    choose(&c, "#ny-source", "relative").await;
    choose(&c, "#ny-subject", "treatment").await;
    choose(&c, "#ny-unit", "utredning-1").await;
    fill(&c, "#ny-description", "Mormor upplevde ett dåligt bemötande.").await;
    fill(&c, "#ny-contact", "Brev till mormor").await;
    click(&c, "main form button[type=submit]").await;
    c.wait().for_element(Locator::Css("#tidslinje")).await.unwrap();
    assert!(source(&c).await.contains("Svar på synpunkt/klagomål"), "the answer clock");
    accessible(&c, "Synpunkt").await;

    // Internal control: a risk, a plan, a moment.
    c.goto(&format!("{base}/internkontroll")).await.unwrap();
    c.wait().for_element(Locator::Css("#riskregister")).await.unwrap();
    accessible(&c, "Internkontroll").await;
    fill(&c, "#risk-title", "Insatser löper ut utan nytt beslut").await;
    fill(&c, "#risk-description", "Beslut förnyas inte i tid.").await;
    fill(&c, "#risk-process", "Verkställighet").await;
    choose(&c, "#risk-probability", "4").await;
    choose(&c, "#risk-severity", "3").await;
    submit(&c, "ny-risk").await;
    let page = source(&c).await;
    assert!(page.contains("12 (hög)"), "risk value and level");
    accessible(&c, "Risk").await;
    c.goto(&format!("{base}/internkontroll")).await.unwrap();
    fill(&c, "#plan-board_reference", "SN 2026-03-03 § 14").await;
    submit(&c, "ny-plan").await;
    c.wait().for_element(Locator::Css("#nytt-moment")).await.unwrap();
    choose(&c, "#mom-risk", &QualityTargets::RISK.to_string()).await;
    fill(&c, "#mom-control", "Stickprov av 20 insatser").await;
    fill(&c, "#mom-method", "Stickprov").await;
    choose(&c, "#mom-owner", "ulf").await;
    fill(&c, "#mom-due", "2026-05-01").await;
    submit(&c, "nytt-moment").await;
    assert!(source(&c).await.contains("Stickprov av 20 insatser"));
    accessible(&c, "Internkontrollplan").await;

    // A survey: a CSV with a bad row is refused by row, nothing written.
    c.goto(&format!("{base}/brukarundersokningar/{}", QualityTargets::SURVEY)).await.unwrap();
    c.wait().for_element(Locator::Css("#import")).await.unwrap();
    accessible(&c, "Brukarundersökning").await;
    let journal = t.journal_count();
    fill(&c, "#imp-file_name", "svar.csv").await;
    fill(&c, "#imp-csv", "enhet;kön;fråga 1;fråga 2\nutredning-1;K;10;9\nutredning-1;X;3;3\n").await;
    submit(&c, "import").await;
    c.wait().for_element(Locator::Css("#imp-csv-fel")).await.unwrap();
    assert!(text(&c, "#imp-csv-fel").await.contains("Rad 3: kön"));
    assert_eq!(t.journal_count(), journal);
    accessible(&c, "Brukarundersökning med fel i importen").await;
    fill(&c, "#imp-csv", "enhet;kön;fråga 1;fråga 2\nutredning-1;K;10;9\nutredning-1;M;3;3\n").await;
    submit(&c, "import").await;
    assert!(source(&c).await.contains("Flickor/kvinnor"));
    c.goto(&format!("{base}/brukarundersokningar")).await.unwrap();
    c.wait().for_element(Locator::Css("#ny-undersokning")).await.unwrap();
    accessible(&c, "Brukarundersökningar").await;

    c.goto(&format!("{base}/trender")).await.unwrap();
    c.wait().for_element(Locator::Css("#period")).await.unwrap();
    click(&c, "a[href='/trender?fran=2026-01-01&till=2026-04-30']").await;
    c.wait().for_element(Locator::Css("#period")).await.unwrap();
    assert!(text(&c, "#period").await.contains("2026-01-01 – 2026-04-30"), "delår 1");
    assert!(source(&c).await.contains("Avvikelser per kategori och månad"));
    accessible(&c, "Trender").await;
    c.close().await.unwrap();
}

// ------------------------------------------------------------------ the clocks on Att göra (HTTP)

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_six_weeks_and_the_ivo_clock_show_on_the_right_users_att_gora_and_in_the_deadline_book() {
    let t = TestApp::spawn().await;
    QualityTargets::seed(&t).await;
    // A serious lex Sarah classification: its IVO clock is the investigator's (kim).
    let kim = t.login("kim").await;
    let anna = t.login("anna").await;
    let ls = QualityTargets::lex_sarah(Target::OwnUnit);
    let inv = json!({"course_of_events": "x", "consequences": "x", "causes": "x", "immediate_measures": "x",
                     "users_view": "x", "staff_view": "x", "analysis": "x"});
    let r = t
        .post(Some(&kim), &format!("/api/lex-sarah/{ls}/investigation"), &json!({"expected_version": 1, "data": inv}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = t
        .post(
            Some(&anna),
            &format!("/api/lex-sarah/{ls}/classification"),
            &json!({"expected_version": 2, "data": {"classification": "serious_impropriety", "motivation": "x", "decided_on": "2026-03-03"}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let dev = QualityTargets::deviation(Target::OwnUnit);

    let att_gora = |user: &'static str| {
        let t = &t;
        async move {
            let mut c = UiClient::new(t);
            c.login(user).await;
            let page = c.get("/").await;
            assert_eq!(page.status, 200);
            page.body
        }
    };
    // ulf investigates the unit's deviations: their six weeks are his.
    let ulf = att_gora("ulf").await;
    assert!(ulf.contains(&format!("/avvikelser/{dev}")) && ulf.contains("Utredning av avvikelse"), "ulf's six weeks");
    assert!(ulf.contains("2026-04-14"));
    // kim investigates the lex Sarah matters: the IVO clock is hers.
    let kim_page = att_gora("kim").await;
    assert!(kim_page.contains(&format!("/lex-sarah/{ls}")) && kim_page.contains("Anmälan till IVO (lex Sarah)"));
    assert!(kim_page.contains("2026-03-17"));
    assert!(!kim_page.contains("Utredning av avvikelse"), "the deviations' six weeks are not the quality developer's");
    // anna manages the area: both clocks of her units.
    let anna_page = att_gora("anna").await;
    assert!(anna_page.contains("Utredning av avvikelse") && anna_page.contains("Anmälan till IVO (lex Sarah)"));
    // hanna reported the deviation but owns no clock; hugo has nothing to do with it.
    let hanna = att_gora("hanna").await;
    assert!(!hanna.contains("Utredning av avvikelse") && !hanna.contains("Anmälan till IVO"));
    let hugo = att_gora("hugo").await;
    assert!(!hugo.contains(&dev.to_string()) && !hugo.contains(&ls.to_string()));

    // The deadline book (API): the same clocks for their owners.
    let ulf_token = t.login("ulf").await;
    let book = t.get(Some(&ulf_token), "/api/quality/deadlines?mine=true").await;
    let rows = book.json.as_array().unwrap();
    assert!(rows
        .iter()
        .any(|r| r["matter"] == dev.to_string().as_str() && r["kind"]["kind"] == "deviation_investigation"));
    let book = t.get(Some(&kim), "/api/quality/deadlines?mine=true").await;
    let rows = book.json.as_array().unwrap();
    let ivo = rows.iter().find(|r| r["kind"]["kind"] == "ivo_report").unwrap_or_else(|| panic!("{}", book.body));
    assert_eq!((ivo["matter"].as_str(), ivo["last_day"].as_str()), (Some(ls.to_string().as_str()), Some("2026-03-17")));
    let hugo_token = t.login("hugo").await;
    let book = t.get(Some(&hugo_token), "/api/quality/deadlines").await;
    assert!(!book.body.contains(&dev.to_string()) && !book.body.contains(&ls.to_string()));
}
