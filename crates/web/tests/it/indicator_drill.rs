//! Drill-down from an indicator value to its cases (issue 7, decision 0013): the list holds
//! what the caller's scope gives and counts the rest; quality staff and auditors get
//! pseudonyms only; a protected identity stays masked; the list is not logged per row (as
//! the case list), opening a case from it is.

use crate::harness::*;
use crate::matrix::{leaks_protected, reads};
use crate::ui::UiClient;
use skyndsam_domain::ids::CaseId;
use skyndsam_domain::org::Role;
use skyndsam_report::{Ind, Period};
use skyndsam_store::security::AccessAction;

/// The cases behind a value by the report crate over a scan of its own (not the server's
/// cache): the denominator's (or the numerator's) case ids in receipt order.
fn expected(t: &TestApp, ind: Ind, unit: &str, numerator_only: bool) -> Vec<CaseId> {
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
    r.drill_down(ind, &Period::Year { year: 2026 }, &f, numerator_only)
}

fn listed(body: &serde_json::Value) -> Vec<String> {
    body["cases"].as_array().unwrap().iter().map(|c| c["case"].as_str().unwrap().to_owned()).collect()
}

fn target_of(case: &CaseId) -> Target {
    *Target::ALL.iter().find(|t| t.case() == *case).unwrap()
}

/// Every demo person's name and personnummer (with and without the dash, 10 and 12 digits).
fn identities() -> Vec<String> {
    let mut v: Vec<String> =
        ["Dora Mottagsson", "Elsa Exempelsson", "Carl Annansson", NOAH_NAME].iter().map(|s| s.to_string()).collect();
    for t in Target::ALL {
        let p = t.pnr();
        let s = p.as_str().to_owned();
        v.push(s.replace('-', ""));
        v.push(s[2..].to_owned());
        v.push(s[2..].replace('-', ""));
        v.push(s);
    }
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_role_sees_only_its_scope_and_the_rest_is_a_count() {
    let t = TestApp::spawn().await;
    // (user, role, indicator, unit): the list is the report crate's drill-down narrowed to
    // what the role reads (the matrix's independent rule), and the rest is counted.
    let cases = [
        ("rita", Role::Registrar, Ind::NAnm, "mottagning"),
        ("hanna", Role::Handler, Ind::FbOpenLate, "utredning-1"),
        ("tove", Role::TeamLeader, Ind::FbOpenLate, "utredning-1"),
        ("ulf", Role::UnitManager, Ind::FbOpenLate, "utredning-1"),
        ("fred", Role::HeadOfAdministration, Ind::NAnm, "forvaltning"),
        ("kim", Role::QualityDeveloper, Ind::NAnm, "forvaltning"),
    ];
    let mut some_left_out = false;
    for (user, role, ind, unit) in cases {
        let token = t.login(user).await;
        let all = expected(&t, ind, unit, false);
        assert!(!all.is_empty(), "{user}: the fixture has cases behind {}", ind.id());
        let r = t.get(Some(&token), &format!("/api/indicators/cases?kpi={}&period=2026&unit={unit}", ind.id())).await;
        assert_eq!(r.status, 200, "{user}: {}", r.body);
        let want: Vec<String> = all.iter().filter(|c| reads(role, target_of(c))).map(|c| c.to_string()).collect();
        assert_eq!(listed(&r.json), want, "{user} {}", ind.id());
        let left_out = r.json["left_out"].as_u64().unwrap();
        assert_eq!(left_out as usize + want.len(), all.len(), "{user}: listed + left out = the drill-down");
        assert_eq!(r.json["denominator"].as_u64().unwrap() as usize, all.len(), "{user}: the value's denominator");
        some_left_out |= left_out > 0;
        // The numerator only.
        let num = t
            .get(
                Some(&token),
                &format!("/api/indicators/cases?kpi={}&period=2026&unit={unit}&part=numerator", ind.id()),
            )
            .await;
        let want_num: Vec<String> =
            expected(&t, ind, unit, true).iter().filter(|c| reads(role, target_of(c))).map(|c| c.to_string()).collect();
        assert_eq!(listed(&num.json), want_num, "{user} numerator");
        assert!(num.json["cases"].as_array().unwrap().iter().all(|c| c["numerator"] == true));
    }
    assert!(some_left_out, "the fixture should leave something out for someone");

    // A unit the caller does not follow is answered as if it did not exist; bad input is
    // said in Swedish with the field.
    let hanna = t.login("hanna").await;
    for unit in ["forvaltning", "utredning-2", "mottagning", "finns-inte"] {
        let r = t.get(Some(&hanna), &format!("/api/indicators/cases?kpi=N-ANM&period=2026&unit={unit}")).await;
        assert_eq!((r.status, r.code()), (404, "NOT_FOUND"), "hanna asked for {unit}");
    }
    for (q, field) in [("kpi=XYZ", "kpi"), ("", "kpi"), ("kpi=FB14&period=tjugo", "period"), ("kpi=FB14&sex=x", "sex")]
    {
        let r = t.get(Some(&hanna), &format!("/api/indicators/cases?{q}")).await;
        assert_eq!((r.status, r.code()), (422, "INVALID_INPUT"), "{q}: {}", r.body);
        assert_eq!(r.json["field"], field, "{q}");
    }
    // The board reads aggregates only.
    let nils = t.login("nils").await;
    let r = t.get(Some(&nils), "/api/indicators/cases?kpi=N-ANM&period=2026").await;
    assert_eq!(r.status, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quality_staff_and_auditors_get_no_names_and_no_personnummer() {
    let t = TestApp::spawn().await;
    let words = identities();
    for user in ["kim", "rut"] {
        let token = t.login(user).await;
        let mut rows = 0;
        for ind in Ind::ALL {
            for part in ["numerator", "denominator"] {
                let r = t
                    .get(
                        Some(&token),
                        &format!("/api/indicators/cases?kpi={}&period=2026&unit=forvaltning&part={part}", ind.id()),
                    )
                    .await;
                assert_eq!(r.status, 200, "{user} {}: {}", ind.id(), r.body);
                for w in &words {
                    assert!(!r.body.contains(w.as_str()), "{user} {} {part}: {w} in the response", ind.id());
                }
                for c in r.json["cases"].as_array().unwrap() {
                    assert_eq!(c["view"], "pseudonymised");
                    assert!(c["child"]["name"].as_str().unwrap().starts_with("P-"));
                    assert!(c["child"]["id_number"].is_null());
                    rows += 1;
                }
            }
        }
        assert!(rows >= 4, "{user}: the four cases are listed (pseudonymised)");
        // The page too.
        let mut c = UiClient::new(&t);
        c.login(user).await;
        for ind in [Ind::NAnm, Ind::FbOpenLate, Ind::Skydd24h] {
            let page = c.get(&format!("/styrkort/arenden?kpi={}&period=2026&enhet=forvaltning", ind.id())).await;
            assert_eq!(page.status, 200, "{}", page.body);
            assert!(page.body.contains("/arenden/"), "{user}: the cases are linked");
            for w in &words {
                assert!(!page.body.contains(w.as_str()), "{user} page {}: {w} on the page", ind.id());
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_protected_identity_is_masked_for_all_but_the_roles_that_see_it() {
    let t = TestApp::spawn().await;
    // (user, unit): every reader of the protected child's case.
    for (user, unit) in
        [("hanna", "utredning-1"), ("tove", "utredning-1"), ("anna", "omrade-1"), ("fred", "forvaltning")]
    {
        let token = t.login(user).await;
        let r = t.get(Some(&token), &format!("/api/indicators/cases?kpi=FB-OPEN-LATE&period=2026&unit={unit}")).await;
        assert_eq!(r.status, 200, "{user}: {}", r.body);
        let noah = r.json["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["case"] == Target::Protected.case().to_string())
            .unwrap_or_else(|| panic!("{user}: the protected child's case is listed: {}", r.body));
        assert_eq!(noah["child"]["name"], "Skyddad identitet", "{user}");
        assert!(!leaks_protected(&r.body), "{user}: protected identity in the response");
        let mut c = UiClient::new(&t);
        c.login(user).await;
        let page = c.get(&format!("/styrkort/arenden?kpi=FB-OPEN-LATE&period=2026&enhet={unit}")).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Skyddad identitet") && !leaks_protected(&page.body), "{user}: page");
    }
    // The unit manager is one of the roles that see it (the rule table's default): the test
    // can tell masked from unmasked.
    let ulf = t.login("ulf").await;
    let r = t.get(Some(&ulf), "/api/indicators/cases?kpi=FB-OPEN-LATE&period=2026&unit=utredning-1").await;
    assert!(r.body.contains(NOAH_NAME), "ulf sees the protected child's name");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_list_is_logged_as_the_case_list_is_and_opening_a_case_is_a_logged_read() {
    let t = TestApp::spawn().await;
    let fred = t.login("fred").await;
    // The rule the case list follows: a list writes no access-log line.
    let before = t.access_log().len();
    let r = t.get(Some(&fred), "/api/cases").await;
    assert_eq!(r.status, 200);
    assert_eq!(t.access_log().len(), before, "the case list is not logged per row");
    // The drill-down follows it, API and page alike.
    let r = t.get(Some(&fred), "/api/indicators/cases?kpi=N-ANM&period=2026&unit=forvaltning").await;
    assert_eq!(listed(&r.json).len(), 4);
    let mut c = UiClient::new(&t);
    c.login("fred").await;
    let page = c.get("/styrkort/arenden?kpi=N-ANM&period=2026&enhet=forvaltning").await;
    assert_eq!(page.status, 200);
    assert_eq!(t.access_log().len(), before, "the drill-down list is not logged per row");
    // Opening a case from the list is the logged read.
    let case = Target::OwnUnit.case();
    assert!(page.body.contains(&format!("href=\"/arenden/{case}\"")), "the case is linked");
    let opened = c.get(&format!("/arenden/{case}")).await;
    assert_eq!(opened.status, 200);
    let log = t.access_log();
    assert_eq!(log.len(), before + 1);
    let last = log.iter().find(|l| l.entry.case == Some(case)).unwrap();
    assert_eq!(last.entry.action, AccessAction::ReadCase);
    assert_eq!(last.entry.staff.as_str(), "fred");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn styrkort_and_report_values_link_to_the_cases_for_those_who_may_see_cases() {
    let t = TestApp::spawn().await;
    let mut ulf = UiClient::new(&t);
    ulf.login("ulf").await;
    let page = ulf.get("/styrkort?period=2026&enhet=utredning-1").await;
    assert_eq!(page.status, 200);
    let href = "/styrkort/arenden?kpi=FB-OPEN-LATE&amp;period=2026&amp;enhet=utredning-1";
    assert!(page.body.contains(href), "the value links to its cases: {}", page.body);
    let drill = ulf.get("/styrkort/arenden?kpi=FB-OPEN-LATE&period=2026&enhet=utredning-1").await;
    assert_eq!(drill.status, 200, "{}", drill.body);
    for want in ["Ärenden bakom värdet", "<caption>", "Definition", "Täljare", "Nämnare", "scope=\"col\""] {
        assert!(drill.body.contains(want), "{want} on the page");
    }
    for target in [Target::OwnUnit, Target::Protected] {
        assert!(drill.body.contains(&format!("href=\"/arenden/{}\"", target.case())), "{target:?} linked");
    }
    assert!(!drill.body.contains(&Target::OtherUnit.case().to_string()));
    // A report page's indicator tables link too (the report's period).
    let mut rut = UiClient::new(&t);
    rut.login("rut").await;
    let report = rut.get("/rapporter?rapport=delarsrapport&ar=2026&del=1").await;
    assert_eq!(report.status, 200);
    assert!(report.body.contains("/styrkort/arenden?kpi=N-ANM&amp;period=2026-T1&amp;enhet=forvaltning"));
    // The board reads the styrkort without links, and may not open the list.
    let mut nils = UiClient::new(&t);
    nils.login("nils").await;
    let board = nils.get("/styrkort?period=2026").await;
    assert_eq!(board.status, 200);
    assert!(!board.body.contains("/styrkort/arenden"), "no links for the board");
    let r = nils.get("/styrkort/arenden?kpi=N-ANM&period=2026").await;
    assert_eq!(r.status, 403);
}
