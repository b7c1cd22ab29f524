//! The web UI over HTTP (no browser): sessions, CSRF, expiry, logout, Att göra, the case
//! page's masking and access log, and the intake forms' handling of bad input.

use crate::harness::*;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use skyndsam_store::security::{AccessAction, SecurityKind};
use std::collections::BTreeMap;

/// A browser without a browser: keeps cookies, never follows redirects.
pub struct UiClient {
    pub base: String,
    client: reqwest::Client,
    pub cookies: BTreeMap<String, String>,
    /// Set-Cookie lines of the last response.
    pub set_cookies: Vec<String>,
}

pub struct Page {
    pub status: u16,
    pub location: String,
    pub body: String,
}

impl Page {
    /// The CSRF token of the first form on the page.
    pub fn csrf(&self) -> String {
        let key = "name=\"_csrf\" value=\"";
        let i = self.body.find(key).unwrap_or_else(|| panic!("no CSRF field in {}", self.body)) + key.len();
        self.body[i..].split('"').next().unwrap().to_owned()
    }
}

impl UiClient {
    pub fn new(t: &TestApp) -> Self {
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Self { base: t.base.clone(), client, cookies: BTreeMap::new(), set_cookies: Vec::new() }
    }

    async fn run(&mut self, rb: reqwest::RequestBuilder) -> Page {
        let cookie: Vec<String> = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let rb = if cookie.is_empty() { rb } else { rb.header(COOKIE, cookie.join("; ")) };
        let r = rb.send().await.unwrap();
        self.set_cookies = r.headers().get_all(SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_owned()).collect();
        for line in &self.set_cookies {
            let (kv, attrs) = line.split_once(';').unwrap_or((line, ""));
            let (k, v) = kv.split_once('=').unwrap();
            if v.is_empty() || attrs.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_owned(), v.to_owned());
            }
        }
        let status = r.status().as_u16();
        let location = r.headers().get(LOCATION).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
        Page { status, location, body: r.text().await.unwrap() }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let rb = self.client.get(format!("{}{path}", self.base));
        self.run(rb).await
    }

    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let rb = self.client.post(format!("{}{path}", self.base)).form(fields);
        self.run(rb).await
    }

    /// A multipart/form-data form (as a browser's file form sends it): text fields and files
    /// as (name, file name, bytes).
    pub async fn post_multipart(&mut self, path: &str, fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> Page {
        let boundary = "----skyndsamtestgrans7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        for (name, file, bytes) in files {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\nContent-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let rb = self
            .client
            .post(format!("{}{path}", self.base))
            .header("content-type", format!("multipart/form-data; boundary={boundary}"))
            .body(body);
        self.run(rb).await
    }

    pub async fn post_with(&mut self, path: &str, fields: &[(&str, &str)], header: (&str, &str)) -> Page {
        let rb = self.client.post(format!("{}{path}", self.base)).form(fields).header(header.0, header.1);
        self.run(rb).await
    }

    /// Logs in through the form; returns the landing response.
    pub async fn login(&mut self, user: &str) -> Page {
        let form = self.get("/logga-in").await;
        assert_eq!(form.status, 200);
        let csrf = form.csrf();
        let r = self.post("/logga-in", &[("_csrf", &csrf), ("username", user), ("password", PASSWORD)]).await;
        assert_eq!(r.status, 303, "login {user}: {}", r.body);
        r
    }
}

fn session_cookie(lines: &[String]) -> Option<&String> {
    lines.iter().find(|l| l.starts_with("skyndsam_session=") && !l.starts_with("skyndsam_session=;"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_sets_a_strict_http_only_cookie_and_secure_behind_tls() {
    let t = TestApp::spawn().await;
    let mut c = UiClient::new(&t);
    let r = c.login("hanna").await;
    assert_eq!(r.location, "/");
    let line = session_cookie(&c.set_cookies).expect("a session cookie").clone();
    assert!(line.contains("HttpOnly") && line.contains("SameSite=Strict") && line.contains("Path=/"), "{line}");
    assert!(!line.contains("Secure"), "plain HTTP without the flag: {line}");

    // Behind a TLS-terminating proxy.
    let mut c = UiClient::new(&t);
    let form = c.get("/logga-in").await;
    let csrf = form.csrf();
    let r = c
        .post_with(
            "/logga-in",
            &[("_csrf", &csrf), ("username", "hanna"), ("password", PASSWORD)],
            ("x-forwarded-proto", "https"),
        )
        .await;
    assert_eq!(r.status, 303);
    let line = session_cookie(&c.set_cookies).expect("a session cookie");
    assert!(line.contains("; Secure"), "{line}");

    // Security headers on the pages.
    let res = reqwest::get(format!("{}/logga-in", t.base)).await.unwrap();
    let csp = res.headers().get("content-security-policy").unwrap().to_str().unwrap().to_owned();
    assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(res.headers().get("cache-control").unwrap(), "no-store");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_refuses_a_form_without_its_csrf_token_and_keeps_the_username_on_a_wrong_password() {
    let t = TestApp::spawn().await;
    let mut c = UiClient::new(&t);
    // No login cookie: a cross-site post.
    let r = c.post("/logga-in", &[("_csrf", "x"), ("username", "hanna"), ("password", PASSWORD)]).await;
    assert_eq!(r.status, 403);
    assert!(session_cookie(&c.set_cookies).is_none());

    let form = c.get("/logga-in").await;
    let r =
        c.post("/logga-in", &[("_csrf", &form.csrf()), ("username", "hanna"), ("password", "fel lösenord igen")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Fel användarnamn eller lösenord."), "{}", r.body);
    assert!(r.body.contains("value=\"hanna\""), "the username is kept");
    assert!(!r.body.contains("fel lösenord igen"), "the password is never sent back");
    assert!(r.body.contains("class=\"felsammanfattning\""));
    assert!(session_cookie(&c.set_cookies).is_none());

    let form = c.get("/logga-in").await;
    let r = c.post("/logga-in", &[("_csrf", &form.csrf()), ("username", ""), ("password", "")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Ange ditt användarnamn.") && r.body.contains("Ange ditt lösenord."));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_need_a_session_and_an_expired_one_goes_back_to_login_in_swedish() {
    let t = TestApp::spawn().await;
    let mut c = UiClient::new(&t);
    let r = c.get("/").await;
    assert_eq!((r.status, r.location.as_str()), (303, "/logga-in"));
    c.login("hanna").await;
    assert_eq!(c.get("/").await.status, 200);

    t.clock.advance(chrono::Duration::hours(11));
    let r = c.get("/").await;
    assert_eq!((r.status, r.location.as_str()), (303, "/logga-in?orsak=utgangen"));
    assert!(!c.cookies.contains_key("skyndsam_session"), "the stale cookie is cleared");
    let login = c.get(&r.location).await;
    assert!(login.body.contains("Din session har gått ut. Logga in igen."));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_needs_the_csrf_token_and_revokes_the_session() {
    let t = TestApp::spawn().await;
    let mut c = UiClient::new(&t);
    c.login("hanna").await;
    let home = c.get("/").await;
    let secret = c.cookies["skyndsam_session"].clone();

    let r = c.post("/logga-ut", &[("_csrf", "fel")]).await;
    assert_eq!(r.status, 403);
    assert!(r.body.contains("säkerhetskontrollen"));
    assert_eq!(c.get("/").await.status, 200, "still logged in");

    let r = c.post("/logga-ut", &[("_csrf", &home.csrf())]).await;
    assert_eq!((r.status, r.location.as_str()), (303, "/logga-in?orsak=utloggad"));
    assert!(t.security_log().iter().any(|s| s.entry.kind == SecurityKind::Logout));
    // The old cookie, replayed, no longer works.
    c.cookies.insert("skyndsam_session".into(), secret);
    let r = c.get("/").await;
    assert_eq!(r.status, 303);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn att_gora_lists_deadlines_in_traffic_light_order_with_a_protected_child_masked() {
    let t = TestApp::spawn().await;
    // The preliminary assessments (received 2 March) are overdue on 20 March.
    t.clock.advance(chrono::Duration::days(17));
    let mut c = UiClient::new(&t);
    c.login("hanna").await;
    let before = t.access_log().len();
    let r = c.get("/").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let body = &r.body;
    assert!(body.contains("<html lang=\"sv\">"));
    assert!(body.contains("Hoppa till innehållet"));
    for h in ["Försenade", "Går ut i dag", "Går snart ut", "Kommande"] {
        assert!(body.contains(h), "{h}");
    }
    let order: Vec<usize> = ["Försenade", "Går ut i dag", "Går snart ut", "Kommande"]
        .iter()
        .map(|h| body.find(&format!("{h} <span")).unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "traffic-light order");
    let overdue = &body[order[0]..order[1]];
    assert!(overdue.contains(&Target::OwnUnit.case().to_string()), "own case overdue");
    assert!(overdue.contains("Skyddad identitet"), "protected child listed, masked");
    assert!(!body.contains(NOAH_NAME) && !body.contains("Skyddadsson"));
    assert!(!body.contains(&Target::OtherUnit.case().to_string()), "another area's case is not listed");
    assert_eq!(t.access_log().len(), before, "a list is not logged per row, as in the API");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_case_page_is_logged_masks_a_protected_identity_and_hides_other_units() {
    let t = TestApp::spawn().await;
    let mut c = UiClient::new(&t);
    c.login("hanna").await;
    let before = t.access_log().len();
    let r = c.get(&format!("/arenden/{}", Target::Protected.case())).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("Skyddad identitet"));
    assert!(r.body.contains("[skyddad uppgift]"), "free text scrubbed");
    let pnr = noah_pnr();
    assert!(!r.body.contains(NOAH_NAME) && !r.body.contains("Skyddadsson") && !r.body.contains(pnr.as_str()));
    assert!(r.body.contains("Aktualisering registrerad") && r.body.contains("Ärendet fördelat"), "the timeline");
    assert!(
        r.body.contains("<td>Förhandsbedömning</td>") && r.body.contains("<td>Omedelbar skyddsbedömning</td>"),
        "the deadlines"
    );
    let log = t.access_log();
    assert_eq!(log.len(), before + 1, "the read is logged before it is shown");
    let last = log.last().unwrap();
    assert_eq!((last.entry.action, last.entry.case), (AccessAction::ReadCase, Some(Target::Protected.case())));

    // Another area's case: as if it did not exist, and the attempt is in the security log.
    let r = c.get(&format!("/arenden/{}", Target::OtherUnit.case())).await;
    assert_eq!(r.status, 404);
    assert!(r.body.contains("finns inte"));
    assert!(!r.body.contains("Carl"));
    assert!(t.security_log().iter().any(|s| s.entry.kind == SecurityKind::RequestRefused));
    assert_eq!(c.get("/arenden/inte-ett-id").await.status, 404);

    // The unit manager may see the protected identity.
    let mut u = UiClient::new(&t);
    u.login("ulf").await;
    let r = u.get(&format!("/arenden/{}", Target::Protected.case())).await;
    assert!(r.body.contains(NOAH_NAME));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_protection_form_survives_bad_input_and_writes_only_good_input() {
    let t = TestApp::spawn().await;
    let mut c = UiClient::new(&t);
    c.login("hanna").await;
    let path = format!("/arenden/{}", Target::OwnUnit.case());
    let page = c.get(&path).await;
    assert!(page.body.contains("Omedelbar skyddsbedömning"), "the form is offered");
    let csrf = page.csrf();
    let journal = t.journal_count();

    // No CSRF token: refused, nothing written.
    let r = c.post(&format!("{path}/skyddsbedomning"), &[("facts", "x")]).await;
    assert_eq!(r.status, 403);
    assert_eq!(t.journal_count(), journal);

    // Bad input: each error in Swedish next to its field, the input kept, nothing written.
    let bad = [
        ("_csrf", csrf.as_str()),
        ("expected_version", "2"),
        ("assessed_date", "3 mars"),
        ("assessed_time", "09:30"),
        ("assessor_name", "Hanna <Testberg>"),
        ("assessor_title", ""),
        ("facts", ""),
        ("immediate_need", "ja"),
        ("protection_plan", ""),
    ];
    let r = c.post(&format!("{path}/skyddsbedomning"), &bad).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("Ange datum för bedömningen som ÅÅÅÅ-MM-DD."));
    assert!(r.body.contains("Ange befattning.") && r.body.contains("Beskriv de faktiska omständigheterna."));
    assert!(r.body.contains("id=\"skydd-facts-fel\""), "the error sits at its field");
    assert!(r.body.contains("aria-describedby=\"skydd-facts-fel\""));
    assert!(r.body.contains("href=\"#skydd-facts\""), "the summary links to the field");
    assert!(r.body.contains("value=\"3 mars\""), "input kept");
    assert!(r.body.contains("Hanna &#60;Testberg&#62;") || r.body.contains("Hanna &lt;Testberg&gt;"), "escaped");
    assert_eq!(t.journal_count(), journal);

    // The domain's own refusal (a plan is required with an immediate need) lands at its field.
    let no_plan = [
        ("_csrf", csrf.as_str()),
        ("expected_version", "2"),
        ("assessed_date", "2026-03-03"),
        ("assessed_time", "08:30"),
        ("assessor_name", "Hanna Testberg"),
        ("assessor_title", "Socialsekreterare"),
        ("facts", "Samtal med förskolan."),
        ("immediate_need", "ja"),
        ("protection_plan", ""),
    ];
    let r = c.post(&format!("{path}/skyddsbedomning"), &no_plan).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("id=\"skydd-protection_plan-fel\""), "{}", r.body);
    assert_eq!(t.journal_count(), journal);

    let mut good = no_plan;
    good[7] = ("immediate_need", "nej");
    let r = c.post(&format!("{path}/skyddsbedomning"), &good).await;
    assert_eq!((r.status, r.location.as_str()), (303, path.as_str()), "{}", r.body);
    assert_eq!(t.journal_count(), journal + 1);
    let page = c.get(&path).await;
    assert!(page.body.contains("Samtal med förskolan."));
    assert!(!page.body.contains("/skyddsbedomning\""), "done: the form is no longer offered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_preliminary_assessment_needs_its_reason_and_shows_the_clock() {
    let t = TestApp::spawn().await;
    t.clock.advance(chrono::Duration::days(17));
    let mut c = UiClient::new(&t);
    c.login("hanna").await;
    let path = format!("/arenden/{}", Target::OwnUnit.case());
    let page = c.get(&path).await;
    assert!(page.body.contains("Beslut ska fattas senast <strong>2026-03-16</strong>"), "{}", page.body);
    let csrf = page.csrf();
    let journal = t.journal_count();
    let mut fields = vec![
        ("_csrf", csrf.as_str()),
        ("expected_version", "2"),
        ("decided_on", "2026-03-20"),
        ("outcome", "open"),
        ("earlier_knowledge-exists", "nej"),
        ("earlier_knowledge-description", ""),
        ("child_view", "not_obtained"),
        ("child_view-summary", ""),
        ("child_view-reason", "Barnet är fyra år."),
        ("late_reason-kind", ""),
        ("late_reason-text", ""),
        ("motivation", "Oron är allvarlig."),
    ];
    let r = c.post(&format!("{path}/forhandsbedomning"), &fields).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("Ange synnerliga skäl"), "{}", r.body);
    assert!(r.body.contains("id=\"forhand-late_reason-kind-fel\""));
    assert!(r.body.contains("Oron är allvarlig."), "input kept");
    assert_eq!(t.journal_count(), journal);

    fields[9] = ("late_reason-kind", "family_unreachable");
    fields[10] = ("late_reason-text", "Familjen har sökts fem gånger.");
    let r = c.post(&format!("{path}/forhandsbedomning"), &fields).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(t.journal_count() > journal);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mottagning_looks_up_earlier_knowledge_and_registers_through_the_domain() {
    let t = TestApp::spawn().await;
    let mut c = UiClient::new(&t);
    c.login("rita").await;
    let page = c.get("/mottagning").await;
    assert_eq!(page.status, 200);

    let r = c.get("/mottagning?personnummer=20150102-2461").await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("id=\"sok-personnummer-fel\""), "{}", r.body);

    let before = t.access_log().len();
    let pnr = Target::Intake.pnr();
    let r = c.get(&format!("/mottagning?personnummer={}", pnr.as_str())).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("Dora Mottagsson") && r.body.contains("Tidigare kännedom"));
    assert!(r.body.contains("2026-03-02"), "the earlier report is listed");
    assert_eq!(t.access_log().len(), before + 1, "the hit is logged");
    let csrf = r.csrf();

    let journal = t.journal_count();
    let mut fields = vec![
        ("_csrf", csrf.as_str()),
        ("personnummer", pnr.as_str()),
        ("kind", "report"),
        ("received_date", "2026-03-03"),
        ("received_time", "08:15"),
        ("channel", "phone"),
        ("reporter_category", "police"),
        ("reporter_name", ""),
        ("reporter_organisation", "Polisen"),
        ("reporter_contact", ""),
        ("text", ""),
    ];
    let r = c.post("/mottagning", &fields).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("Välj minst en orsak.") && r.body.contains("Beskriv vad som kommit in."));
    assert!(r.body.contains("<option value=\"police\" selected>"), "choices kept");
    assert_eq!(t.journal_count(), journal);

    fields.push(("reasons", "witnessed_violence"));
    fields[10] = ("text", "Polisen ringde om ett larm i hemmet.");
    let r = c.post("/mottagning", &fields).await;
    // A professional reporter must be named: the domain's refusal at its field.
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("id=\"reg-reporter_name-fel\""), "{}", r.body);
    assert!(r.body.contains("Polisen ringde om ett larm i hemmet."), "input kept");
    assert_eq!(t.journal_count(), journal);

    fields[7] = ("reporter_name", "Polis Polisson");
    let r = c.post("/mottagning", &fields).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(r.location.starts_with("/arenden/"));
    assert!(t.journal_count() > journal);
    let case = c.get(&r.location).await;
    assert!(case.body.contains("Polisen ringde om ett larm i hemmet."));

    // Auditors have no Mottagning.
    let mut a = UiClient::new(&t);
    a.login("rut").await;
    assert_eq!(a.get("/mottagning").await.status, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_timeline_shows_a_correction_as_such_in_swedish() {
    let t = TestApp::spawn().await;
    let token = t.login("hanna").await;
    let case = Target::OwnUnit.case();
    let r = t
        .post(
            Some(&token),
            &format!("/api/cases/{case}/entry"),
            &serde_json::json!({"expected_version": 2, "data": {"heading": "Samtal", "text": "Fel uppgift om skolan."}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let seq = r.json["events"][0].as_u64().unwrap();
    let r = t
        .post(
            Some(&token),
            &format!("/api/cases/{case}/corrections"),
            &serde_json::json!({"expected_version": 3, "corrects": seq, "command": {"type": "write_entry",
                "data": {"heading": "Samtal", "text": "Rätt uppgift om skolan."}}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);

    let mut c = UiClient::new(&t);
    c.login("hanna").await;
    let page = c.get(&format!("/arenden/{case}")).await;
    assert!(page.body.contains(&format!("Rättelse av <a href=\"#post-{seq}\">post {seq}</a>")), "{}", page.body);
    assert!(page.body.contains("Rättad: ersatt av en senare post."));
    assert!(page.body.contains(&format!("<li id=\"post-{seq}\" class=\"rattad\">")));
    assert!(page.body.contains("Fel uppgift om skolan.") && page.body.contains("Rätt uppgift om skolan."));
    assert!(page.body.contains("<dt>Kanal</dt><dd>E-tjänst</dd>"), "fields and values in Swedish");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_with_two_roles_chooses_one_after_the_password_is_proven() {
    use skyndsam_domain::events::{EventMeta, NewEvent, Payload, RoleGranted, ORG_STREAM};
    use skyndsam_domain::ids::{StaffId, UnitId};
    use skyndsam_domain::org::Role;
    let t = TestApp::spawn().await;
    let now = t.clock.now_utc();
    let grant = NewEvent {
        stream: ORG_STREAM.into(),
        meta: EventMeta {
            recorded_at: now,
            effective_on: skyndsam_domain::calendar::local_date(now),
            actor: StaffId::system(),
            role: Role::System,
            unit: None,
            delegation: None,
            corrects: None,
        },
        payload: Payload::RoleGranted(RoleGranted {
            staff: StaffId::parse("hanna").unwrap(),
            role: Role::TeamLeader,
            unit: UnitId::parse("utredning-2-team").unwrap(),
            from: date(2026, 1, 1),
            to: None,
        }),
    };
    t.app.store.append(skyndsam_store::AppendRequest::new(vec![grant])).unwrap();

    let mut c = UiClient::new(&t);
    // A wrong password reveals no roles.
    let form = c.get("/logga-in").await;
    let r =
        c.post("/logga-in", &[("_csrf", &form.csrf()), ("username", "hanna"), ("password", "inte rätt alls")]).await;
    assert!(!r.body.contains("utredning-2-team"));

    let form = c.get("/logga-in").await;
    let r = c.post("/logga-in", &[("_csrf", &form.csrf()), ("username", "hanna"), ("password", PASSWORD)]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("Du har flera roller."));
    assert!(r.body.contains("value=\"team_leader|utredning-2-team\""), "{}", r.body);
    assert!(session_cookie(&c.set_cookies).is_none());

    let r = c
        .post(
            "/logga-in",
            &[
                ("_csrf", &r.csrf()),
                ("username", "hanna"),
                ("password", PASSWORD),
                ("role", "team_leader|utredning-2-team"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let home = c.get("/").await;
    assert!(home.body.contains("(teamledare)"), "acting as the chosen role");
    // As team leader in area 2 she sees that area's case.
    assert!(home.body.contains(&Target::OtherUnit.case().to_string()));

    // A role she does not hold is refused.
    let mut c = UiClient::new(&t);
    let form = c.get("/logga-in").await;
    let r = c
        .post(
            "/logga-in",
            &[
                ("_csrf", &form.csrf()),
                ("username", "hanna"),
                ("password", PASSWORD),
                ("role", "unit_manager|utredning-1"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(session_cookie(&c.set_cookies).is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fordelning_lists_unallocated_cases_and_allocates_through_the_domain() {
    let t = TestApp::spawn().await;
    let mut c = UiClient::new(&t);
    c.login("tove").await;
    let case = Target::Protected.case();
    let page = c.get("/fordelning").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains(&format!("action=\"/arenden/{case}/fordelning\"")));
    assert!(page.body.contains("Skyddad identitet") && !page.body.contains(NOAH_NAME));
    assert!(!page.body.contains(&format!("/arenden/{}/fordelning", Target::OwnUnit.case())), "allocated already");
    assert!(page.body.contains("value=\"hanna\""));
    assert!(!page.body.contains("value=\"hugo\""), "only handlers of my units are offered");
    let csrf = page.csrf();
    let journal = t.journal_count();
    let path = format!("/arenden/{case}/fordelning");

    let r = c.post(&path, &[("_csrf", &csrf), ("expected_version", "2"), ("handler", "")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Välj en handläggare."));
    // A handler of another area, sent by hand: the domain refuses, at the field.
    let r = c.post(&path, &[("_csrf", &csrf), ("expected_version", "2"), ("handler", "hugo")]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains(&format!("id=\"fordela-{case}-handler-fel\"")));
    assert_eq!(t.journal_count(), journal);

    let r = c.post(&path, &[("_csrf", &csrf), ("expected_version", "2"), ("handler", "hanna")]).await;
    assert_eq!((r.status, r.location.as_str()), (303, "/fordelning"), "{}", r.body);
    assert_eq!(t.journal_count(), journal + 1);
    assert_eq!(
        t.app.store.projections().case(&case).unwrap().handler.as_ref().map(|h| h.as_str().to_owned()),
        Some("hanna".to_owned())
    );
    assert!(!c.get("/fordelning").await.body.contains(&path), "allocated: off the list");

    // A handler has no Fördelning.
    let mut h = UiClient::new(&t);
    h.login("hanna").await;
    assert_eq!(h.get("/fordelning").await.status, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_address_is_a_page_for_a_browser_and_json_for_the_api() {
    let t = TestApp::spawn().await;
    let client = reqwest::Client::new();
    let r = client.get(format!("{}/finns-inte", t.base)).header("accept", "text/html").send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(r.text().await.unwrap().contains("Sidan finns inte."));
    let r = t.get(None, "/api/finns-inte").await;
    assert_eq!((r.status, r.code()), (404, "UNKNOWN_ROUTE"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_case_page_offers_only_the_decisions_the_delegation_order_gives_the_role() {
    let t = TestApp::spawn().await;
    let path = format!("/arenden/{}", Target::OwnUnit.case());
    // Handler: may open an investigation, but not decide not to (team leader and up).
    let mut h = UiClient::new(&t);
    h.login("hanna").await;
    let page = h.get(&path).await;
    assert!(page.body.contains("id=\"forhand-outcome-open\""));
    assert!(!page.body.contains("id=\"forhand-outcome-not_open\""));
    // Sent anyway, the domain refuses it, in Swedish, and nothing is written.
    let journal = t.journal_count();
    let fields = [
        ("_csrf", page.csrf()),
        ("expected_version", "2".into()),
        ("decided_on", "2026-03-03".into()),
        ("outcome", "not_open".into()),
        ("earlier_knowledge-exists", "nej".into()),
        ("child_view", "not_obtained".into()),
        ("child_view-reason", "Barnet är litet.".into()),
        ("motivation", "Ingen oro.".into()),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = h.post(&format!("{path}/forhandsbedomning"), &fields).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("Du har inte delegation"), "{}", r.body);
    assert_eq!(t.journal_count(), journal);

    // Team leader: both.
    let mut l = UiClient::new(&t);
    l.login("tove").await;
    let page = l.get(&path).await;
    assert!(page.body.contains("id=\"forhand-outcome-open\"") && page.body.contains("id=\"forhand-outcome-not_open\""));
    // An auditor (pseudonymised view): no forms.
    let mut a = UiClient::new(&t);
    a.login("rut").await;
    let page = a.get(&path).await;
    assert!(!page.body.contains("forhandsbedomning\"") && !page.body.contains("skyddsbedomning\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_csrf_token_is_bound_to_its_session_and_an_integration_token_is_no_browser_session() {
    let t = TestApp::spawn().await;
    let mut a = UiClient::new(&t);
    a.login("tove").await;
    let their = a.get("/fordelning").await.csrf();
    let mut b = UiClient::new(&t);
    b.login("tove").await;
    let journal = t.journal_count();
    let r = b
        .post(
            &format!("/arenden/{}/fordelning", Target::Protected.case()),
            &[("_csrf", &their), ("expected_version", "2"), ("handler", "hanna")],
        )
        .await;
    assert_eq!(r.status, 403, "another session's token");
    assert_eq!(t.journal_count(), journal);

    // The e-tjänst's integration token, put in the cookie, opens no page.
    let token = t.token_for(skyndsam_domain::org::Role::System).await;
    let mut c = UiClient::new(&t);
    c.cookies.insert("skyndsam_session".into(), token);
    let r = c.get("/").await;
    assert_eq!((r.status, r.location.as_str()), (303, "/logga-in"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn att_gora_shows_a_groups_most_urgent_hundred_with_the_whole_count_and_a_link_to_all() {
    use skyndsam_domain::commands::RegisterActualisation;
    use skyndsam_domain::events::{ActualisationKind, Channel, Reason, Reporter, ReporterCategory};
    use skyndsam_domain::ids::{ActualisationId, CaseId, StaffId, UnitId};
    use skyndsam_domain::org::Role;
    let t = TestApp::spawn().await;
    // 120 more reports to the intake unit on 2 March: with the seed's, more than a hundred
    // preliminary assessments are overdue on 20 March.
    let app = t.app.clone();
    tokio::task::spawn_blocking(move || {
        let received = at(2026, 3, 2, 9);
        let rita = app.store.actor(&StaffId::parse("rita").unwrap(), Role::Registrar, received).unwrap();
        for i in 0..120u128 {
            let cmd = RegisterActualisation {
                actualisation: ActualisationId::from_u128(0xA000 + i),
                children: vec![(CaseId::from_u128(0xB000 + i), Target::Intake.child())],
                kind: ActualisationKind::Report,
                received_at: received,
                channel: Channel::Phone,
                reporter: Reporter {
                    category: ReporterCategory::School,
                    name: Some("Lärare Lärarsson".into()),
                    organisation: Some("Skolan".into()),
                    contact: None,
                },
                reasons: vec![Reason::NeglectOfCare],
                text: "Skolan oroar sig.".into(),
                unit: UnitId::parse("mottagning").unwrap(),
                receipt: None,
            };
            app.store.register(&cmd, &rita, received).unwrap();
        }
    })
    .await
    .unwrap();
    t.clock.advance(chrono::Duration::days(18));
    let mut c = UiClient::new(&t);
    c.login("maja").await;
    // The whole count, from the API's deadline book for the same user.
    let token = t.login("maja").await;
    let book = t.get(Some(&token), "/api/deadlines?limit=10000").await;
    assert_eq!(book.status, 200, "{}", book.body);
    let overdue = book.json.as_array().unwrap().iter().filter(|r| r["state"] == "overdue").count();
    assert!(overdue > 100, "{overdue}");

    let section = |body: &str| {
        let from = body.find("id=\"forsenade\"").unwrap();
        let to = body.find("id=\"i-dag\"").unwrap();
        body[from..to].to_owned()
    };
    let r = c.get("/").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let s = section(&r.body);
    assert!(s.contains(&format!("Försenade <span class=\"antal\">({overdue})</span>")), "{s}");
    assert_eq!(s.matches("<a href=\"/arenden/").count(), 100, "the most urgent hundred");
    assert!(s.contains(&format!("Visar de 100 mest brådskande av {overdue}.")), "{s}");
    assert!(s.contains(&format!("href=\"/?visa=forsenade#forsenade\">Visa alla {overdue}</a>")), "{s}");

    // The link shows the group in full; the other groups stay as they were.
    let all = c.get("/?visa=forsenade").await;
    assert_eq!(all.status, 200);
    let s = section(&all.body);
    assert_eq!(s.matches("<a href=\"/arenden/").count(), overdue);
    assert!(!s.contains("Visa alla"), "{s}");
}

/// After logging in, every role lands on a page it may open, with its menu and the log-out
/// button — not on "Ingen behörighet" (the board, its committee and the system administrator
/// do not have Att göra).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_lands_on_a_page_it_may_open_after_logging_in() {
    let t = TestApp::spawn().await;
    for (user, role, _) in STAFF {
        let mut c = UiClient::new(&t);
        let landed = c.login(user).await;
        let to = landed.location.clone();
        assert!(to.starts_with('/'), "{user}: no redirect");
        let page = c.get(&to).await;
        assert_eq!(page.status, 200, "{user} ({role:?}) lands on {to}: {}", page.body);
        assert!(page.body.contains("Logga ut"), "{user} lands on {to} without the menu");
        assert_eq!(to == "/", page.body.contains("<a href=\"/\">Att göra</a>"), "{user}: Att göra in the menu");

        // An error page's link to the start page ("/") leads to the same page.
        // (a case that does not exist: "not found" for those who read cases, "no access"
        // for the others)
        let denied = c.get("/arenden/00000000-0000-4000-8000-000000000000").await;
        assert!([403, 404].contains(&denied.status), "{user}: {}", denied.status);
        assert!(denied.body.contains("<a href=\"/\">Till startsidan</a>"), "{user}: {}", denied.body);
        let start = c.get("/").await;
        if to == "/" {
            assert_eq!(start.status, 200, "{user}");
        } else {
            assert_eq!((start.status, start.location.as_str()), (303, to.as_str()), "{user} ({role:?}): / sends on");
        }
    }
}
