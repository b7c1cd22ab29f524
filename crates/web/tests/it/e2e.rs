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
