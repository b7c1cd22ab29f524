//! End to end in a real headless Chromium (WebDriver through chromedriver, driven with
//! fantoccini), with axe-core (vendored, tests/assets/axe.min.js) run on every page.
//!
//! Without chromium/chromedriver the tests say so loudly and pass — except under
//! `CI=true`, where a missing browser fails them (.ci/run installs it).
//! With `SKYNDSAM_SCREENSHOTS=<dir>` the pages are saved there as PNG (the README's).

use crate::harness::*;
use fantoccini::{Client, ClientBuilder, Locator};
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

async fn login(c: &Client, base: &str, user: &str) {
    c.goto(&format!("{base}/logga-in")).await.unwrap();
    c.find(Locator::Css("#inloggning-username")).await.unwrap().send_keys(user).await.unwrap();
    c.find(Locator::Css("#inloggning-password")).await.unwrap().send_keys(PASSWORD).await.unwrap();
    c.find(Locator::Css("main button[type=submit]")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("h1")).await.unwrap();
}

async fn logout(c: &Client) {
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

async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}")).click().await.unwrap();
}

async fn choose(c: &Client, css: &str, value: &str) {
    c.find(Locator::Css(css)).await.unwrap().select_by_value(value).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_case_walks_through_intake_protection_and_preliminary_assessment_as_different_users() {
    let Some((_driver, c)) = browser().await else { return };
    let t = TestApp::spawn().await;
    let base = t.base.clone();

    // Mottagning: the registrar looks the child up and registers a report.
    login(&c, &base, "rita").await;
    click(&c, "nav a[href='/mottagning']").await;
    c.wait().for_element(Locator::Css("#sok-personnummer")).await.unwrap();
    assert_accessible(&c, "Mottagning").await;
    fill(&c, "#sok-personnummer", Target::OwnUnit.pnr().as_str()).await;
    click(&c, "#sok-rubrik ~ form button[type=submit]").await;
    c.wait().for_element(Locator::Css("#registrera")).await.unwrap();
    assert!(c.source().await.unwrap().contains("Elsa Exempelsson"), "the child and earlier knowledge");
    assert_accessible(&c, "Mottagning med tidigare kännedom").await;
    screenshot(&c, "mottagning").await;
    choose(&c, "#reg-kind", "report").await;
    choose(&c, "#reg-channel", "phone").await;
    choose(&c, "#reg-reporter_category", "school").await;
    fill(&c, "#reg-reporter_name", "Rektor Rektorsson").await;
    fill(&c, "#reg-reporter_organisation", "Skolan").await;
    click(&c, "#reg-reasons-school_absence").await;
    fill(&c, "#reg-text", "Elsa har inte varit i skolan på tre veckor.").await;
    click(&c, "#registrera ~ form button[type=submit], #registrera + form button[type=submit]").await;
    c.wait().for_element(Locator::Css("#tidslinje")).await.unwrap();
    let url = c.current_url().await.unwrap();
    let case = skyndsam_domain::ids::CaseId::parse(url.path().trim_start_matches("/arenden/")).unwrap();
    assert_accessible(&c, "Ärende (mottagningen)").await;
    // The registrar documents no assessments: no forms are offered.
    assert!(c.find(Locator::Css("#skyddsbedomning")).await.is_err());
    logout(&c).await;

    // Fördelning has no page yet: the team leader allocates through the domain.
    let app = t.app.clone();
    let now = t.clock.now_utc();
    tokio::task::spawn_blocking(move || {
        use skyndsam_domain::commands::CaseCommand;
        use skyndsam_domain::events::Allocated;
        use skyndsam_domain::ids::{StaffId, UnitId};
        let tove =
            app.store.actor(&StaffId::parse("tove").unwrap(), skyndsam_domain::org::Role::TeamLeader, now).unwrap();
        let cmd = CaseCommand::Allocate(Allocated {
            unit: UnitId::parse("utredning-1").unwrap(),
            handler: Some(StaffId::parse("hanna").unwrap()),
        });
        let version = app.store.projections().case(&case).unwrap().version;
        app.store.execute(case, Some(version), &cmd, &tove, now).unwrap();
    })
    .await
    .unwrap();

    // The handler: the case on Att göra, the protection assessment, then the decision.
    login(&c, &base, "hanna").await;
    click(&c, &format!("a[href='/arenden/{case}']")).await;
    c.wait().for_element(Locator::Css("#skyddsbedomning")).await.unwrap();
    fill(&c, "#skydd-assessed_date", "2026-03-03").await;
    fill(&c, "#skydd-assessed_time", "09:00").await;
    fill(&c, "#skydd-assessor_name", "Hanna Testberg").await;
    fill(&c, "#skydd-assessor_title", "Socialsekreterare").await;
    fill(&c, "#skydd-facts", "Samtal med skolan och vårdnadshavare.").await;
    click(&c, "#skydd-immediate_need-nej").await;
    click(&c, "#skyddsbedomning ~ form button[type=submit]").await;
    c.wait().for_element(Locator::Css("#forhandsbedomning")).await.unwrap();
    assert!(c.find(Locator::Css("#skyddsbedomning")).await.is_err(), "done: no longer offered");
    let clock = c.find(Locator::Css(".klocka")).await.unwrap().text().await.unwrap();
    assert!(clock.contains("2026-03-17"), "the 14-day clock: {clock}");
    fill(&c, "#forhand-decided_on", "2026-03-03").await;
    click(&c, "#forhand-outcome-open").await;
    click(&c, "#forhand-earlier_knowledge-exists-ja").await;
    fill(&c, "#forhand-earlier_knowledge-description", "En tidigare anmälan i mars om brister i omsorgen.").await;
    click(&c, "#forhand-child_view-not_obtained").await;
    fill(&c, "#forhand-child_view-reason", "Barnet har inte gått att nå ännu.").await;
    fill(&c, "#forhand-motivation", "Långvarig skolfrånvaro och tidigare oro.").await;
    click(&c, "#forhandsbedomning ~ form button[type=submit]").await;
    c.wait().for_element(Locator::Css("#tidslinje")).await.unwrap();
    let src = c.source().await.unwrap();
    assert!(src.contains("Beslut i förhandsbedömning") && src.contains("Omedelbar skyddsbedömning"));
    assert!(c.find(Locator::Css("#forhandsbedomning")).await.is_err(), "decided: no longer offered");
    assert_accessible(&c, "Ärende efter beslut").await;
    screenshot(&c, "arende-efter-beslut").await;
    logout(&c).await;

    // The auditor: pseudonymised, no names, no free text, no forms.
    login(&c, &base, "rut").await;
    c.goto(&format!("{base}/arenden/{case}")).await.unwrap();
    c.wait().for_element(Locator::Css("#tidslinje")).await.unwrap();
    let src = c.source().await.unwrap();
    assert!(src.contains("Pseudonymiserad vy"));
    assert!(!src.contains("Elsa") && !src.contains("skolfrånvaro och tidigare oro"), "no name, no free text");
    assert!(c.find(Locator::Css("form[action$='forhandsbedomning']")).await.is_err());
    assert_accessible(&c, "Ärende (revisor)").await;
    logout(&c).await;

    // The team leader's Fördelning: the protected child's unallocated case, masked.
    login(&c, &base, "tove").await;
    click(&c, "nav a[href='/fordelning']").await;
    c.wait().for_element(Locator::Css(&format!("#fordela-{}", Target::Protected.case()))).await.unwrap();
    assert!(!c.source().await.unwrap().contains(NOAH_NAME));
    assert_accessible(&c, "Fördelning").await;
    screenshot(&c, "fordelning").await;
    logout(&c).await;

    // A handler in another area: the case does not exist for her.
    login(&c, &base, "hugo").await;
    c.goto(&format!("{base}/arenden/{case}")).await.unwrap();
    let h1 = c.find(Locator::Css("h1")).await.unwrap().text().await.unwrap();
    assert_eq!(h1, "Finns inte");
    assert!(!c.source().await.unwrap().contains("Elsa"));
    assert_accessible(&c, "Finns inte").await;
    c.close().await.unwrap();
}
