//! Styrkort and Rapporter in the web UI (issue 7): a unit manager sees their subtree's
//! figures only, the figures are the report crate's for that unit, and a narrative section
//! written in the app is one journal event that reaches the downloaded .docx.

use crate::harness::*;
use crate::ui::UiClient;
use std::io::Read;

/// The cells after the row header of the row whose header starts with `id ` in the first
/// table holding it.
fn row(body: &str, id: &str) -> Vec<String> {
    let key = format!("<th scope=\"row\">{id} ");
    let i = body.find(&key).unwrap_or_else(|| panic!("no row {id} in {body}"));
    let rest = &body[i..];
    let end = rest.find("</tr>").unwrap();
    rest[..end].split("<td>").skip(1).map(|c| c.split("</td>").next().unwrap().to_owned()).collect()
}

/// The indicator's numerator for `unit` in 2026 at the test clock's date, from the report
/// crate over a scan of its own (not the server's cache).
fn expected_numerator(t: &TestApp, unit: &str, ind: skyndsam_report::Ind) -> String {
    let rules = t.app.store.rules();
    let mut b = skyndsam_report::FactsBuilder::new(rules);
    t.app
        .store
        .scan(1, &mut |e| {
            b.push(e);
            Ok(())
        })
        .unwrap();
    let facts = b.finish();
    let table = skyndsam_report::IndicatorTable::defaults().unwrap();
    let as_of = skyndsam_domain::calendar::local_date(t.app.now());
    let r = skyndsam_report::Report::new(&facts, rules, &table, as_of);
    let mut f = skyndsam_report::Filter::all();
    f.unit = Some(r.unit(unit).unwrap());
    let v = r.value(ind, &skyndsam_report::Period::Year { year: 2026 }, &f);
    v.numerator.map_or("–".into(), |n| n.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unit_manager_sees_their_subtree_only_and_its_figures() {
    let t = TestApp::spawn().await;
    let mut ulf = UiClient::new(&t);
    ulf.login("ulf").await;
    let page = ulf.get("/styrkort?period=2026").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Uppgifterna gäller per"), "the page says how fresh it is");
    assert!(page.body.contains("value=\"utredning-1\""), "own unit offered");
    for other in ["utredning-2", "mottagning", "forvaltning", "omrade-1"] {
        assert!(!page.body.contains(&format!("value=\"{other}\"")), "{other} offered to a unit manager");
        let r = ulf.get(&format!("/styrkort?period=2026&enhet={other}")).await;
        assert_eq!(r.status, 404, "ulf asked for {other}");
        let r = ulf.get(&format!("/rapporter?rapport=verksamhetsberattelse&ar=2026&enhet={other}")).await;
        assert_eq!(r.status, 404, "ulf asked for {other}'s report");
        let r =
            ulf.get(&format!("/rapporter/fil?rapport=verksamhetsberattelse&ar=2026&enhet={other}&format=pdf")).await;
        assert_eq!(r.status, 404, "ulf downloaded {other}'s report");
    }
    // The figures are the report crate's for utredning-1's subtree, not the whole municipality's.
    let mut differs = false;
    for ind in [skyndsam_report::Ind::NAnm, skyndsam_report::Ind::Fb14, skyndsam_report::Ind::U4m] {
        let own = expected_numerator(&t, "utredning-1", ind);
        let all = expected_numerator(&t, "forvaltning", ind);
        differs |= own != all;
        assert_eq!(row(&page.body, ind.id())[1], own, "{} numerator", ind.id());
    }
    // The head of administration chooses any unit of the förvaltning.
    let mut fred = UiClient::new(&t);
    fred.login("fred").await;
    let all = fred.get("/styrkort?period=2026").await;
    assert_eq!(all.status, 200);
    assert!(all.body.contains("value=\"utredning-2\""));
    assert_eq!(row(&all.body, "N-ANM")[1], expected_numerator(&t, "forvaltning", skyndsam_report::Ind::NAnm));
    assert!(differs, "the fixture should tell a subtree from the whole");
    // A bad period is said plainly.
    let bad = ulf.get("/styrkort?period=tjugotjugosex").await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("Perioden kan inte läsas"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_narrative_written_in_the_app_is_an_event_and_reaches_the_docx() {
    let t = TestApp::spawn().await;
    let mut kim = UiClient::new(&t);
    kim.login("kim").await;
    let page = kim.get("/rapporter?rapport=kvalitetsberattelse&ar=2026").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Inledningen är inte skrivet ännu"), "{}", page.body);
    let csrf = page.csrf();
    let before = t.journal_count();

    // Empty text: the form comes back with its error, nothing written.
    let r = kim
        .post("/rapporter/berattelse", &[("_csrf", &csrf), ("ar", "2026"), ("avsnitt", "introduction"), ("text", "  ")])
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Skriv avsnittets text"));
    assert_eq!(t.journal_count(), before);

    let text = "Nämnden har under 2026 arbetat med kortare utredningstider.";
    for (i, t2) in ["Ett första utkast.", text].iter().enumerate() {
        let r = kim
            .post(
                "/rapporter/berattelse",
                &[("_csrf", &csrf), ("ar", "2026"), ("avsnitt", "introduction"), ("text", t2)],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        assert!(r.location.starts_with("/rapporter?rapport=kvalitetsberattelse&ar=2026"));
        assert_eq!(t.journal_count(), before + 1 + i as u64);
    }
    let events = t.app.store.read_stream("narrative/kvalitetsberattelse-2026").unwrap();
    assert_eq!(events.len(), 2, "each text is its own event");

    let page = kim.get("/rapporter?rapport=kvalitetsberattelse&ar=2026").await;
    assert!(page.body.contains(text) && !page.body.contains("Ett första utkast."), "the latest text stands");

    // The .docx as downloaded: an attachment holding the text.
    let res = reqwest::Client::new()
        .get(format!("{}/rapporter/fil?rapport=kvalitetsberattelse&ar=2026&format=docx", t.base))
        .header("cookie", format!("skyndsam_session={}", kim.cookies["skyndsam_session"]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let disposition = res.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert!(disposition.starts_with("attachment;") && disposition.contains("kvalitetsberattelse-2026.docx"));
    let bytes = res.bytes().await.unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml").unwrap().read_to_string(&mut xml).unwrap();
    assert!(xml.contains(text), "the narrative is in the .docx");
    assert!(!xml.contains("Ett första utkast."));

    // An auditor reads the report but writes nothing.
    let mut rut = UiClient::new(&t);
    rut.login("rut").await;
    let page = rut.get("/rapporter?rapport=kvalitetsberattelse&ar=2026").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(text) && !page.body.contains("/rapporter/berattelse"));
    let r = rut
        .post(
            "/rapporter/berattelse",
            &[("_csrf", &page.csrf()), ("ar", "2026"), ("avsnitt", "introduction"), ("text", "x")],
        )
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(t.journal_count(), before + 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_report_is_a_page_and_a_pdf() {
    let t = TestApp::spawn().await;
    let mut c = UiClient::new(&t);
    c.login("rut").await;
    for q in [
        "rapport=delarsrapport&ar=2026&del=1",
        "rapport=verksamhetsberattelse&ar=2026",
        "rapport=ivo&ar=2026&del=1",
        "rapport=kvalitetsberattelse&ar=2026",
    ] {
        let page = c.get(&format!("/rapporter?{q}")).await;
        assert_eq!(page.status, 200, "{q}: {}", page.body);
        assert!(page.body.contains("format=docx") && page.body.contains("format=pdf"), "{q}: download links");
        let pdf = c.get(&format!("/rapporter/fil?{q}&format=pdf")).await;
        assert_eq!(pdf.status, 200, "{q}");
        assert!(pdf.body.starts_with("%PDF"), "{q}");
    }
}

/// Styrkort, the kvalitetsberättelse with its narrative forms and the cases behind a value
/// (reached by clicking a value) in Chromium: axe-core (WCAG 2.1 A and AA) finds nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn styrkort_and_a_report_page_pass_axe_in_chromium() {
    use fantoccini::Locator;
    let Some((_driver, c)) = crate::e2e::browser().await else { return };
    let t = TestApp::spawn().await;
    c.goto(&format!("{}/logga-in", t.base)).await.unwrap();
    c.find(Locator::Css("#inloggning-username")).await.unwrap().send_keys("kim").await.unwrap();
    c.find(Locator::Css("#inloggning-password")).await.unwrap().send_keys(PASSWORD).await.unwrap();
    c.find(Locator::Css("main button[type=submit]")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("h1")).await.unwrap();
    for (path, name) in [
        ("/styrkort?period=2026", "Styrkort"),
        ("/rapporter?rapport=kvalitetsberattelse&ar=2026", "Kvalitetsberättelse"),
    ] {
        c.goto(&format!("{}{path}", t.base)).await.unwrap();
        c.wait().for_element(Locator::Css("h1")).await.unwrap();
        let v = crate::e2e::axe(&c).await;
        assert!(v.is_empty(), "axe-core on {name}: {} violations:\n{}", v.len(), v.join("\n"));
    }
    // From a value on the styrkort to the cases behind it, by clicking.
    c.goto(&format!("{}/styrkort?period=2026", t.base)).await.unwrap();
    c.wait().for_element(Locator::Css("h1")).await.unwrap();
    c.find(Locator::Css("a[href*='kpi=N-ANM']")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("table caption")).await.unwrap();
    assert!(c.current_url().await.unwrap().as_str().contains("/styrkort/arenden?kpi=N-ANM"));
    let h1 = c.find(Locator::Css("h1")).await.unwrap().text().await.unwrap();
    assert_eq!(h1, "Ärenden bakom värdet");
    let v = crate::e2e::axe(&c).await;
    assert!(v.is_empty(), "axe-core on Ärenden bakom värdet: {} violations:\n{}", v.len(), v.join("\n"));
    c.close().await.unwrap();
}
