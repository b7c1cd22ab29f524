//! SCENARIOS 8 through the API: the quality developer opens the unit's audit (the sample drawn
//! by the server with the seed recorded), an auditor from another unit reads the automatic
//! answers (logged reads) and answers, the sheet goes out as .xlsx and back with a correction
//! (a bad row is refused with its row number and nothing written), the unit manager analyses,
//! decides an improvement action for the auditor (on their to-do) and closes the audit.

use crate::allocation::{act, open_investigation};
use crate::harness::*;
use serde_json::{json, Value};
use skyndsam_domain::org::Role;

async fn bytes(t: &TestApp, token: &str, path: &str) -> (u16, String, Vec<u8>) {
    let r = t.client.get(format!("{}{path}", t.base)).bearer_auth(token).send().await.unwrap();
    let status = r.status().as_u16();
    let ct = r.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, ct, r.bytes().await.unwrap().to_vec())
}

async fn put(t: &TestApp, token: &str, path: &str, body: Vec<u8>) -> Resp {
    let r = t.client.put(format!("{}{path}", t.base)).bearer_auth(token).body(body).send().await.unwrap();
    let status = r.status().as_u16();
    let body = r.text().await.unwrap();
    let json = serde_json::from_str(&body).unwrap_or(Value::Null);
    Resp { status, body, json }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unit_file_audit_from_opening_to_an_improvement_action_with_an_xlsx_correction() {
    let t = TestApp::spawn().await;
    let case = Target::OwnUnit.case();
    act(&t, "hanna", Role::Handler, case, open_investigation(date(2026, 3, 3))).await;
    let (kim, ulf, hugo, hanna) =
        (t.login("kim").await, t.login("ulf").await, t.login("hugo").await, t.login("hanna").await);

    // Only the quality developer opens; the unit must be an enhet with investigated files.
    let open = json!({"unit": "utredning-1", "year": 2026, "seed": 2026});
    assert_eq!(t.post(Some(&ulf), "/api/file-audits", &open).await.status, 403);
    let bad = t.post(Some(&kim), "/api/file-audits", &json!({"unit": "utredning-1", "year": 1999, "seed": 1})).await;
    assert_eq!((bad.status, bad.json["field"].as_str()), (422, Some("year")), "{}", bad.body);
    let res = t.post(Some(&kim), "/api/file-audits", &open).await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!((res.json["drawn"].as_u64(), res.json["audited"].as_u64()), (Some(1), Some(1)));
    let id = res.json["id"].as_str().unwrap().to_owned();
    let path = format!("/api/file-audits/{id}");

    // The unit manager (the analysis is theirs) and an auditor from another unit see it, with
    // the seed; the handler of the audited file does not (answered as not found).
    let a = t.get(Some(&ulf), &path).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.json["seed"], 2026);
    assert_eq!(a.json["assignee"], "ulf");
    assert_eq!(a.json["files"][0]["case"], case.to_string());
    assert_eq!(t.get(Some(&hugo), &path).await.status, 200);
    assert_eq!(t.get(Some(&t.login("tage").await), &path).await.status, 200);
    assert_eq!(t.get(Some(&hanna), &path).await.status, 404);

    // The automatic answers with evidence: each file a logged read.
    let before = t.access_log().len();
    let files = t.get(Some(&hugo), &format!("{path}/files")).await;
    assert_eq!(files.status, 200, "{}", files.body);
    let log: Vec<_> = t.access_log().into_iter().skip(before).map(|r| r.entry).collect();
    assert_eq!(log.len(), 1);
    assert_eq!((log[0].case, log[0].staff.as_str()), (Some(case), "hugo"));
    assert!(!files.body.contains("Elsa"), "no names in the audit");
    let answers = files.json[0]["answers"].as_array().unwrap().clone();
    assert!(!answers.is_empty());
    assert!(answers.iter().all(|a| a["evidence"]["rule"].as_str().is_some_and(|r| !r.is_empty())));

    // The auditor answers: automatic answers stand, judgement questions get Ja.
    let batch: Vec<Value> = answers
        .iter()
        .map(|a| {
            let auto = a["auto"].as_bool().unwrap();
            let reply = if auto { a["answer"].clone() } else { json!("Ja") };
            let comment = (!auto && a["answer"] != "Ja").then_some("Bedömt vid läsning av akten.");
            json!({"case": case, "section": a["section"], "question": a["question"], "reply": reply,
                   "automatic": a["answer"], "comment": comment})
        })
        .collect();
    let r = t.post(Some(&hugo), &format!("{path}/answers"), &json!({"data": batch})).await;
    assert_eq!(r.status, 200, "{}", r.body);

    // The sheet as .xlsx, and back: a typo refused with its row number, nothing written.
    let (status, ct, xl) = bytes(&t, &hugo, &format!("{path}/sheet.xlsx")).await;
    assert_eq!(status, 200);
    assert!(ct.contains("spreadsheetml"), "{ct}");
    let rows = skyndsam_report::xlsx::read(&xl).unwrap();
    assert_eq!(rows.len() - 1, answers.len());
    let j = (1..rows.len()).find(|i| rows[*i][7] == "Ja").expect("an answer Ja");
    let mut typo = rows.clone();
    typo[j][7] = "Kanske".into();
    let n = t.journal_count();
    let bad =
        put(&t, &hugo, &format!("{path}/sheet.xlsx"), skyndsam_report::xlsx::write("A", &typo, &[]).unwrap()).await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad.body.contains(&format!("Rad {}:", j + 1)), "{}", bad.body);
    assert_eq!(t.journal_count(), n, "nothing written on any error");
    let mut fixed = rows.clone();
    fixed[j][7] = "Nej".into();
    fixed[j][8] = "Barnets inställning framgår inte.".into();
    let ok =
        put(&t, &hugo, &format!("{path}/sheet.xlsx"), skyndsam_report::xlsx::write("A", &fixed, &[]).unwrap()).await;
    assert_eq!((ok.status, ok.json["changed"].as_u64()), (200, Some(1)), "{}", ok.body);
    let q = &fixed[j][3];
    let a = t.get(Some(&ulf), &path).await;
    let result = a.json["results"].as_array().unwrap().iter().find(|r| r["question"] == q.as_str()).unwrap().clone();
    assert_eq!(result["no"], 1, "{result}");

    // The analysis, an improvement action on the auditor's to-do, and closing.
    let v = |a: &Resp| a.json["version"].as_u64().unwrap();
    let r = t
        .post(
            Some(&ulf),
            &format!("{path}/analysis"),
            &json!({"expected_version": v(&a), "data": {"keep_doing": "Skyddsbedömningar i tid.", "improve": "Barnets inställning."}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let due = date(2026, 4, 30);
    let r = t
        .post(
            Some(&ulf),
            &format!("{path}/measures"),
            &json!({"data": {"measure": 0, "description": "Mall för barnets inställning.", "owner": "hugo", "due": due}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let todo = t.app.store.projections().quality_book(|d| d.owner.as_ref().is_some_and(|o| o.as_str() == "hugo"));
    assert_eq!(todo.len(), 1);
    let r = t.post(Some(&ulf), &format!("{path}/close"), &json!({"data": {"summary": "Klar."}})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let a = t.get(Some(&ulf), &path).await;
    assert!(a.json["locked_on"].is_string(), "{}", a.body);
    // A closed audit is no longer open to auditors from other units; the action's owner
    // still sees it (the action is theirs).
    let tage = t.login("tage").await;
    assert_eq!(t.get(Some(&tage), &path).await.status, 404);
    assert_eq!(t.get(Some(&hugo), &path).await.status, 200);
    // The owner marks the action done, also after closing; another handler may not.
    let done = json!({"data": {"measure": 1, "completed_on": t.clock.now_utc().date_naive()}});
    let r = t.post(Some(&tage), &format!("{path}/measure-completion"), &done).await;
    assert_eq!(r.status, 404, "not the owner's audit: {}", r.body);
    let r = t.post(Some(&hugo), &format!("{path}/measure-completion"), &done).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let todo = t.app.store.projections().quality_book(|d| d.owner.as_ref().is_some_and(|o| o.as_str() == "hugo"));
    assert!(todo.is_empty(), "off the owner's to-do once done");

    // The page: the sample with its seed, the results per question, the sheet to download;
    // the handler of the audited file gets the not-found page.
    let mut c = crate::ui::UiClient::new(&t);
    c.login("ulf").await;
    let page = c.get(&format!("/aktgranskning/{id}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Aktgranskning 2026 – utredning-1"), "{}", page.body);
    assert!(page.body.contains("<dt>Frö</dt><dd>2026</dd>"), "{}", page.body);
    assert!(page.body.contains(&format!("<th scope=\"row\">{q}</th>")), "{}", page.body);
    assert!(page.body.contains(&format!("/aktgranskning/{id}/blad.xlsx")));
    assert!(!page.body.contains("Elsa"));
    let mut h = crate::ui::UiClient::new(&t);
    h.login("hanna").await;
    assert_eq!(h.get(&format!("/aktgranskning/{id}")).await.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_routes_take_quality_scopes_and_a_drop_out_is_recorded_after_opening() {
    let t = TestApp::spawn().await;
    let case = Target::OwnUnit.case();
    act(&t, "hanna", Role::Handler, case, open_investigation(date(2026, 3, 3))).await;
    let (kim, ulf, sam) = (t.login("kim").await, t.login("ulf").await, t.login("sam").await);
    let res = t.post(Some(&kim), "/api/file-audits", &json!({"unit": "utredning-1", "year": 2026, "seed": 5})).await;
    assert_eq!(res.status, 201, "{}", res.body);
    let id = res.json["id"].as_str().unwrap().to_owned();
    let path = format!("/api/file-audits/{id}");

    // An integration token needs quality:read to read an audit; cases:read is not enough.
    let now = t.clock.now_utc();
    let token = |scope: &str| {
        json!({"username": "ulf", "role": "unit_manager", "unit": "utredning-1", "scopes": [scope],
               "name": "kvalitetsuppföljning", "expires_at": now + chrono::Duration::days(2)})
    };
    let cases_only = t.post(Some(&sam), "/api/tokens", &token("cases:read")).await;
    assert_eq!(cases_only.status, 201, "{}", cases_only.body);
    let r = t.get(cases_only.json["token"].as_str(), &path).await;
    assert_eq!((r.status, r.code()), (403, "TOKEN_SCOPE"));
    let quality = t.post(Some(&sam), "/api/tokens", &token("quality:read")).await;
    assert_eq!(quality.status, 201, "{}", quality.body);
    assert_eq!(t.get(quality.json["token"].as_str(), &path).await.status, 200);

    // A drop-out after opening: only a drawn file, with a reason; the audited count follows.
    let drop = format!("{path}/drop-outs");
    let v = res.json["audited"].as_u64().unwrap();
    let journal = t.journal_count();
    let no_reason = t.post(Some(&ulf), &drop, &json!({"data": {"case": case, "reason": " "}})).await;
    assert_eq!((no_reason.status, no_reason.json["field"].as_str()), (422, Some("reason")), "{}", no_reason.body);
    let stranger = Target::OtherUnit.case();
    let not_drawn = t.post(Some(&ulf), &drop, &json!({"data": {"case": stranger, "reason": "Överflyttat"}})).await;
    assert_eq!(not_drawn.status, 422, "{}", not_drawn.body);
    assert_eq!(t.journal_count(), journal, "nothing written");
    let ok = t.post(Some(&kim), &drop, &json!({"data": {"case": case, "reason": "Överflyttat"}})).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    let a = t.get(Some(&ulf), &path).await;
    assert_eq!(a.json["audited"].as_u64(), Some(v - 1));
    assert_eq!(a.json["drop_outs"][0]["reason"], "Överflyttat");
    let again = t.post(Some(&kim), &drop, &json!({"data": {"case": case, "reason": "Överflyttat"}})).await;
    assert_eq!(again.status, 422, "already a drop-out: {}", again.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_unit_types_template_decides_the_questions_of_an_audit_opened_after_it() {
    let t = TestApp::spawn().await;
    let case = Target::OwnUnit.case();
    act(&t, "hanna", Role::Handler, case, open_investigation(date(2026, 3, 3))).await;
    let (kim, ulf, hugo) = (t.login("kim").await, t.login("ulf").await, t.login("hugo").await);
    let put_json = |token: String, body: Value| {
        let t = &t;
        async move {
            t.send(reqwest::Method::PUT, Some(&token), "/api/file-audit-templates/investigation", Some(&body)).await
        }
    };

    // No template yet: the whole catalogue, for every unit type that is audited.
    let all = t.get(Some(&hugo), "/api/file-audit-templates").await;
    assert_eq!(all.status, 200, "{}", all.body);
    let catalogue = all.json["catalogue"].as_array().unwrap().len();
    assert!(catalogue > 20);
    let inv = all.json["templates"].as_array().unwrap().iter().find(|x| x["function"] == "investigation").unwrap();
    assert_eq!((inv["recorded"].as_bool(), inv["questions"].as_array().unwrap().len()), (Some(false), catalogue));
    assert_eq!(t.get(Some(&hugo), "/api/file-audit-templates/management").await.status, 404);

    // The quality developer sets the investigation units' template; a unit manager may not.
    let template = json!({
        "include": [
            {"section": "preliminary_assessment", "id": "reporter_documented"},
            {"section": "investigation", "id": "child_heard"}
        ],
        "extra": [{"section": "investigation", "id": "plan_uppfoljd", "text": "Har vårdplanen följts upp?"}]
    });
    assert_eq!(put_json(ulf.clone(), template.clone()).await.status, 403);
    let journal = t.journal_count();
    let bad =
        put_json(kim.clone(), json!({"include": [{"section": "investigation", "id": "finns_inte"}], "extra": []}))
            .await;
    assert_eq!(
        (bad.status, bad.json["message"].as_str()),
        (422, Some("Frågan finns_inte finns inte i frågekatalogen."))
    );
    let empty = put_json(kim.clone(), json!({"include": []})).await;
    assert_eq!((empty.status, empty.json["message"].as_str()), (422, Some("Mallen måste ha minst en fråga.")));
    assert_eq!(t.journal_count(), journal, "nothing written");
    let set = put_json(kim.clone(), template.clone()).await;
    assert_eq!(set.status, 200, "{}", set.body);
    let ids = |v: &Value| -> Vec<String> {
        v.as_array().unwrap().iter().map(|q| q["id"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(ids(&set.json["questions"]), ["reporter_documented", "child_heard", "plan_uppfoljd"]);
    let one = t.get(Some(&ulf), "/api/file-audit-templates/investigation").await;
    assert_eq!((one.status, one.json["recorded"].as_bool()), (200, Some(true)));

    // An audit of an investigation unit opened now asks those questions, and only those.
    let res = t.post(Some(&kim), "/api/file-audits", &json!({"unit": "utredning-1", "year": 2026, "seed": 11})).await;
    assert_eq!(res.status, 201, "{}", res.body);
    let path = format!("/api/file-audits/{}", res.json["id"].as_str().unwrap());
    let a = t.get(Some(&hugo), &path).await;
    assert_eq!(ids(&a.json["questions"]), ["reporter_documented", "child_heard", "plan_uppfoljd"]);
    let files = t.get(Some(&hugo), &format!("{path}/files")).await;
    let answers = files.json[0]["answers"].as_array().unwrap();
    assert_eq!(ids(&Value::Array(answers.iter().map(|a| json!({"id": a["question"]})).collect())).len(), 3);

    // An answer to a question outside the audit's questionnaire is refused, nothing written.
    let journal = t.journal_count();
    let outside = json!({"data": [{"case": case, "section": "investigation", "question": "timely", "reply": "Ja"}]});
    let r = t.post(Some(&hugo), &format!("{path}/answers"), &outside).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("ingår inte i granskningens frågelista"), "{}", r.body);
    assert_eq!(t.journal_count(), journal);
    // The file's page asks the same three; the own question has no automatic answer and may
    // be left unanswered (the others are recorded as pre-filled).
    let audit_id = res.json["id"].as_str().unwrap().to_owned();
    let mut c = crate::ui::UiClient::new(&t);
    c.login("hugo").await;
    let file = c.get(&format!("/aktgranskning/{audit_id}/akter/{case}")).await;
    assert_eq!(file.status, 200, "{}", file.body);
    assert_eq!(file.body.matches("<fieldset class=\"fraga\">").count(), 3, "{}", file.body);
    assert!(file.body.contains("plan_uppfoljd: Har vårdplanen följts upp? (enhetstypens egen fråga)"));
    assert!(file.body.contains("<option value=\"\" selected>Inte besvarad</option>"), "{}", file.body);
    let value = |name: &str| {
        let key = format!("name=\"{name}\" value=\"");
        let i = file.body.find(&key).unwrap() + key.len();
        file.body[i..].split('"').next().unwrap().to_owned()
    };
    let selected = |i: usize| {
        let at = file.body.find(&format!("name=\"svar-{i}\"")).unwrap();
        let rest = &file.body[at..];
        let sel = rest.find(" selected>").unwrap();
        let open = rest[..sel].rfind("value=\"").unwrap() + 7;
        rest[open..sel].trim_end_matches('"').to_owned()
    };
    let csrf = file.csrf();
    let (k0, k1, k2, s0, s1) = (value("fraga-0"), value("fraga-1"), value("fraga-2"), selected(0), selected(1));
    let journal = t.journal_count();
    let r = c
        .post(
            &format!("/aktgranskning/{audit_id}/akter/{case}"),
            &[
                ("_csrf", &csrf),
                ("expected_version", &a.json["version"].to_string()),
                ("fraga-0", &k0),
                ("svar-0", &s0),
                ("fraga-1", &k1),
                ("svar-1", &s1),
                ("fraga-2", &k2),
                ("svar-2", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(t.journal_count(), journal + 1);
    // The own question answered through the API: no automatic answer, no comment needed.
    let own =
        json!({"data": [{"case": case, "section": "investigation", "question": "plan_uppfoljd", "reply": "Nej"}]});
    let r = t.post(Some(&hugo), &format!("{path}/answers"), &own).await;
    assert_eq!(r.status, 200, "{}", r.body);

    // The sheet holds the audit's questions only; the own question has no automatic answer.
    let (status, _, xl) = bytes(&t, &hugo, &format!("{path}/sheet.xlsx")).await;
    assert_eq!(status, 200);
    let rows = skyndsam_report::xlsx::read(&xl).unwrap();
    let sheet_ids: Vec<&str> = rows.iter().skip(1).map(|r| r[3].as_str()).collect();
    assert_eq!(sheet_ids, ["reporter_documented", "child_heard", "plan_uppfoljd"]);
    assert_eq!((rows[3][5].as_str(), rows[3][7].as_str()), ("", "Nej"));
    let page = c.get(&format!("/aktgranskning/{audit_id}")).await;
    assert!(
        page.body.contains("<th scope=\"row\">plan_uppfoljd</th><td>Har vårdplanen följts upp?</td>"),
        "{}",
        page.body
    );
    // A row for a question outside the questionnaire is refused on import.
    let mut foreign = rows.clone();
    foreign[2][3] = "timely".into();
    let bad =
        put(&t, &hugo, &format!("{path}/sheet.xlsx"), skyndsam_report::xlsx::write("A", &foreign, &[]).unwrap()).await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad.body.contains("Rad 3: frågan \\\"timely\\\" finns inte i granskningens frågelista"), "{}", bad.body);

    // A later template changes audits opened after it, not this one.
    let later = json!({"include": [{"section": "preliminary_assessment", "id": "reporter_documented"}]});
    assert_eq!(put_json(kim.clone(), later).await.status, 200);
    let a = t.get(Some(&hugo), &path).await;
    assert_eq!(ids(&a.json["questions"]), ["reporter_documented", "child_heard", "plan_uppfoljd"]);
    let results = a.json["results"].as_array().unwrap();
    assert!(results.iter().any(|r| r["question"] == "plan_uppfoljd" && r["no"] == 1), "{}", a.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_template_form_saves_for_the_quality_developer_and_is_read_only_for_others() {
    let t = TestApp::spawn().await;
    let mut qd = crate::ui::UiClient::new(&t);
    qd.login("kim").await;
    let list = qd.get("/aktgranskning").await;
    assert!(list.body.contains("href=\"/aktgranskning/mallar\""), "linked from the audits");
    let page = qd.get("/aktgranskning/mallar").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Hela katalogen (ingen mall satt)"), "{}", page.body);
    let form = qd.get("/aktgranskning/mallar/youth").await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("<legend>Förhandsbedömning: frågor ur katalogen</legend>"), "{}", form.body);
    // Every catalogue question is ticked while no template is set.
    assert!(form.body.contains("name=\"fraga\" value=\"utredning/child_heard\" checked"), "{}", form.body);

    // A bad own-question line is refused beside its field, nothing written.
    let csrf = form.csrf();
    let journal = t.journal_count();
    let bad = qd
        .post(
            "/aktgranskning/mallar/youth",
            &[("_csrf", &csrf), ("fraga", "forhandsbedomning/reporter_documented"), ("egna-utredning", "utan kolon")],
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad.body.contains("Rad 1: skriv frågan som id: frågetext"), "{}", bad.body);
    assert_eq!(t.journal_count(), journal);
    let ok = qd
        .post(
            "/aktgranskning/mallar/youth",
            &[
                ("_csrf", &csrf),
                ("fraga", "forhandsbedomning/reporter_documented"),
                ("fraga", "utredning/child_heard"),
                ("egna-utredning", "ungdom_natverk: Har ungdomens nätverk kartlagts?"),
            ],
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    let saved = t.app.store.projections().org.audit_templates[&skyndsam_domain::org::UnitFunction::Youth].clone();
    assert_eq!(saved.include.len(), 2);
    assert_eq!(
        (saved.extra[0].id.as_str(), saved.extra[0].text.as_str()),
        ("ungdom_natverk", "Har ungdomens nätverk kartlagts?")
    );
    let form = qd.get("/aktgranskning/mallar/youth").await;
    assert!(form.body.contains("Har ungdomens nätverk kartlagts?"));
    assert!(!form.body.contains("name=\"fraga\" value=\"utredning/timely\" checked"));

    // A unit manager reads it but has no form, and a post is refused at the gate.
    let mut um = crate::ui::UiClient::new(&t);
    um.login("ulf").await;
    let read = um.get("/aktgranskning/mallar/youth").await;
    assert_eq!(read.status, 200);
    assert!(read.body.contains("Har ungdomens nätverk kartlagts?") && !read.body.contains("Spara mallen"));
    let csrf = read.csrf();
    let refused = um.post("/aktgranskning/mallar/youth", &[("_csrf", &csrf), ("fraga", "utredning/timely")]).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert_eq!(
        t.app.store.projections().org.audit_templates[&skyndsam_domain::org::UnitFunction::Youth].include.len(),
        2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sheet_upload_form_is_read_as_multipart_with_its_csrf_token() {
    let t = TestApp::spawn().await;
    let case = Target::OwnUnit.case();
    act(&t, "hanna", Role::Handler, case, open_investigation(date(2026, 3, 3))).await;
    let (kim, hugo) = (t.login("kim").await, t.login("hugo").await);
    let res = t.post(Some(&kim), "/api/file-audits", &json!({"unit": "utredning-1", "year": 2026, "seed": 3})).await;
    assert_eq!(res.status, 201, "{}", res.body);
    let id = res.json["id"].as_str().unwrap().to_owned();
    let (status, _, xl) = bytes(&t, &hugo, &format!("/api/file-audits/{id}/sheet.xlsx")).await;
    assert_eq!(status, 200);
    let rows = skyndsam_report::xlsx::read(&xl).unwrap();
    let answered = rows.iter().skip(1).filter(|r| !r[7].is_empty()).count();
    assert!(answered > 0, "automatic answers pre-filled");

    let mut c = crate::ui::UiClient::new(&t);
    c.login("hugo").await;
    let page = c.get(&format!("/aktgranskning/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("enctype=\"multipart/form-data\""));
    let csrf = page.csrf();
    let upload = format!("/aktgranskning/{id}/blad.xlsx");

    // Without the CSRF token (or with a body that is no multipart form): refused and logged.
    let journal = t.journal_count();
    let r = c.post_multipart(&upload, &[], &[("file", "blad.xlsx", &xl)]).await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(r.body.contains("säkerhetskontrollen misslyckades"));
    let r = c.post(&upload, &[("_csrf", &csrf)]).await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(t.journal_count(), journal);

    // No file chosen, and a sheet with a bad row: the errors on the page, nothing written.
    let r = c.post_multipart(&upload, &[("_csrf", &csrf)], &[("file", "", b"")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Välj en .xlsx-fil att läsa in."), "{}", r.body);
    let mut bad = rows.clone();
    let j = (1..bad.len()).find(|i| !bad[*i][7].is_empty()).unwrap();
    bad[j][7] = "Kanske".into();
    let bad = skyndsam_report::xlsx::write("A", &bad, &[]).unwrap();
    let r = c.post_multipart(&upload, &[("_csrf", &csrf)], &[("file", "blad.xlsx", &bad)]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains(&format!("Rad {}: Svar ska vara Ja, Nej eller Ej tillämpligt.", j + 1)), "{}", r.body);
    assert!(r.body.contains("Bladet lästes inte in – inget registrerades"));
    let r = c.post_multipart(&upload, &[("_csrf", &csrf)], &[("file", "blad.xlsx", b"inte en xlsx")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Filen kunde inte läsas som .xlsx"), "{}", r.body);
    assert_eq!(t.journal_count(), journal, "nothing written");

    // The sheet as downloaded: its pre-filled answers recorded in one batch.
    let r = c.post_multipart(&upload, &[("_csrf", &csrf)], &[("file", "blad.xlsx", &xl)]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location, format!("/aktgranskning/{id}?inlast={answered}#blad"));
    assert_eq!(t.journal_count(), journal + 1);
    let page = c.get(&r.location).await;
    assert!(page.body.contains(&format!("Bladet är inläst: {answered} svar nya eller ändrade.")), "{}", page.body);

    // Over the body limit: refused with a page, nothing written.
    let big = vec![b'x'; skyndsam_web::app::BODY_LIMIT + 1024];
    let r = c.post_multipart(&upload, &[("_csrf", &csrf)], &[("file", "stor.xlsx", &big)]).await;
    assert_eq!(r.status, 413, "{}", r.body);
    assert_eq!(t.journal_count(), journal + 1);
}
