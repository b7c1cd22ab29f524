//! End to end in a real headless Chromium (WebDriver through chromedriver, driven with
//! fantoccini), with axe-core (vendored, tests/assets/axe.min.js) run on every page.
//!
//! Without chromium/chromedriver the tests say so loudly and pass — except under
//! `CI=true`, where a missing browser fails them (.ci/run installs it).
//! With `SKYNDSAM_SCREENSHOTS=<dir>` the pages are saved there as PNG (the README's).

use crate::harness::*;
use fantoccini::{key::Key, Client, ClientBuilder, Locator};
use serde_json::json;
use std::io::Write;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

static AXE: &str = include_str!("../assets/axe.min.js");

fn find(bin: &[&str]) -> Option<String> {
    let path = std::env::var("PATH").unwrap_or_default();
    for b in bin {
        for dir in path.split(':') {
            let p = std::path::Path::new(dir).join(b);
            if p.is_file() {
                return Some(p.display().to_string());
            }
        }
    }
    None
}

/// chromedriver on a free port, killed (by its handle) when dropped.
pub struct Driver {
    child: Child,
    pub url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The browser, or None (locally) when it is not installed.
pub async fn browser() -> Option<(Driver, Client)> {
    let driver = std::env::var("CHROMEDRIVER").ok().or_else(|| find(&["chromedriver"]));
    let chrome = std::env::var("CHROME").ok().or_else(|| find(&["chromium", "chromium-browser", "google-chrome"]));
    let (Some(driver), Some(chrome)) = (driver, chrome) else {
        let msg = "\n!!!!!!!!!! E2E-TESTET HOPPADES ÖVER: chromium och chromedriver saknas \
                   (apt-get install chromium chromium-driver) !!!!!!!!!!\n";
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{msg} — i CI måste webbläsartesterna köras");
        }
        let _ = writeln!(std::io::stderr(), "{msg}");
        return None;
    };
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new(&driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {driver}: {e}"));
    let d = Driver { child, url: format!("http://127.0.0.1:{port}") };
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chrome,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,1024", "--lang=sv-SE"]
        }),
    );
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&d.url)
        .await
        .unwrap_or_else(|e| panic!("WebDriver session: {e}"));
    Some((d, client))
}

/// Runs axe-core (WCAG 2.0/2.1 A and AA) on the current page; returns the violations.
pub async fn axe(c: &Client) -> Vec<String> {
    c.execute(AXE, vec![]).await.unwrap();
    let script = r#"
        const done = arguments[arguments.length - 1];
        axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
          .then(r => done(r.violations.map(v => v.id + ': ' + v.help + ' [' +
                 v.nodes.map(n => n.target.join(' ')).join(', ') + ']')))
          .catch(e => done(['axe failed: ' + e]));
    "#;
    let v = c.execute_async(script, vec![]).await.unwrap();
    serde_json::from_value(v).unwrap()
}

async fn assert_accessible(c: &Client, page: &str) {
    let v = axe(c).await;
    assert!(v.is_empty(), "axe-core on {page}: {} violations:\n{}", v.len(), v.join("\n"));
}

async fn screenshot(c: &Client, name: &str) {
    if let Ok(dir) = std::env::var("SKYNDSAM_SCREENSHOTS") {
        let png = c.screenshot().await.unwrap();
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(std::path::Path::new(&dir).join(format!("{name}.png")), png).unwrap();
    }
}

/// Logs in through the form and waits for the signed-in page: the log-out button, which
/// the login page does not have (waiting for any `h1` could find the login page's own
/// before the browser had left it, and the next step then ran on the wrong page).
pub(crate) async fn login(c: &Client, base: &str, user: &str) {
    c.goto(&format!("{base}/logga-in")).await.unwrap();
    c.find(Locator::Css("#inloggning-username")).await.unwrap().send_keys(user).await.unwrap();
    c.find(Locator::Css("#inloggning-password")).await.unwrap().send_keys(PASSWORD).await.unwrap();
    c.find(Locator::Css("main button[type=submit]")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("header button[type=submit]")).await.unwrap();
}

pub(crate) async fn logout(c: &Client) {
    c.find(Locator::Css("header button[type=submit]")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("#inloggning-username")).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_logs_in_opens_att_gora_and_a_case_with_a_protected_identity_masked() {
    let Some((_driver, c)) = browser().await else { return };
    let t = TestApp::spawn().await;
    // Seventeen days after receipt: overdue preliminary assessments on Att göra.
    t.clock.advance(chrono::Duration::days(17));

    c.goto(&format!("{}/logga-in", t.base)).await.unwrap();
    assert_accessible(&c, "Logga in").await;
    screenshot(&c, "inloggning").await;

    // A wrong password: the error next to its field, in Swedish, accessible.
    c.find(Locator::Css("#inloggning-username")).await.unwrap().send_keys("hanna").await.unwrap();
    c.find(Locator::Css("#inloggning-password")).await.unwrap().send_keys("fel fel fel fel").await.unwrap();
    c.find(Locator::Css("main button[type=submit]")).await.unwrap().click().await.unwrap();
    let err = c.wait().for_element(Locator::Css("#inloggning-password-fel")).await.unwrap();
    assert!(err.text().await.unwrap().contains("Fel användarnamn eller lösenord."));
    assert_accessible(&c, "Logga in med fel").await;

    login(&c, &t.base, "hanna").await;
    let h1 = c.find(Locator::Css("h1")).await.unwrap().text().await.unwrap();
    assert_eq!(h1, "Att göra");
    assert_accessible(&c, "Att göra").await;
    screenshot(&c, "att-gora").await;
    let src = c.source().await.unwrap();
    assert!(!src.contains(NOAH_NAME));

    // The protected child's case, opened from the list.
    let link = format!("a[href='/arenden/{}']", Target::Protected.case());
    c.find(Locator::Css(&link)).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("#tidslinje")).await.unwrap();
    let h1 = c.find(Locator::Css("h1")).await.unwrap().text().await.unwrap();
    assert_eq!(h1, "Ärende: Skyddad identitet");
    let src = c.source().await.unwrap();
    let pnr = noah_pnr();
    assert!(!src.contains(NOAH_NAME) && !src.contains("Skyddadsson") && !src.contains(pnr.as_str()));
    assert!(src.contains("[skyddad uppgift]"));
    assert_accessible(&c, "Ärende (skyddad identitet)").await;
    screenshot(&c, "arende").await;

    // The form's error state is accessible too: an empty protection assessment.
    c.goto(&format!("{}/arenden/{}", t.base, Target::OwnUnit.case())).await.unwrap();
    let journal = t.journal_count();
    c.find(Locator::Css("#skyddsbedomning ~ form button[type=submit]")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css(".felsammanfattning")).await.unwrap();
    assert_eq!(t.journal_count(), journal);
    assert_accessible(&c, "Ärende med fel i formuläret").await;
    screenshot(&c, "formular-med-fel").await;

    // axe really judges: a page with a fault is reported.
    c.execute(
        "const i = document.createElement('img'); i.src = '/x.png'; document.querySelector('main').appendChild(i);",
        vec![],
    )
    .await
    .unwrap();
    let v = axe(&c).await;
    assert!(v.iter().any(|x| x.starts_with("image-alt")), "axe-core must see a missing alt: {v:?}");

    logout(&c).await;
    c.close().await.unwrap();
}

async fn fill(c: &Client, css: &str, text: &str) {
    let e = c.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}"));
    e.clear().await.unwrap();
    e.send_keys(text).await.unwrap();
}

pub(crate) async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}")).click().await.unwrap();
}

/// Clicks `css` (a form's submit button) and waits until the next page has replaced this
/// one (the old page's root goes stale), then for its heading.
pub(crate) async fn click_and_wait_for_next_page(c: &Client, css: &str) {
    let old = c.find(Locator::Css("html")).await.unwrap();
    click(c, css).await;
    for _ in 0..200 {
        if old.tag_name().await.is_err() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    c.wait().for_element(Locator::Css("h1")).await.unwrap();
}

async fn choose(c: &Client, css: &str, value: &str) {
    c.find(Locator::Css(css)).await.unwrap().select_by_value(value).await.unwrap();
}

async fn text_of(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}")).text().await.unwrap()
}

async fn has(c: &Client, css: &str) -> bool {
    c.find(Locator::Css(css)).await.is_ok()
}

/// Presses keys on whatever has the focus (as a keyboard does).
async fn press(c: &Client, keys: &str) {
    c.active_element().await.unwrap().send_keys(keys).await.unwrap();
}

async fn focused(c: &Client) -> String {
    c.active_element().await.unwrap().attr("id").await.unwrap().unwrap_or_default()
}

/// The page's first-level heading.
async fn h1(c: &Client) -> String {
    text_of(c, "h1").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_walks_from_the_public_e_tjanst_to_a_decision_and_each_user_sees_only_their_part() {
    let Some((_driver, c)) = browser().await else { return };
    let t = TestApp::spawn().await;
    let base = t.base.clone();
    let elsa = Target::OwnUnit.pnr();

    // ---- The public e-tjänst, no login: bad input first.
    c.goto(&format!("{base}/e-tjanst/orosanmalan")).await.unwrap();
    assert_eq!(h1(&c).await, "Anmäl oro för ett barn");
    assert_accessible(&c, "E-tjänst").await;
    screenshot(&c, "e-tjanst").await;
    let journal = t.journal_count();
    click(&c, "#anm-reporter_kind-professional").await;
    fill(&c, "#anm-child_name", "Elsa").await;
    fill(&c, "#anm-child_id_number", "20160504-24").await;
    click_and_wait_for_next_page(&c, "main form button[type=submit]").await;
    c.wait().for_element(Locator::Css(".felsammanfattning")).await.unwrap();
    for (field, msg) in [
        ("reporter_category", "Välj din yrkesroll."),
        ("reporter_name", "Anmäler du i din yrkesroll måste du ange ditt namn."),
        ("reporter_organisation", "Ange din arbetsplats."),
        ("child_id_number", "Lämna fältet tomt om du inte vet personnumret."),
        ("text", "Beskriv vad som har hänt"),
    ] {
        let err = text_of(&c, &format!("#anm-{field}-fel")).await;
        assert!(err.contains(msg), "{field}: {err}");
        let described =
            c.find(Locator::Css(&format!("#anm-{field}"))).await.unwrap().attr("aria-describedby").await.unwrap();
        assert_eq!(described.as_deref(), Some(format!("anm-{field}-fel").as_str()), "the error is the field's");
    }
    let kept = c.find(Locator::Css("#anm-child_name")).await.unwrap().prop("value").await.unwrap();
    assert_eq!(kept.as_deref(), Some("Elsa"), "input kept");
    assert!(c.find(Locator::Css("#anm-reporter_kind-professional")).await.unwrap().is_selected().await.unwrap());
    assert_eq!(t.journal_count(), journal, "nothing written");
    assert_accessible(&c, "E-tjänst med fel").await;
    screenshot(&c, "e-tjanst-med-fel").await;
    // Corrected.
    choose(&c, "#anm-reporter_category", "school").await;
    fill(&c, "#anm-reporter_name", "Lärare Lärarsson").await;
    fill(&c, "#anm-reporter_organisation", "Påhittade skolan").await;
    fill(&c, "#anm-reporter_contact", "08-000 00 00").await;
    fill(&c, "#anm-child_id_number", elsa.as_str()).await;
    fill(&c, "#anm-text", "Elsa kom till skolan med blåmärken och sa att styvpappan slagit henne.").await;
    click_and_wait_for_next_page(&c, "main form button[type=submit]").await;
    c.wait().for_element(Locator::Css("#kvittensnummer")).await.unwrap();
    let receipt = text_of(&c, "#kvittensnummer").await;
    assert!(receipt.starts_with("E-2026-"), "{receipt}");
    let page = c.source().await.unwrap();
    assert!(
        !page.contains("Exempelsson") && !page.contains("utredning-1") && !page.contains("hanna"),
        "nothing about the known child"
    );
    assert_accessible(&c, "Kvitto").await;
    screenshot(&c, "e-tjanst-kvitto").await;
    t.clock.advance(chrono::Duration::hours(1));

    // ---- The registrar: the queue, the report (a logged read), registration.
    login(&c, &base, "rita").await;
    click(&c, "nav a[href='/mottagning']").await;
    c.wait().for_element(Locator::Css("#etjanst-rubrik")).await.unwrap();
    assert!(c.source().await.unwrap().contains(&receipt));
    assert_accessible(&c, "Mottagning med e-tjänstens kö").await;
    screenshot(&c, "mottagning").await;
    c.find(Locator::LinkText(&receipt)).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("#registrera")).await.unwrap();
    let src = c.source().await.unwrap();
    assert!(src.contains("styvpappan slagit henne") && src.contains("Elsa Exempelsson"), "the report and the child");
    assert_accessible(&c, "Anmälan från e-tjänsten").await;
    screenshot(&c, "mottagning-e-tjanst").await;
    choose(&c, "#reg-kind", "report").await;
    click(&c, "#reg-reasons-violence_against_child").await;
    click_and_wait_for_next_page(&c, "#registrera ~ form button[type=submit]").await;
    c.wait().for_element(Locator::Css("#tidslinje")).await.unwrap();
    let url = c.current_url().await.unwrap();
    let case = skyndsam_domain::ids::CaseId::parse(url.path().trim_start_matches("/arenden/")).unwrap();
    let src = c.source().await.unwrap();
    assert!(src.contains("E-tjänst") && src.contains(&receipt), "channel and receipt on the case");
    assert!(!has(&c, "#skyddsbedomning").await, "a registrar documents no assessments");
    assert_accessible(&c, "Ärende (mottagningen)").await;
    logout(&c).await;

    // ---- The intake's team leader hands the new case to utredning-1.
    login(&c, &base, "maja").await;
    click(&c, "nav a[href='/fordelning']").await;
    c.wait().for_element(Locator::Css(&format!("#fordela-{case}"))).await.unwrap();
    assert_accessible(&c, "Fördelning (mottagningen)").await;
    choose(&c, &format!("#fordela-{case}-handler"), "enhet:utredning-1").await;
    click_and_wait_for_next_page(&c, &format!("form[action='/arenden/{case}/fordelning'] button[type=submit]")).await;
    c.wait().for_element(Locator::Css("#belastning")).await.unwrap();
    assert!(!has(&c, &format!("#fordela-{case}")).await, "handed over");
    c.goto(&format!("{base}/arenden/{case}")).await.unwrap();
    assert_eq!(h1(&c).await, "Finns inte", "the intake no longer sees it");
    // (An error page carries no header: log out from Att göra.)
    c.goto(&format!("{base}/")).await.unwrap();
    logout(&c).await;

    // ---- The investigation unit's team leader allocates it, by keyboard.
    login(&c, &base, "tove").await;
    click(&c, "nav a[href='/fordelning']").await;
    c.wait().for_element(Locator::Css(&format!("#fordela-{case}"))).await.unwrap();
    assert_accessible(&c, "Fördelning").await;
    screenshot(&c, "fordelning").await;
    c.find(Locator::Css(&format!("#fordela-{case}-handler"))).await.unwrap().send_keys("hanna").await.unwrap();
    let chosen = c.find(Locator::Css(&format!("#fordela-{case}-handler"))).await.unwrap().prop("value").await.unwrap();
    assert_eq!(chosen.as_deref(), Some("hanna"), "chosen by typing");
    press(&c, &Key::Tab).await;
    press(&c, &Key::Enter).await;
    c.wait().for_element(Locator::Css("#belastning")).await.unwrap();
    assert!(!has(&c, &format!("#fordela-{case}")).await, "allocated");
    logout(&c).await;

    // ---- The handler: Att göra, protection and preliminary assessment, the investigation.
    login(&c, &base, "hanna").await;
    assert!(!has(&c, "nav a[href='/fordelning']").await && !has(&c, "nav a[href='/enhetsoversikt']").await);
    click(&c, &format!("a[href='/arenden/{case}']")).await;
    c.wait().for_element(Locator::Css("#skyddsbedomning")).await.unwrap();
    fill(&c, "#skydd-assessed_date", "2026-03-03").await;
    fill(&c, "#skydd-assessed_time", "09:30").await;
    fill(&c, "#skydd-assessor_name", "Hanna Testberg").await;
    fill(&c, "#skydd-assessor_title", "Socialsekreterare").await;
    fill(&c, "#skydd-facts", "Samtal med skolan. Styvpappan är bortrest till fredag.").await;
    click(&c, "#skydd-immediate_need-nej").await;
    click_and_wait_for_next_page(&c, "#skyddsbedomning ~ form button[type=submit]").await;
    c.wait().for_element(Locator::Css("#forhandsbedomning")).await.unwrap();
    let clock = text_of(&c, ".klocka").await;
    assert!(clock.contains("2026-03-17"), "the 14-day clock: {clock}");
    assert!(!has(&c, "#forhand-outcome-not_open").await, "'inte inleda' is the team leader's by delegation");
    fill(&c, "#forhand-decided_on", "2026-03-03").await;
    click(&c, "#forhand-outcome-open").await;
    click(&c, "#forhand-earlier_knowledge-exists-ja").await;
    fill(&c, "#forhand-earlier_knowledge-description", "En tidigare anmälan i mars om brister i omsorgen; samma oro.")
        .await;
    click(&c, "#forhand-child_view-not_obtained").await;
    fill(&c, "#forhand-child_view-reason", "Barnet hörs i utredningen.").await;
    fill(&c, "#forhand-motivation", "Våld mot barn: utredning inleds utan dröjsmål.").await;
    click_and_wait_for_next_page(&c, "#forhandsbedomning ~ form button[type=submit]").await;
    c.wait().for_element(Locator::Css("#utredning")).await.unwrap();
    assert!(!has(&c, "#beslut").await, "the decision is not hers by delegation");
    choose(&c, "#del-part", "plan").await;
    click(&c, "#del-family_invited-ja").await;
    click(&c, "#del-family_took_part-ja").await;
    fill(&c, "#del-text", "Planering med mamma; Elsa hörs enskilt.").await;
    click_and_wait_for_next_page(&c, "#utredning ~ form button[type=submit]").await;
    c.wait().for_element(Locator::Css("#tidslinje")).await.unwrap();
    assert!(c.source().await.unwrap().contains("Utredningsplan"));
    assert_accessible(&c, "Ärende under utredning").await;
    screenshot(&c, "arende-efter-beslut").await;
    // What is not hers: the report as it came in, another area's case.
    c.goto(&format!("{base}/mottagning/e-tjanst/{SUBMISSION}")).await.unwrap();
    assert_eq!(h1(&c).await, "Finns inte");
    c.goto(&format!("{base}/arenden/{}", Target::OtherUnit.case())).await.unwrap();
    assert_eq!(h1(&c).await, "Finns inte");
    assert!(!c.source().await.unwrap().contains("Carl"));
    c.goto(&format!("{base}/")).await.unwrap();
    logout(&c).await;

    // ---- The team leader decides, and holds the monthly review with the handler.
    login(&c, &base, "tove").await;
    c.goto(&format!("{base}/arenden/{case}")).await.unwrap();
    c.wait().for_element(Locator::Css("#beslut")).await.unwrap();
    fill(&c, "#beslut-decided_on", "2026-03-03").await;
    click(&c, "#beslut-outcome-grant_intervention").await;
    choose(&c, "#beslut-intervention_kind", "family_treatment").await;
    fill(&c, "#beslut-intervention_from", "2026-03-10").await;
    fill(&c, "#beslut-intervention_to", "2026-03-15").await;
    fill(&c, "#beslut-motivation", "Familjebehandling för att stärka föräldraförmågan.").await;
    click_and_wait_for_next_page(&c, "#beslut ~ form button[type=submit]").await;
    c.wait().for_element(Locator::Css("#tidslinje")).await.unwrap();
    let src = c.source().await.unwrap();
    assert!(src.contains("Beslut efter utredning") && src.contains("Familjebehandling"));
    assert!(!has(&c, "#beslut").await, "decided");
    assert_accessible(&c, "Ärende efter beslut").await;
    click(&c, "nav a[href='/arendegenomgang']").await;
    c.wait().for_element(Locator::Css("a[href='/arendegenomgang/hanna']")).await.unwrap();
    assert_accessible(&c, "Ärendegenomgång (val)").await;
    click(&c, "a[href='/arendegenomgang/hanna']").await;
    c.wait().for_element(Locator::Css("#insatser")).await.unwrap();
    assert!(c.source().await.unwrap().contains("familjebehandling"), "the insats, ending within 14 days");
    assert_accessible(&c, "Ärendegenomgång").await;
    screenshot(&c, "arendegenomgang").await;
    logout(&c).await;

    // ---- The unit manager's overview; the auditor's pseudonymised view; the registrar no more.
    login(&c, &base, "ulf").await;
    click(&c, "nav a[href='/enhetsoversikt']").await;
    c.wait().for_element(Locator::Css("#sena")).await.unwrap();
    assert_accessible(&c, "Enhetsöversikt").await;
    screenshot(&c, "enhetsoversikt").await;
    logout(&c).await;
    login(&c, &base, "rut").await;
    c.goto(&format!("{base}/arenden/{case}")).await.unwrap();
    c.wait().for_element(Locator::Css("#tidslinje")).await.unwrap();
    let src = c.source().await.unwrap();
    assert!(src.contains("Pseudonymiserad vy"));
    assert!(!src.contains("Elsa") && !src.contains("styvpappan") && !src.contains(&receipt), "no name, no free text");
    assert!(!has(&c, "main form").await, "no forms");
    assert_accessible(&c, "Ärende (revisor)").await;
    logout(&c).await;
    login(&c, &base, "rita").await;
    c.goto(&format!("{base}/arenden/{case}")).await.unwrap();
    assert_eq!(h1(&c).await, "Finns inte", "handed over: not the intake's any more");
    assert_accessible(&c, "Finns inte").await;
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_e_tjanst_form_is_filled_in_and_sent_with_the_keyboard_alone() {
    let Some((_driver, c)) = browser().await else { return };
    let t = TestApp::spawn().await;
    c.goto(&format!("{}/e-tjanst/orosanmalan", t.base)).await.unwrap();
    let journal = t.journal_count();
    // The skip link first, then into the form, field by field, in the order the page reads.
    press(&c, &Key::Tab).await;
    assert_eq!(text_of(&c, ":focus").await, "Hoppa till innehållet");
    press(&c, &Key::Enter).await;
    let mut order = Vec::new();
    let steps: &[(&str, &str)] = &[
        ("anm-reporter_kind-professional", " "),
        ("anm-reporter_category", "Skola"),
        ("anm-reporter_name", "Lärare Tangentsson"),
        ("anm-reporter_organisation", "Påhittade skolan"),
        ("anm-reporter_contact", "08-000 00 00"),
        ("anm-child_name", "Elsa"),
        ("anm-child_id_number", ""),
        ("anm-child_details", "Nio år, klass 3B."),
        ("anm-other_children", ""),
        ("anm-text", "Elsa har berättat att hon inte får mat hemma."),
    ];
    for (id, keys) in steps {
        press(&c, &Key::Tab).await;
        let now = focused(&c).await;
        order.push(now.clone());
        assert_eq!(now, *id, "tab order: {order:?}");
        if !keys.is_empty() {
            press(&c, keys).await;
        }
    }
    press(&c, &Key::Tab).await;
    assert_eq!(text_of(&c, ":focus").await, "Skicka anmälan");
    press(&c, &Key::Enter).await;
    c.wait().for_element(Locator::Css("#kvittensnummer")).await.unwrap();
    assert_eq!(t.journal_count(), journal + 1, "sent and stored");
    let ours = t
        .app
        .store
        .projections()
        .submissions
        .open_in(&[skyndsam_domain::ids::UnitId::parse("mottagning").unwrap()])
        .len();
    assert_eq!(ours, 2, "the fixture's and this one");
    assert_accessible(&c, "Kvitto (tangentbord)").await;
    c.close().await.unwrap();
}

/// Issue 5's delegation screens in the browser: the förvaltningschef fills in the
/// re-delegation form with the keyboard alone; axe-core on the three new pages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_redelegation_form_is_filled_in_with_the_keyboard_and_the_delegation_pages_are_accessible() {
    let Some((_driver, c)) = browser().await else { return };
    let t = TestApp::spawn().await;
    login(&c, &t.base, "fred").await;
    c.goto(&format!("{}/vidaredelegering", t.base)).await.unwrap();
    assert_accessible(&c, "Vidaredelegering").await;
    let journal = t.journal_count();
    fill(&c, "#vidare-redelegation", "SN 2026/91").await;
    press(&c, &Key::Tab).await;
    assert_eq!(focused(&c).await, "vidare-decisions-not_open_investigation");
    press(&c, " ").await;
    let mut steps = 0;
    while focused(&c).await != "vidare-delegates" {
        press(&c, &Key::Tab).await;
        steps += 1;
        assert!(steps < 20, "the delegates field after the decision types");
    }
    press(&c, "hanna, hugo").await;
    press(&c, &Key::Tab).await;
    assert_eq!(focused(&c).await, "vidare-unit");
    press(&c, &Key::Tab).await;
    assert_eq!(focused(&c).await, "vidare-from");
    press(&c, &Key::Tab).await;
    assert_eq!(focused(&c).await, "vidare-to");
    press(&c, "2026-05-31").await;
    press(&c, &Key::Tab).await;
    assert_eq!(focused(&c).await, "vidare-decided_on");
    press(&c, &Key::Tab).await;
    assert_eq!(focused(&c).await, "vidare-document");
    press(&c, "Beslut om vidaredelegering, dnr SN 2026/91").await;
    press(&c, &Key::Tab).await;
    assert_eq!(focused(&c).await, "vidare-reason");
    press(&c, "Teamledaren är tjänstledig.").await;
    press(&c, &Key::Tab).await;
    assert_eq!(text_of(&c, ":focus").await, "Registrera vidaredelegering");
    press(&c, &Key::Enter).await;
    c.wait().for_element(Locator::Css("#lista-vidare")).await.unwrap();
    assert_eq!(t.journal_count(), journal + 1, "recorded");
    assert!(c.source().await.unwrap().contains("SN 2026/91"));
    assert_accessible(&c, "Vidaredelegering (lista)").await;
    c.goto(&format!("{}/egenkontroll?unit=forvaltning&year=2026", t.base)).await.unwrap();
    assert_eq!(h1(&c).await, "Självinspektion per enhet");
    assert_accessible(&c, "Självinspektion per enhet").await;
    click(&c, "a[href^='/egenkontroll/arenden']").await;
    c.wait().for_element(Locator::Css("h1")).await.unwrap();
    assert_accessible(&c, "Självinspektion – ärenden").await;
    logout(&c).await;
    login(&c, &t.base, "sam").await;
    c.goto(&format!("{}/delegationsordning", t.base)).await.unwrap();
    assert_eq!(h1(&c).await, "Delegationsordning");
    assert_accessible(&c, "Delegationsordning").await;
    c.close().await.unwrap();
}
