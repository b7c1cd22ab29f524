//! Issue 5's delegation screens: Självinspektion per enhet (page and drill-down), the
//! re-delegation form with revoke, and the delegation order edited by the administrator as
//! dated versions (`delegation_order_versioned`) judged against by date.

use crate::allocation::{act, open_investigation};
use crate::harness::*;
use skyndsam_domain::org::Role;
use skyndsam_domain::rules::RuleTable;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_unit_summary_page_counts_drills_to_the_callers_cases_and_keeps_bad_input() {
    let t = TestApp::spawn().await;
    let own = Target::OwnUnit.case().to_string();
    let other = Target::OtherUnit.case().to_string();
    let mut c = crate::ui::UiClient::new(&t);
    c.login("tove").await;
    let page = c.get("/egenkontroll?unit=omrade-1&year=2026").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("2 ärenden"), "{}", page.body);
    assert_eq!(page.body.matches("<th scope=\"row\">").count(), 33, "{}", page.body);
    // Follow the first count's link: the cases behind it are the caller's, by id only.
    let key = "href=\"/egenkontroll/arenden?";
    let at = page.body.find(key).expect("a drillable count") + "href=\"".len();
    let link = page.body[at..].split('"').next().unwrap().replace("&amp;", "&").replace("&#38;", "&");
    let drill = c.get(&link).await;
    assert_eq!(drill.status, 200, "{link}: {}", drill.body);
    assert!(drill.body.contains(&own) || drill.body.contains(&Target::Protected.case().to_string()), "{}", drill.body);
    assert!(!drill.body.contains(&other), "{}", drill.body);
    // A tertial: the same cases (received in March).
    let t1 = c.get("/egenkontroll?unit=omrade-1&year=2026&tertial=1").await;
    assert!(t1.body.contains("2 ärenden") && t1.body.contains("tertial 1 2026"), "{}", t1.body);
    // Bad input: the error beside the field, the input kept.
    let bad = c.get("/egenkontroll?unit=omrade-1&year=tjugo").await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("id=\"period-year-fel\"") && bad.body.contains("value=\"tjugo\""), "{}", bad.body);
    // The quality developer: counts and ids, no names; a handler has no such page.
    let mut k = crate::ui::UiClient::new(&t);
    k.login("kim").await;
    let q = k.get("/egenkontroll?unit=forvaltning&year=2026").await;
    assert_eq!(q.status, 200);
    assert!(!q.body.contains("Elsa") && !q.body.contains("Carl Annansson"), "{}", q.body);
    let hub = k.get("/kvalitet").await;
    assert!(hub.body.contains("href=\"/egenkontroll\""), "{}", hub.body);
    let mut h = crate::ui::UiClient::new(&t);
    h.login("hanna").await;
    assert_eq!(h.get("/egenkontroll?unit=omrade-1").await.status, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_redelegation_form_refuses_beside_the_field_records_and_revokes() {
    let t = TestApp::spawn().await;
    let mut h = crate::ui::UiClient::new(&t);
    h.login("hanna").await;
    assert_eq!(h.get("/vidaredelegering").await.status, 403);
    let mut c = crate::ui::UiClient::new(&t);
    let page = {
        c.login("fred").await;
        c.get("/vidaredelegering").await
    };
    assert_eq!(page.status, 200, "{}", page.body);
    // Only re-delegable decision types are offered.
    assert!(page.body.contains("value=\"not_open_investigation\""), "{}", page.body);
    assert!(!page.body.contains("value=\"long_term_care\""), "{}", page.body);
    let csrf = page.csrf();
    let n = t.journal_count();
    let base = |to: &'static str, decision: &'static str| {
        vec![
            ("redelegation", "SN 2026/90"),
            ("decisions", decision),
            ("delegates", "hanna, hugo"),
            ("unit", "utredning-1"),
            ("from", "2026-03-03"),
            ("to", to),
            ("decided_on", "2026-03-03"),
            ("document", "Beslut om vidaredelegering, dnr SN 2026/90"),
            ("reason", "Teamledaren är tjänstledig."),
        ]
    };
    let mut fields = base("", "not_open_investigation");
    fields.push(("_csrf", &csrf));
    let r = c.post("/vidaredelegering", &fields).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("id=\"vidare-to-fel\""), "{}", r.body);
    assert!(r.body.contains("value=\"hanna, hugo\"") && r.body.contains("Teamledaren är tjänstledig."), "{}", r.body);
    // Longer than max_days: refused by the domain, next to `to`.
    let mut fields = base("2027-12-31", "not_open_investigation");
    fields.push(("_csrf", &csrf));
    let r = c.post("/vidaredelegering", &fields).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("id=\"vidare-to-fel\"") && r.body.contains("högst 366 dagar"), "{}", r.body);
    // A board-only decision cannot be re-delegated (sent by hand: it is not offered).
    let mut fields = base("2026-05-31", "long_term_care");
    fields.push(("_csrf", &csrf));
    let r = c.post("/vidaredelegering", &fields).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("id=\"vidare-decisions-fel\""), "{}", r.body);
    assert_eq!(t.journal_count(), n, "nothing written");
    // Valid: recorded, listed as in force, on the board's list.
    let mut fields = base("2026-05-31", "not_open_investigation");
    fields.push(("_csrf", &csrf));
    let r = c.post("/vidaredelegering", &fields).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(t.journal_count(), n + 1);
    let list = c.get("/vidaredelegering").await;
    assert!(list.body.contains("SN 2026/90") && list.body.contains("Gäller"), "{}", list.body);
    // Revoke: a reason is required; then it ends.
    let r = c
        .post(
            "/vidaredelegering/aterkalla",
            &[("_csrf", &csrf), ("redelegation", "SN 2026/90"), ("on", "2026-03-04"), ("reason", "")],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(t.journal_count(), n + 1);
    let r = c
        .post(
            "/vidaredelegering/aterkalla",
            &[
                ("_csrf", &csrf),
                ("redelegation", "SN 2026/90"),
                ("on", "2026-03-04"),
                ("reason", "Teamledaren är tillbaka."),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let list = c.get("/vidaredelegering").await;
    assert!(list.body.contains("Återkallas från 2026-03-04"), "{}", list.body);
    // The API's revoke: the same rule (already revoked).
    let fred = t.login("fred").await;
    let again = t
        .post(
            Some(&fred),
            "/api/redelegations/revoke",
            &serde_json::json!({"redelegation": "SN 2026/90", "on": "2026-03-05", "reason": "x"}),
        )
        .await;
    assert_eq!(again.status, 422, "{}", again.body);
}

/// The order in force with handlers no longer deciding to open an investigation.
fn without_handlers(t: &TestApp) -> serde_json::Value {
    let rules: RuleTable = t.app.store.projections().rules().clone();
    let mut order = rules.delegation.clone();
    for r in order.iter_mut().filter(|r| r.decision.as_str() == "open_investigation") {
        r.roles.retain(|x| *x != Role::Handler);
    }
    serde_json::json!({"version": "SN 2026-03-02 § 12", "valid_from": "2026-03-10", "valid_to": null, "rules": order})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_version_is_judged_against_from_its_date_and_an_earlier_decision_keeps_the_old() {
    let t = TestApp::spawn().await;
    // Under the base order a handler opens an investigation on 3 March.
    act(&t, "hanna", Role::Handler, Target::OwnUnit.case(), open_investigation(date(2026, 3, 3))).await;
    let body = without_handlers(&t);
    // Only the administrator enters a version.
    let fred = t.login("fred").await;
    assert_eq!(t.post(Some(&fred), "/api/delegation-order/versions", &body).await.status, 403);
    let sam = t.login("sam").await;
    let n = t.journal_count();
    // Bad input: backdated; a board-only decision made delegable. Nothing written.
    let mut back = body.clone();
    back["valid_from"] = "2026-03-01".into();
    let r = t.post(Some(&sam), "/api/delegation-order/versions", &back).await;
    assert_eq!((r.status, r.json["field"].as_str()), (422, Some("valid_from")), "{}", r.body);
    let mut board = body.clone();
    for r in board["rules"].as_array_mut().unwrap() {
        if r["decision"] == "long_term_care" {
            r["roles"] = serde_json::json!(["unit_manager"]);
        }
    }
    let r = t.post(Some(&sam), "/api/delegation-order/versions", &board).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("förbehållet nämnden"), "{}", r.body);
    assert_eq!(t.journal_count(), n);
    let r = t.post(Some(&sam), "/api/delegation-order/versions", &body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(t.journal_count(), n + 1);
    let again = t.post(Some(&sam), "/api/delegation-order/versions", &body).await;
    assert_eq!(again.status, 422, "the same name twice: {}", again.body);
    // Readable by everyone, as JSON and as the documented file.
    let hanna = t.login("hanna").await;
    let order = t.get(Some(&hanna), "/api/delegation-order").await;
    assert_eq!(order.status, 200);
    assert_eq!(order.json["in_force"], "grundversion");
    let file = t.get(Some(&hanna), "/api/delegation-order.toml").await;
    assert!(file.body.contains("SN 2026-03-02 § 12"), "{}", file.body);
    RuleTable::defaults().unwrap().with_delegation_order_toml(&file.body).unwrap();
    // A week later the new version is in force: the handler is refused, naming who may decide.
    t.clock.advance(chrono::Duration::days(8));
    let app = t.app.clone();
    let now = t.clock.now_utc();
    let refused = tokio::task::spawn_blocking(move || {
        let staff = skyndsam_domain::ids::StaffId::parse("hanna").unwrap();
        let actor = app.store.actor(&staff, Role::Handler, now).unwrap();
        let case = Target::Protected.case();
        let v = app.store.projections().case(&case).unwrap().version;
        app.store.execute(case, Some(v), &open_investigation(date(2026, 3, 11)), &actor, now).unwrap_err()
    })
    .await
    .unwrap();
    assert!(format!("{refused:?}").contains("OutsideDelegation"), "{refused:?}");
    // The 3 March decision stays judged by the order in force then.
    let kim = t.login("kim").await;
    let list = t.get(Some(&kim), "/api/board-list?from=2026-03-01&to=2026-03-31&decider=hanna").await;
    let d = list.json["decisions"].as_array().unwrap();
    assert_eq!(d.len(), 1, "{}", list.body);
    assert_eq!(d[0]["authorised"], true, "{}", list.body);
    let hanna = t.login("hanna").await;
    assert_eq!(t.get(Some(&hanna), "/api/delegation-order").await.json["in_force"], "SN 2026-03-02 § 12");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_administrator_edits_and_uploads_the_order_in_the_ui_with_errors_beside_the_field() {
    let t = TestApp::spawn().await;
    let mut h = crate::ui::UiClient::new(&t);
    h.login("hanna").await;
    let read = h.get("/delegationsordning").await;
    assert_eq!(read.status, 200);
    assert!(!read.body.contains("Registrera ny version"), "a handler reads, never edits");
    let mut c = crate::ui::UiClient::new(&t);
    c.login("sam").await;
    let page = c.get("/delegationsordning").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("grundversion (gäller i dag)"), "{}", page.body);
    let csrf = page.csrf();
    let n = t.journal_count();
    // The form prefilled with the order in force; make long-term care delegable: refused.
    let mut fields: Vec<(String, String)> = vec![
        ("_csrf".into(), csrf.clone()),
        ("version".into(), "SN 2026-03-02 § 13".into()),
        ("valid_from".into(), "2026-04-01".into()),
    ];
    let rules = t.app.store.projections().rules().delegation.clone();
    for r in &rules {
        let k = r.decision.as_str();
        fields.push((format!("{k}-name"), r.name.clone()));
        for role in &r.roles {
            fields.push((format!("{k}-roles"), serde_json::to_value(role).unwrap().as_str().unwrap().to_owned()));
        }
        if r.board_only {
            fields.push((format!("{k}-board_only"), "ja".into()));
            fields.push((format!("{k}-roles"), "unit_manager".into()));
        }
        if r.redelegable {
            fields.push((format!("{k}-redelegable"), "ja".into()));
        }
        fields.push((format!("{k}-citation_old"), r.citation_old.clone()));
    }
    let send: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = c.post("/delegationsordning", &send).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("id=\"ordning-rules-fel\"") && r.body.contains("förbehållet nämnden"), "{}", r.body);
    assert!(r.body.contains("value=\"SN 2026-03-02 § 13\""), "input kept: {}", r.body);
    assert_eq!(t.journal_count(), n);
    // Without the board-only roles: recorded.
    let ok: Vec<(&str, &str)> = send
        .iter()
        .copied()
        .filter(|(k, v)| {
            let board_only = k.starts_with("long_term_care") || k.starts_with("lvu_application");
            !(board_only && *v == "unit_manager")
        })
        .collect();
    let r = c.post("/delegationsordning", &ok).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(t.journal_count(), n + 1);
    let page = c.get("/delegationsordning").await;
    assert!(page.body.contains("SN 2026-03-02 § 13") && page.body.contains("2026-04-01"), "{}", page.body);
    // The file: downloaded under the session; a changed existing version is refused, a new one added.
    let file = c.get("/delegationsordning.toml").await;
    assert_eq!(file.status, 200);
    let changed = file.body.replace("valid_from = \"2026-04-01\"", "valid_from = \"2026-04-02\"");
    let r = c.post("/delegationsordning/fil", &[("_csrf", &csrf), ("file", &changed)]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("id=\"fil-file-fel\"") && r.body.contains("kan inte ändras"), "{}", r.body);
    assert_eq!(t.journal_count(), n + 1);
    let added = format!(
        "{}\n{}",
        file.body,
        file.body[file.body.find("[[delegation_versions]]").unwrap()..]
            .replace("SN 2026-03-02 § 13", "SN 2026-06-01 § 40")
            .replace("2026-04-01", "2026-07-01")
    );
    let r = c.post("/delegationsordning/fil", &[("_csrf", &csrf), ("file", &added)]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(t.journal_count(), n + 2);
}
