//! Issue 5's "done when": a file audit for one unit from sample to improvement action in a
//! real headless Chromium, with the .xlsx round trip — the quality developer opens the
//! year's audit from the form, records a drop-out, answers a file (overriding one automatic
//! answer with a comment, and first without one: refused beside the field, nothing
//! written), downloads the unit's sheet from the page, changes an answer in it, uploads it
//! (first with a bad row: refused by row, nothing written) and sees the change; the unit
//! manager writes the analysis and gives a team leader an improvement action, which is on
//! the team leader's Att göra; the team leader marks it done from the audit's page and the
//! unit manager closes the audit (first without a summary: refused beside the field). The
//! quality developer's questionnaire templates are visited on the way. axe-core finds nothing
//! on any page, and every control of the audit's pages is reached with the Tab key.

use crate::allocation::{act, open_investigation};
use crate::e2e::{axe, browser, click_and_wait_for_next_page, login, logout};
use crate::harness::*;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::{key::Key, Client, Locator};
use serde_json::json;
use skyndsam_domain::org::Role;

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

async fn value(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}")).prop("value").await.unwrap().unwrap()
}

/// Clicks the submit button of the form under `scope` (a CSS prefix) and waits for the
/// next page (the old page's root goes stale).
async fn submit(c: &Client, scope: &str) {
    click_and_wait_for_next_page(c, &format!("{scope} button[type=submit]")).await;
}

async fn source(c: &Client) -> String {
    c.source().await.unwrap()
}

/// Every link and control in the page's main content is reached with the Tab key alone.
async fn every_control_by_keyboard(c: &Client, page: &str) {
    const CONTROLS: &str = "main a[href], main button, main input:not([type=hidden]), main select, main textarea";
    let total = c
        .execute(&format!("return document.querySelectorAll('{CONTROLS}').length;"), vec![])
        .await
        .unwrap()
        .as_u64()
        .unwrap() as usize;
    assert!(total > 0, "{page}: no controls");
    c.execute("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0);", vec![]).await.unwrap();
    let mut seen = std::collections::BTreeSet::new();
    // The Tab key as a keyboard sends it (not typed into an element: a file input would take
    // it as a file name).
    let tab = || {
        let key = char::from(Key::Tab);
        KeyActions::new("tangentbord".into()).then(KeyAction::Down { value: key }).then(KeyAction::Up { value: key })
    };
    c.perform_actions(tab()).await.unwrap();
    for _ in 0..(total + 40) {
        let at = c
            .execute(
                &format!("return Array.from(document.querySelectorAll('{CONTROLS}')).indexOf(document.activeElement);"),
                vec![],
            )
            .await
            .unwrap()
            .as_i64()
            .unwrap();
        if at >= 0 {
            seen.insert(at);
        }
        if seen.len() == total {
            break;
        }
        c.perform_actions(tab()).await.unwrap();
    }
    assert_eq!(seen.len(), total, "{page}: {} of {total} controls reached with Tab", seen.len());
}

/// Downloads the link's target in the page's session (as the browser's download does).
async fn download(c: &Client, css: &str) -> Vec<u8> {
    let href = c.find(Locator::Css(css)).await.unwrap().attr("href").await.unwrap().unwrap();
    let script = r#"
        const done = arguments[arguments.length - 1];
        fetch(arguments[0]).then(r => r.arrayBuffer()).then(b => done(Array.from(new Uint8Array(b))))
          .catch(e => done(null));
    "#;
    let v = c.execute_async(script, vec![json!(href)]).await.unwrap();
    serde_json::from_value(v).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_audit_runs_for_one_unit_from_sample_to_improvement_action_with_an_xlsx_round_trip() {
    let Some((_driver, c)) = browser().await else { return };
    let t = TestApp::spawn().await;
    let base = t.base.clone();
    let own = Target::OwnUnit.case();
    let other = Target::Protected.case();
    // Two files of utredning-1 from 2026 that reached an investigation.
    act(&t, "hanna", Role::Handler, own, open_investigation(date(2026, 3, 3))).await;
    act(&t, "hanna", Role::Handler, other, open_investigation(date(2026, 3, 3))).await;

    // ---- The quality developer opens the year's audit from Kvalitet.
    login(&c, &base, "kim").await;
    c.goto(&format!("{base}/kvalitet")).await.unwrap();
    c.find(Locator::Css("main a[href='/aktgranskning']")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("#oppna")).await.unwrap();
    accessible(&c, "Aktgranskning (lista)").await;
    every_control_by_keyboard(&c, "Aktgranskning (lista)").await;
    // The questionnaire templates per unit type, linked from the list.
    c.find(Locator::Css("main a[href='/aktgranskning/mallar']")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("main table")).await.unwrap();
    accessible(&c, "Frågemallar").await;
    c.find(Locator::Css("main a[href='/aktgranskning/mallar/investigation']")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("#mall-egna-utredning")).await.unwrap();
    accessible(&c, "Frågemall (utredning)").await;
    every_control_by_keyboard(&c, "Frågemall (utredning)").await;
    c.goto(&format!("{base}/aktgranskning")).await.unwrap();
    c.wait().for_element(Locator::Css("#oppna")).await.unwrap();
    // The form has a seed ready; a bad year is refused beside its field, nothing written.
    assert!(value(&c, "#opp-seed").await.parse::<u64>().is_ok(), "a seed is offered");
    let journal = t.journal_count();
    choose(&c, "#opp-unit", "utredning-1").await;
    fill(&c, "#opp-year", "förra året").await;
    submit(&c, "section[aria-labelledby=oppna]").await;
    assert!(c.find(Locator::Css("#opp-year-fel")).await.is_ok(), "the year's error beside it");
    assert_eq!(value(&c, "#opp-year").await, "förra året", "input kept");
    assert_eq!(t.journal_count(), journal);
    accessible(&c, "Aktgranskning (fel i formuläret)").await;
    choose(&c, "#opp-unit", "utredning-1").await;
    fill(&c, "#opp-year", "2026").await;
    fill(&c, "#opp-seed", "4711").await;
    fill(&c, "#opp-size", "20").await;
    submit(&c, "section[aria-labelledby=oppna]").await;
    assert_eq!(c.find(Locator::Css("h1")).await.unwrap().text().await.unwrap(), "Aktgranskning 2026 – utredning-1");
    let id = c.current_url().await.unwrap().path().trim_start_matches("/aktgranskning/").to_owned();
    let page = source(&c).await;
    assert!(page.contains("4711"), "the seed is shown");
    assert!(page.contains(&own.to_string()) && page.contains(&other.to_string()), "both files drawn");
    accessible(&c, "Aktgranskningen").await;

    // ---- A drop-out with its reason.
    choose(&c, "#bort-case", &other.to_string()).await;
    fill(&c, "#bort-reason", "Överflyttat till annan kommun").await;
    submit(&c, "section[aria-labelledby=bortfall]").await;
    let page = source(&c).await;
    assert!(page.contains("Bortfall: Överflyttat till annan kommun"), "{page}");
    let audited = c.find(Locator::Css("#granskade")).await.unwrap();
    assert_eq!(audited.text().await.unwrap(), "1", "drawn minus drop-outs");
    assert!(c.find(Locator::Css(&format!("a[href='/aktgranskning/{id}/akter/{other}']"))).await.is_err());

    // ---- Answering the file: the automatic answers are pre-filled.
    c.find(Locator::Css(&format!("a[href='/aktgranskning/{id}/akter/{own}']"))).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("#akt-svar-0")).await.unwrap();
    accessible(&c, "Granska akten").await;
    every_control_by_keyboard(&c, "Granska akten").await;
    let auto0 = value(&c, "#akt-svar-0").await;
    assert!(["ja", "nej", "et"].contains(&auto0.as_str()), "pre-filled: {auto0}");
    assert!(source(&c).await.contains("Automatiskt svar"));
    let changed0 = if auto0 == "ja" { "nej" } else { "ja" };
    // An override without a comment: refused beside the field, input kept, nothing written.
    let journal = t.journal_count();
    choose(&c, "#akt-svar-0", changed0).await;
    submit(&c, "main form").await;
    let err = c.find(Locator::Css("#akt-kommentar-0-fel")).await.expect("the comment's error");
    assert!(err.text().await.unwrap().contains("skriv en kommentar"), "Swedish message");
    assert_eq!(value(&c, "#akt-svar-0").await, changed0, "input kept");
    assert_eq!(t.journal_count(), journal, "nothing written");
    accessible(&c, "Granska akten (fel)").await;
    fill(&c, "#akt-kommentar-0", "Journalen visar det inte, men samtalsanteckningen gör det.").await;
    submit(&c, "main form").await;
    assert_eq!(t.journal_count(), journal + 1, "one batch of answers");
    assert!(c.current_url().await.unwrap().path().ends_with(&id));
    let overridden = t
        .app
        .store
        .projections()
        .matter(&format!("file-audit/{id}"))
        .and_then(|m| match m {
            skyndsam_domain::quality::Matter::FileAudit(a) => Some(a.answers.values().filter(|x| x.overridden).count()),
            _ => None,
        })
        .unwrap();
    assert_eq!(overridden, 1, "one automatic answer overridden");

    // ---- The sheet: downloaded from the page, one answer changed, uploaded.
    let bytes = download(&c, "a[href$='blad.xlsx']").await;
    let mut rows = skyndsam_report::xlsx::read(&bytes).unwrap();
    assert_eq!(rows[0][7], "Svar");
    assert!(rows.len() >= 3, "a header and the file's questions");
    let last = rows.len() - 1;
    let before = rows[last][7].clone();
    let after = if before == "Ja" { "Nej" } else { "Ja" };
    let dir = tempfile::tempdir().unwrap();
    // First with a bad row: refused by row, nothing written.
    rows[last][7] = "Kanske".into();
    let bad = dir.path().join("bad.xlsx");
    std::fs::write(
        &bad,
        skyndsam_report::xlsx::write("Aktgranskning", &rows, &skyndsam_report::file_audit::WIDTHS).unwrap(),
    )
    .unwrap();
    let journal = t.journal_count();
    c.find(Locator::Css("#blad-file")).await.unwrap().send_keys(&bad.display().to_string()).await.unwrap();
    submit(&c, "section[aria-labelledby=blad] form").await;
    let errors = c.find(Locator::Css("#blad-file-fel")).await.expect("the rows' errors").text().await.unwrap();
    assert!(errors.contains(&format!("Rad {}", last + 1)), "{errors}");
    assert_eq!(t.journal_count(), journal, "nothing written");
    accessible(&c, "Aktgranskningen (fel i bladet)").await;
    rows[last][7] = after.into();
    rows[last][8] = "Ändrat i Excel efter genomläsning.".into();
    let good = dir.path().join("good.xlsx");
    std::fs::write(
        &good,
        skyndsam_report::xlsx::write("Aktgranskning", &rows, &skyndsam_report::file_audit::WIDTHS).unwrap(),
    )
    .unwrap();
    c.find(Locator::Css("#blad-file")).await.unwrap().send_keys(&good.display().to_string()).await.unwrap();
    submit(&c, "section[aria-labelledby=blad] form").await;
    assert!(source(&c).await.contains("Bladet är inläst: 1 svar nya eller ändrade."));
    assert_eq!(t.journal_count(), journal + 1);
    // The change shows on the file's page.
    let index = last - 1;
    c.goto(&format!("{base}/aktgranskning/{id}/akter/{own}")).await.unwrap();
    c.wait().for_element(Locator::Css("#akt-svar-0")).await.unwrap();
    let code = match after {
        "Ja" => "ja",
        _ => "nej",
    };
    assert_eq!(value(&c, &format!("#akt-svar-{index}")).await, code, "the sheet's answer stands");
    assert_eq!(value(&c, &format!("#akt-kommentar-{index}")).await, "Ändrat i Excel efter genomläsning.");
    logout(&c).await;

    // ---- The unit manager: the analysis and an improvement action for the team leader.
    login(&c, &base, "ulf").await;
    c.goto(&format!("{base}/enhetsoversikt")).await.unwrap();
    c.find(Locator::Css(&format!("main a[href='/aktgranskning/{id}']"))).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("#ana-keep_doing")).await.unwrap();
    accessible(&c, "Aktgranskningen (enhetschefen)").await;
    every_control_by_keyboard(&c, "Aktgranskningen (enhetschefen)").await;
    fill(&c, "#ana-keep_doing", "Fortsatt gemensam genomgång av skyddsbedömningar varje vecka.").await;
    fill(&c, "#ana-improve", "Barnets egen syn ska dokumenteras i varje förhandsbedömning.").await;
    submit(&c, "section[aria-labelledby=analys] form").await;
    let page = source(&c).await;
    assert!(page.contains("Hur behåller vi goda resultat?") && page.contains("Fortsatt gemensam genomgång"));
    fill(&c, "#atg-description", "Utbilda teamet i att dokumentera barnets syn.").await;
    choose(&c, "#atg-owner", "tove").await;
    fill(&c, "#atg-due", "2026-06-30").await;
    submit(&c, "section[aria-labelledby=ny-atgard]").await;
    let page = source(&c).await;
    assert!(page.contains("Utbilda teamet i att dokumentera barnets syn.") && page.contains("2026-06-30"), "{page}");
    accessible(&c, "Aktgranskningen (analys och åtgärd)").await;
    logout(&c).await;

    // ---- The team leader has it in Att göra.
    login(&c, &base, "tove").await;
    c.goto(&format!("{base}/")).await.unwrap();
    c.wait().for_element(Locator::Css("h1")).await.unwrap();
    let link = c.find(Locator::Css(&format!("main a[href='/aktgranskning/{id}']"))).await;
    assert!(link.is_ok(), "the action is on the owner's Att göra:\n{}", source(&c).await);
    accessible(&c, "Att göra (teamledaren)").await;
    link.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("#atgarder")).await.unwrap();
    assert!(source(&c).await.contains("Utbilda teamet"));
    accessible(&c, "Aktgranskningen (åtgärdens ägare)").await;
    // The owner marks it done from the audit's page (today pre-filled).
    assert!(!value(&c, "#klar-completed_on").await.is_empty(), "today is offered");
    choose(&c, "#klar-measure", "1").await;
    fill(&c, "#klar-comment", "Utbildningen hölls på teamträffen.").await;
    submit(&c, "section[aria-labelledby=atgard-klar]").await;
    let done = t
        .app
        .store
        .projections()
        .matter(&format!("file-audit/{id}"))
        .and_then(|m| m.handling())
        .map(|h| h.measures.iter().filter(|m| m.completed_on.is_some()).count());
    assert_eq!(done, Some(1), "the action is done");
    assert!(c.find(Locator::Css("section[aria-labelledby=atgard-klar]")).await.is_err(), "nothing left to mark");
    assert!(c.find(Locator::Css("section[aria-labelledby=avsluta]")).await.is_err(), "closing is the manager's");
    logout(&c).await;

    // ---- The unit manager closes the audit: a summary is needed.
    login(&c, &base, "ulf").await;
    c.goto(&format!("{base}/aktgranskning/{id}")).await.unwrap();
    c.wait().for_element(Locator::Css("#avs-summary")).await.unwrap();
    let journal = t.journal_count();
    submit(&c, "section[aria-labelledby=avsluta]").await;
    assert!(c.find(Locator::Css("#avs-summary-fel")).await.is_ok(), "the summary's error beside it");
    assert_eq!(t.journal_count(), journal, "nothing written");
    accessible(&c, "Aktgranskningen (avsluta, fel)").await;
    fill(&c, "#avs-summary", "Granskningen är klar; åtgärden är genomförd.").await;
    submit(&c, "section[aria-labelledby=avsluta]").await;
    assert_eq!(t.journal_count(), journal + 1);
    let page = source(&c).await;
    assert!(page.contains("Avslutad "), "{page}");
    assert!(c.find(Locator::Css("section[aria-labelledby=avsluta]")).await.is_err(), "no form once closed");
    accessible(&c, "Aktgranskningen (avslutad)").await;
    c.close().await.unwrap();
}
