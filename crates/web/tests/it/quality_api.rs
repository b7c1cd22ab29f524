//! The quality-management API: each matter's flow and its refusals, need-to-know (not
//! involved = not found, the auditor gets no text, a read of a linked deviation in full is
//! in the access log), the clocks, counts, trend, risk matrix, CSV import and the
//! detection sweep. Also the quality targets of the authorisation matrices.

use crate::harness::*;
use serde_json::{json, Value};
use skyndsam_domain::ids::*;
use skyndsam_domain::org::Role;
use skyndsam_domain::quality::commands::QualityCommand;
use skyndsam_domain::quality::model::*;
use skyndsam_store::security::AccessAction;

// ------------------------------------------------------------------ matrix targets

/// A deviation, a lex Sarah matter and a complaint per matrix target, and one risk, control
/// plan and survey (the organisation's own, no unit).
pub struct QualityTargets;

impl QualityTargets {
    pub fn deviation(t: Target) -> DeviationId {
        DeviationId::from_u128(200 + t.case().0.as_u128())
    }
    pub fn lex_sarah(t: Target) -> LexSarahId {
        LexSarahId::from_u128(300 + t.case().0.as_u128())
    }
    pub fn complaint(t: Target) -> ComplaintId {
        ComplaintId::from_u128(400 + t.case().0.as_u128())
    }
    pub const RISK: RiskId = RiskId(uuid::Uuid::from_u128(501));
    pub const PLAN: ControlPlanId = ControlPlanId(uuid::Uuid::from_u128(601));
    pub const SURVEY: SurveyId = SurveyId(uuid::Uuid::from_u128(701));

    /// Who reported the target's matters and in which unit (the deviation's text names the
    /// protected child for the protected target: it must be scrubbed for other roles).
    pub fn reporter(t: Target) -> (&'static str, Role, &'static str) {
        match t {
            Target::Intake => ("rita", Role::Registrar, "mottagning"),
            Target::OwnUnit => ("hanna", Role::Handler, "utredning-1"),
            Target::OtherUnit => ("hugo", Role::Handler, "utredning-2"),
            Target::Protected => ("tove", Role::TeamLeader, "utredning-1"),
        }
    }

    /// The id a quality route's `{id}` stands for, for `target`; None for other routes.
    pub fn id_for(path: &str, t: Target) -> Option<String> {
        let id = if path.starts_with("/api/deviations") || path.starts_with("/avvikelser") {
            Self::deviation(t).to_string()
        } else if path.starts_with("/api/lex-sarah") || path.starts_with("/lex-sarah") {
            Self::lex_sarah(t).to_string()
        } else if path.starts_with("/api/complaints") || path.starts_with("/synpunkter") {
            Self::complaint(t).to_string()
        } else if path.starts_with("/api/risks") || path.starts_with("/internkontroll/risker") {
            Self::RISK.to_string()
        } else if path.starts_with("/api/control-plans") || path.starts_with("/internkontroll/planer") {
            Self::PLAN.to_string()
        } else if path.starts_with("/api/surveys") || path.starts_with("/brukarundersokningar") {
            Self::SURVEY.to_string()
        } else if path.starts_with("/api/quality/deadlines") {
            Self::deviation(t).to_string()
        } else {
            return None;
        };
        Some(id)
    }

    /// Seeds the targets through the store, as their reporters.
    pub async fn seed(t: &TestApp) {
        let app = t.app.clone();
        let now = t.clock.now_utc();
        tokio::task::spawn_blocking(move || {
            let s = &app.store;
            let actor = |u: &str, r: Role| s.actor(&StaffId::parse(u).unwrap(), r, now).unwrap();
            let today = skyndsam_domain::calendar::local_date(now);
            for target in Target::ALL {
                let (user, role, unit) = Self::reporter(target);
                let a = actor(user, role);
                let text = if target == Target::Protected {
                    format!("{NOAH_NAME} fick vänta över helgen utan skyddsbedömning.")
                } else {
                    "Handlingen låg oskannad i sex dagar.".to_owned()
                };
                let unit = UnitId::parse(unit).unwrap();
                s.execute_quality(
                    &QualityCommand::ReportDeviation(DeviationReported {
                        deviation: Self::deviation(target),
                        unit: unit.clone(),
                        assignee: None,
                        occurred_on: today,
                        category: "registrering".into(),
                        direction: DeviationDirection::Internal,
                        external_body: None,
                        case: Some(target.case()),
                        description: text.clone(),
                        immediate_action: None,
                        source: DeviationSource::Staff,
                        risk: None,
                    }),
                    None,
                    &a,
                    now,
                )
                .unwrap();
                s.execute_quality(
                    &QualityCommand::ReportLexSarah(LexSarahReported {
                        lex_sarah: Self::lex_sarah(target),
                        unit: unit.clone(),
                        assignee: None,
                        occurred_on: today,
                        case: Some(target.case()),
                        description: text.clone(),
                        immediate_action: None,
                        from_deviation: None,
                        risk: None,
                    }),
                    None,
                    &a,
                    now,
                )
                .unwrap();
                s.execute_quality(
                    &QualityCommand::ReceiveComplaint(ComplaintReceived {
                        complaint: Self::complaint(target),
                        kind: ComplaintKind::Complaint,
                        source: ComplaintSource::User,
                        subject: ComplaintSubject::Treatment,
                        received_on: today,
                        unit,
                        assignee: None,
                        case: Some(target.case()),
                        description: text,
                        contact: Some("Via brev".into()),
                    }),
                    None,
                    &a,
                    now,
                )
                .unwrap();
            }
            let kim = actor("kim", Role::QualityDeveloper);
            s.execute_quality(
                &QualityCommand::RegisterRisk(RiskRegistered {
                    risk: Self::RISK,
                    title: "Förhandsbedömningar över 14 dagar".into(),
                    description: "Hög inströmning".into(),
                    process: "Förhandsbedömning".into(),
                    unit: None,
                    score: RiskScore { severity: 3, probability: 3 },
                }),
                None,
                &kim,
                now,
            )
            .unwrap();
            s.execute_quality(
                &QualityCommand::AdoptControlPlan(ControlPlanAdopted {
                    plan: Self::PLAN,
                    year: 2026,
                    adopted_on: today,
                    board_reference: "SN 2026-03-03 § 14".into(),
                    moments: vec![ControlMoment {
                        moment: 0,
                        risk: Self::RISK,
                        control: "Stickprov av 20 förhandsbedömningar".into(),
                        method: "Stickprov".into(),
                        owner: StaffId::parse("ulf").unwrap(),
                        due: today + chrono::Duration::days(60),
                    }],
                }),
                None,
                &kim,
                now,
            )
            .unwrap();
            s.execute_quality(
                &QualityCommand::DefineSurvey(SurveyDefined {
                    survey: Self::SURVEY,
                    name: "Brukarenkät 2026".into(),
                    units: vec![UnitId::parse("utredning-1").unwrap(), UnitId::parse("utredning-2").unwrap()],
                    from: today,
                    to: today + chrono::Duration::days(90),
                    scale_max: 10,
                    questions: vec![
                        SurveyQuestion { text: "Fick du det stöd du behövde?".into(), nki: true },
                        SurveyQuestion { text: "Blev du väl bemött?".into(), nki: true },
                    ],
                }),
                None,
                &kim,
                now,
            )
            .unwrap();
        })
        .await
        .unwrap();
    }

    /// Whether `role` (the matrix's user of it) sees the target's deviation, lex Sarah
    /// matter and complaint at all (full or pseudonymised), by the fixture: the reporter,
    /// the managers over the unit, quality staff and auditors.
    pub fn reads(role: Role, t: Target) -> bool {
        use Target::*;
        match role {
            Role::Registrar => t == Intake,
            Role::Handler => t == OwnUnit,
            Role::TeamLeader => t == Protected,
            Role::UnitManager => matches!(t, OwnUnit | Protected),
            Role::AreaManager => t != OtherUnit,
            Role::HeadOfAdministration | Role::QualityDeveloper | Role::Auditor => true,
            _ => false,
        }
    }

    /// Whether `role` may act in the target's matter of kind `stem` (full view): readers
    /// but not the auditor, and quality staff only where they have a part (the lex Sarah
    /// matters are assigned to them).
    pub fn writes(role: Role, t: Target, stem: &str) -> bool {
        match role {
            Role::Auditor => false,
            Role::QualityDeveloper => stem == "lex_sarah",
            _ => Self::reads(role, t),
        }
    }

    /// Risks, control plans and surveys: managers, quality staff and auditors (and the
    /// owner of the plan's moment, `ulf`, a manager).
    pub fn reads_org(role: Role) -> bool {
        matches!(
            role,
            Role::UnitManager | Role::AreaManager | Role::HeadOfAdministration | Role::QualityDeveloper | Role::Auditor
        )
    }
}

// ------------------------------------------------------------------ helpers

fn today(t: &TestApp) -> chrono::NaiveDate {
    skyndsam_domain::calendar::local_date(t.clock.now_utc())
}

async fn act(t: &TestApp, token: &str, path: &str, version: u64, data: Value) -> crate::harness::Resp {
    t.post(Some(token), path, &json!({"expected_version": version, "data": data})).await
}

/// The journal's length, off the async threads (the PostgreSQL driver blocks).
async fn journal(t: &TestApp) -> u64 {
    let app = t.app.clone();
    tokio::task::spawn_blocking(move || app.store.count().unwrap()).await.unwrap()
}

async fn access_log(t: &TestApp) -> Vec<skyndsam_store::security::AccessRecord> {
    let app = t.app.clone();
    tokio::task::spawn_blocking(move || app.security.with(|b| b.access_log(&Default::default())).unwrap())
        .await
        .unwrap()
}

fn version(r: &crate::harness::Resp) -> u64 {
    r.json["version"].as_u64().unwrap_or_else(|| panic!("no version: {}", r.body))
}

fn texts(detail: &Value) -> Vec<String> {
    detail["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| e["fields"].as_array().unwrap().iter())
        .filter(|f| f["free_text"] == true)
        .map(|f| f["value"].as_str().unwrap().to_owned())
        .collect()
}

const WHAT: &str = "Anmälan från skolan låg oskannad i sex dagar innan den kopplades till handläggare.";

// ------------------------------------------------------------------ deviations

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deviation_walks_from_report_to_locked_and_the_reporter_reads_the_feedback() {
    deviation_walk(TestApp::spawn().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deviation_walks_from_report_to_locked_on_postgres() {
    let Some(t) = TestApp::spawn_postgres().await else { return };
    deviation_walk(t).await;
}

async fn deviation_walk(t: TestApp) {
    let d = today(&t);
    let rita = t.login("rita").await;
    let ulf = t.login("ulf").await;
    let tove = t.login("tove").await;

    // The registrar reports from the intake case, for the investigation unit.
    let r = t
        .post(
            Some(&rita),
            "/api/deviations",
            &json!({"unit": "utredning-1", "occurred_on": d, "category": "registrering", "direction": "internal",
                    "case": Target::Intake.case(), "description": WHAT, "risk": {"severity": 2, "probability": 2}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json["id"].as_str().unwrap().to_owned();
    let path = format!("/api/deviations/{id}");

    // Assigned to the unit's manager, with the six-week clock on his list.
    let got = t.get(Some(&ulf), &path).await;
    assert_eq!(got.status, 200, "{}", got.body);
    assert_eq!(got.json["view"], "full");
    assert_eq!(got.json["access_basis"], "own_case", "the assignee has a part in it");
    assert_eq!(got.json["state"]["data"]["assignee"], "ulf");
    assert_eq!(got.json["status"], "reported");
    let clock = &got.json["deadlines"][0];
    assert_eq!(clock["kind"]["kind"], "deviation_investigation");
    assert_eq!(clock["last_day"], (d + chrono::Duration::days(42)).to_string());
    assert_eq!(clock["owner"], "ulf");
    assert!(texts(&got.json).iter().any(|x| x == WHAT));
    let book = t.get(Some(&ulf), "/api/quality/deadlines?mine=true").await;
    assert!(book.body.contains(&id), "on ulf's quality book: {}", book.body);

    // The investigation: the routine's four questions.
    let inv = json!({"what_happened": "Handlingen skannades men kopplades inte.", "failures": "Ingen läste posten under frånvaro.",
                     "causes": "Hög inströmning, ingen rutin vid frånvaro.", "measures": "Reservläsare varje dag.",
                     "recurrence_prevented": true});
    let r = act(&t, &ulf, &format!("{path}/investigation"), 1, inv.clone()).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(version(&r), 2);
    // A stale version: 409 with the current one, nothing written.
    let before = journal(&t).await;
    let r = act(&t, &ulf, &format!("{path}/investigation"), 1, inv).await;
    assert_eq!((r.status, r.code()), (409, "CONFLICT"), "{}", r.body);
    assert_eq!(r.json["current_version"], 2);
    assert_eq!(journal(&t).await, before);

    // A measure with an owner and a date; the owner marks it done.
    let due = d + chrono::Duration::days(14);
    let r = act(
        &t,
        &ulf,
        &format!("{path}/measures"),
        2,
        json!({"description": "Reservläsare av posten varje dag", "owner": "tove", "due": due}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let mine = t.get(Some(&tove), "/api/quality/deadlines?mine=true").await;
    assert!(mine.body.contains("\"measure\"") && mine.body.contains(&id), "tove owns measure 1: {}", mine.body);
    // Locking before the reporter has had feedback is refused.
    let r = act(&t, &ulf, &format!("{path}/lock"), 3, json!({"summary": "Klar."})).await;
    assert_eq!((r.status, r.code()), (422, "INCOMPLETE"), "{}", r.body);
    let r = act(&t, &tove, &format!("{path}/measure-completion"), 3, json!({"measure": 1, "completed_on": d})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    // Done: the measure's clock has left tove's list.
    let mine = t.get(Some(&tove), "/api/quality/deadlines?mine=true").await;
    assert!(!mine.body.contains(&id), "tove's only clock on it is met: {}", mine.body);
    let r = act(
        &t,
        &ulf,
        &format!("{path}/follow-ups"),
        4,
        json!({"text": "Posten läses varje dag; inga fler sena kopplingar.", "effect": "achieved"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let feedback = "Tack! Vi har infört en reservläsare av posten varje dag.";
    let r = act(&t, &ulf, &format!("{path}/feedback"), 5, json!({"text": feedback, "channel": "in_app"})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = act(&t, &ulf, &format!("{path}/lock"), 6, json!({"summary": "Utredd, åtgärdad och följd upp."})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    // Every clock met: the matter has left the quality book.
    let book = t.get(Some(&ulf), "/api/quality/deadlines").await;
    assert_eq!(book.status, 200, "{}", book.body);
    assert!(!book.body.contains(&id), "{}", book.body);

    // Locked: a change is refused; a later addition is a new entry.
    let r =
        act(&t, &ulf, &format!("{path}/measures"), 7, json!({"description": "Ännu en", "owner": "tove", "due": due}))
            .await;
    assert_eq!((r.status, r.code()), (422, "LOCKED"), "{}", r.body);
    let r = act(&t, &ulf, &format!("{path}/notes"), 7, json!({"text": "Rutinen gäller nu hela förvaltningen."})).await;
    assert_eq!(r.status, 200, "{}", r.body);

    // The reporter reads the feedback; the read of a deviation linked to a case is logged
    // as a read of the case's child.
    let before = access_log(&t).await.len();
    let got = t.get(Some(&rita), &path).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.json["status"], "locked");
    assert_eq!(got.json["access_basis"], "own_case");
    assert!(texts(&got.json).iter().any(|x| x == feedback), "{}", got.body);
    let log = access_log(&t).await;
    assert_eq!(log.len(), before + 1);
    let last = &log.last().unwrap().entry;
    assert_eq!((last.staff.as_str(), last.person, last.case), ("rita", DORA, Some(Target::Intake.case())));
    assert_eq!(last.action, AccessAction::ReadCase);
    // The clock stopped in time.
    assert_eq!(got.json["deadlines"][0]["state"], "met");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_external_deviation_is_sent_on_and_its_answer_recorded() {
    let t = TestApp::spawn().await;
    let d = today(&t);
    let hanna = t.login("hanna").await;
    let ulf = t.login("ulf").await;
    let r = t
        .post(
            Some(&hanna),
            "/api/deviations",
            &json!({"unit": "utredning-1", "occurred_on": d, "category": "samverkan", "direction": "external_outgoing",
                    "external_body": "Barn- och utbildningsförvaltningen",
                    "description": "Skolan skickade orosanmälan tre veckor för sent."}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    // An external deviation without the other body is refused at its field, nothing written.
    let journal = t.journal_count();
    let bad = t
        .post(
            Some(&hanna),
            "/api/deviations",
            &json!({"unit": "utredning-1", "occurred_on": d, "category": "samverkan", "direction": "external_outgoing",
                    "description": "x"}),
        )
        .await;
    assert_eq!((bad.status, bad.json["field"].as_str()), (422, Some("external_body")), "{}", bad.body);
    assert_eq!(t.journal_count(), journal);

    let path = format!("/api/deviations/{}", r.json["id"].as_str().unwrap());
    let r = act(
        &t,
        &ulf,
        &format!("{path}/forwarding"),
        1,
        json!({"to_body": "Barn- och utbildningsförvaltningen", "contact": "bou@kommun.example", "sent_on": d}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let got = t.get(Some(&ulf), &path).await;
    assert_eq!(got.json["status"], "forwarded");
    assert_eq!(got.json["deadlines"][0]["state"], "met", "the six weeks stop when it is sent on");
    let r =
        act(&t, &ulf, &format!("{path}/external-answer"), 2, json!({"received_on": d, "text": "Rutinen ses över."}))
            .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r =
        act(&t, &ulf, &format!("{path}/feedback"), 3, json!({"text": "Skickad till BoU.", "channel": "in_app"})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = act(&t, &ulf, &format!("{path}/lock"), 4, json!({"summary": "Utreds av BoU."})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    // An internal one cannot be sent on.
    let r = t
        .post(
            Some(&hanna),
            "/api/deviations",
            &json!({"unit": "utredning-1", "occurred_on": d, "category": "rutin", "direction": "internal", "description": "x"}),
        )
        .await;
    let internal = format!("/api/deviations/{}/forwarding", r.json["id"].as_str().unwrap());
    let r = act(&t, &ulf, &internal, 1, json!({"to_body": "BoU", "contact": "x", "sent_on": d})).await;
    assert_eq!((r.status, r.code()), (422, "WRONG_STATE"), "{}", r.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deviation_escalated_to_lex_sarah_keeps_its_history_and_the_lex_sarah_reaches_ivo() {
    let t = TestApp::spawn().await;
    let d = today(&t);
    let hanna = t.login("hanna").await;
    let ulf = t.login("ulf").await;
    let kim = t.login("kim").await;
    let anna = t.login("anna").await;
    let r = t
        .post(
            Some(&hanna),
            "/api/deviations",
            &json!({"unit": "utredning-1", "occurred_on": d, "category": "tidsfrister", "direction": "internal",
                    "case": Target::OwnUnit.case(), "description": "Barnet fick ingen skyddsbedömning över helgen."}),
        )
        .await;
    let dev = r.json["id"].as_str().unwrap().to_owned();
    let path = format!("/api/deviations/{dev}");
    // The risk matrix recommends lex Sarah for this reading.
    let m = t.get(Some(&ulf), "/api/quality/risk-matrix?severity=4&probability=2").await;
    assert_eq!(m.json["assessment"]["recommendation"], "lex_sarah", "{}", m.body);
    assert_eq!(m.json["cells"].as_array().unwrap().len(), 16);
    let m = t.get(Some(&ulf), "/api/quality/risk-matrix?severity=2&probability=2").await;
    assert_eq!(m.json["assessment"]["recommendation"], "deviation");
    let m = t.get(Some(&ulf), "/api/quality/risk-matrix?severity=5&probability=2").await;
    assert_eq!((m.status, m.json["field"].as_str()), (422, Some("severity")));

    let r = act(
        &t,
        &ulf,
        &format!("{path}/escalation"),
        1,
        json!({"reason": "Möjligt missförhållande: ingen skyddsbedömning.", "risk": {"severity": 4, "probability": 2}}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let ls = r.json["created"].as_str().unwrap().to_owned();

    // The deviation keeps its history and says where it went; it takes no more acts.
    let got = t.get(Some(&hanna), &path).await;
    assert_eq!(got.json["status"], "escalated");
    assert_eq!(got.json["state"]["data"]["escalated_to"], ls.as_str());
    let types: Vec<&str> =
        got.json["timeline"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["deviation_reported", "deviation_escalated"]);
    let r = act(
        &t,
        &ulf,
        &format!("{path}/investigation"),
        2,
        json!({"what_happened": "x", "failures": "x", "causes": "x", "measures": "x", "recurrence_prevented": false}),
    )
    .await;
    assert_eq!((r.status, r.code()), (422, "WRONG_STATE"), "{}", r.body);

    // The lex Sarah matter links back and lands with the lex Sarah investigator (quality).
    let lpath = format!("/api/lex-sarah/{ls}");
    let got = t.get(Some(&kim), &lpath).await;
    assert_eq!(got.status, 200, "{}", got.body);
    assert_eq!(got.json["view"], "full");
    assert_eq!(got.json["state"]["data"]["from_deviation"], dev.as_str());
    assert_eq!(got.json["state"]["data"]["assignee"], "kim");

    // SKR's structure; the classification is the delegate's, not the handler's.
    let inv = json!({"course_of_events": "Anmälan kom fredag kväll.", "consequences": "Barnet kan ha varit utan skydd.",
                     "causes": "Ingen bemanning av mottagningen under helgen.", "immediate_measures": "Jourrutin.",
                     "users_view": "Vårdnadshavaren har inte nåtts.", "staff_view": "Personalen bekräftar.",
                     "analysis": "Påtaglig risk."});
    let r = act(&t, &kim, &format!("{lpath}/investigation"), 1, inv).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let classify = json!({"classification": "substantial_risk_of_serious", "motivation": "Barnet var utan skyddsbedömning.", "decided_on": d});
    let r = act(&t, &kim, &format!("{lpath}/classification"), 2, classify.clone()).await;
    assert_eq!((r.status, r.code()), (403, "NOT_AUTHORISED"), "{}", r.body);
    let r = act(&t, &anna, &format!("{lpath}/classification"), 2, classify).await;
    assert_eq!(r.status, 200, "{}", r.body);
    // The IVO clock runs from the classification.
    let got = t.get(Some(&anna), &lpath).await;
    let ivo =
        got.json["deadlines"].as_array().unwrap().iter().find(|x| x["kind"]["kind"] == "ivo_report").unwrap().clone();
    assert_eq!(ivo["last_day"], (d + chrono::Duration::days(14)).to_string());
    assert_eq!(ivo["owner"], "kim");
    // Closing before the report to IVO is refused.
    let r = act(&t, &anna, &format!("{lpath}/close"), 3, json!({"summary": "x"})).await;
    assert_eq!((r.status, r.code()), (422, "INCOMPLETE"), "{}", r.body);
    let r = act(
        &t,
        &anna,
        &format!("{lpath}/ivo-report"),
        3,
        json!({"sent_on": d, "summary": "Påtaglig risk för allvarligt missförhållande: ingen skyddsbedömning."}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = act(
        &t,
        &kim,
        &format!("{lpath}/measures"),
        4,
        json!({"description": "Helgbemanning av mottagningen", "owner": "ulf", "due": d + chrono::Duration::days(30)}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = act(&t, &anna, &format!("{lpath}/close"), 5, json!({"summary": "Anmäld till IVO, åtgärd beslutad."})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let got = t.get(Some(&kim), &lpath).await;
    assert_eq!(got.json["status"], "closed");
    let ivo =
        got.json["deadlines"].as_array().unwrap().iter().find(|x| x["kind"]["kind"] == "ivo_report").unwrap().clone();
    assert_eq!(ivo["state"], "met");

    // The counts of the period: one deviation escalated, one lex Sarah per classification, one to IVO.
    let s = t.get(Some(&kim), &format!("/api/quality/stats?from={d}&to={d}")).await;
    assert_eq!(s.status, 200, "{}", s.body);
    assert_eq!(s.json["counts"]["deviations_escalated"], 1);
    assert_eq!(s.json["counts"]["lex_sarah_by_classification"]["substantial_risk_of_serious"], 1);
    assert_eq!(s.json["counts"]["lex_sarah_reported_to_ivo"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lex_sarah_report_is_refused_from_a_deviation_id_and_classified_only_after_investigation() {
    let t = TestApp::spawn().await;
    let d = today(&t);
    let hanna = t.login("hanna").await;
    let anna = t.login("anna").await;
    let r = t
        .post(
            Some(&hanna),
            "/api/lex-sarah",
            &json!({"unit": "utredning-1", "occurred_on": d, "description": "Ett beslut verkställdes inte."}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let lpath = format!("/api/lex-sarah/{}", r.json["id"].as_str().unwrap());
    let r = act(
        &t,
        &anna,
        &format!("{lpath}/classification"),
        1,
        json!({"classification": "impropriety", "motivation": "x", "decided_on": d}),
    )
    .await;
    assert_eq!((r.status, r.code(), r.json["field"].as_str()), (422, "INCOMPLETE", Some("classification")));
    // Unknown fields are refused (strict bodies).
    let r = t
        .post(
            Some(&hanna),
            "/api/lex-sarah",
            &json!({"unit": "utredning-1", "occurred_on": d, "description": "x", "from_deviation": uuid::Uuid::new_v4()}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.json["message"].as_str().unwrap().contains("Okänt fält"));
}

// ------------------------------------------------------------------ complaints

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_complaint_is_contacted_answered_and_closed_and_an_anonymous_one_cannot_be_answered() {
    let t = TestApp::spawn().await;
    let d = today(&t);
    let rita = t.login("rita").await;
    let ulf = t.login("ulf").await;
    let r = t
        .post(
            Some(&rita),
            "/api/complaints",
            &json!({"kind": "complaint", "source": "relative", "subject": "treatment", "received_on": d,
                    "unit": "utredning-1", "description": "Mormor tycker att hon blev illa bemött.", "contact": "070-000 00 00"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let path = format!("/api/complaints/{}", r.json["id"].as_str().unwrap());
    let got = t.get(Some(&ulf), &path).await;
    let clock = &got.json["deadlines"][0];
    assert_eq!(clock["kind"]["kind"], "complaint_answer");
    assert_eq!(clock["last_day"], (d + chrono::Duration::days(14)).to_string());
    let r = act(&t, &ulf, &format!("{path}/close"), 1, json!({"summary": "x"})).await;
    assert_eq!((r.status, r.code()), (422, "INCOMPLETE"));
    let r = act(&t, &ulf, &format!("{path}/contact"), 1, json!({"on": d, "text": "Ringde mormor."})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = act(&t, &ulf, &format!("{path}/answer"), 2, json!({"on": d, "text": "Vi ber om ursäkt."})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = act(&t, &ulf, &format!("{path}/close"), 3, json!({"summary": "Besvarad."})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(t.get(Some(&ulf), &path).await.json["status"], "closed");

    let r = t
        .post(
            Some(&rita),
            "/api/complaints",
            &json!({"kind": "complaint", "source": "anonymous", "subject": "handling", "received_on": d,
                    "unit": "utredning-1", "description": "Det tar för lång tid."}),
        )
        .await;
    let path = format!("/api/complaints/{}", r.json["id"].as_str().unwrap());
    let r = act(&t, &ulf, &format!("{path}/answer"), 1, json!({"on": d, "text": "x"})).await;
    assert_eq!((r.status, r.code()), (422, "WRONG_STATE"), "{}", r.body);
    let r = act(&t, &ulf, &format!("{path}/close"), 1, json!({"summary": "Anonym, noterad."})).await;
    assert_eq!(r.status, 200, "{}", r.body);

    let s = t.get(Some(&ulf), "/api/quality/stats").await;
    assert_eq!(s.json["counts"]["complaints_received"], 2);
    assert_eq!(s.json["counts"]["complaints_by_source"]["relative"], 1);
    assert_eq!(s.json["counts"]["complaints_by_subject"]["treatment"], 1);
}

// ------------------------------------------------------------------ internal control and surveys

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn internal_control_runs_from_risk_register_to_report_to_the_board() {
    let t = TestApp::spawn().await;
    let d = today(&t);
    let kim = t.login("kim").await;
    let ulf = t.login("ulf").await;
    let hanna = t.login("hanna").await;
    let r = t
        .post(
            Some(&kim),
            "/api/risks",
            &json!({"title": "Insatser löper ut utan nytt beslut", "description": "Beslut förnyas inte i tid.",
                    "process": "Verkställighet", "score": {"severity": 3, "probability": 4}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let risk = r.json["id"].as_str().unwrap().to_owned();
    let list = t.get(Some(&ulf), "/api/risks").await;
    assert_eq!(list.json[0]["value"], 12);
    assert_eq!(list.json[0]["level_sv"], "hög");
    // A handler may not change the register.
    let r = act(
        &t,
        &hanna,
        &format!("/api/risks/{risk}/reassessment"),
        1,
        json!({"score": {"severity": 1, "probability": 1}, "comment": "x"}),
    )
    .await;
    assert_eq!(r.status, 403);
    let r = act(
        &t,
        &ulf,
        &format!("/api/risks/{risk}/reassessment"),
        1,
        json!({"score": {"severity": 3, "probability": 2}, "comment": "Bevakning infördes."}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);

    let r = t
        .post(
            Some(&kim),
            "/api/control-plans",
            &json!({"year": 2026, "adopted_on": d, "board_reference": "SN 2026-03-03 § 14",
                    "moments": [{"risk": risk, "control": "Stickprov av insatser", "method": "Stickprov 20 ärenden",
                                 "owner": "ulf", "due": d + chrono::Duration::days(60)}]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let plan = format!("/api/control-plans/{}", r.json["id"].as_str().unwrap());
    // The moment's clock is on its owner's list.
    let mine = t.get(Some(&ulf), "/api/quality/deadlines?mine=true").await;
    assert!(mine.body.contains("control_moment"), "{}", mine.body);
    let r = act(&t, &kim, &format!("{plan}/report"), 1, json!({"on": d, "text": "x"})).await;
    assert_eq!((r.status, r.code()), (422, "INCOMPLETE"), "{}", r.body);
    let r = act(
        &t,
        &ulf,
        &format!("{plan}/results"),
        1,
        json!({"moment": 1, "on": d, "result": "3 av 20 utan beslut.", "remarks": true}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = act(
        &t,
        &kim,
        &format!("{plan}/measures"),
        2,
        json!({"description": "Bevakningslista för insatser", "owner": "ulf", "due": d + chrono::Duration::days(30)}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = act(
        &t,
        &kim,
        &format!("{plan}/report"),
        3,
        json!({"on": d, "text": "Ett moment med anmärkning; åtgärd beslutad."}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let got = t.get(Some(&kim), &plan).await;
    assert_eq!(got.json["status"], "reported");
    // A handler neither owns nor manages it: it does not exist for her.
    assert_eq!(t.get(Some(&hanna), &plan).await.status, 404);
    let s = t.get(Some(&kim), "/api/quality/stats").await;
    assert_eq!(s.json["counts"]["control_moments_with_remarks"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn survey_responses_are_imported_from_csv_all_or_nothing_with_row_numbered_errors() {
    let t = TestApp::spawn().await;
    let d = today(&t);
    let kim = t.login("kim").await;
    let ulf = t.login("ulf").await;
    let r = t
        .post(
            Some(&kim),
            "/api/surveys",
            &json!({"name": "Brukarenkät våren 2026", "units": ["utredning-1", "utredning-2"], "from": d,
                    "to": d + chrono::Duration::days(60), "scale_max": 10,
                    "questions": [{"text": "Fick du hjälp?", "nki": true}, {"text": "Blev du lyssnad på?", "nki": true},
                                  {"text": "Vad kan bli bättre?", "nki": false}]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let path = format!("/api/surveys/{}", r.json["id"].as_str().unwrap());
    let r = act(
        &t,
        &ulf,
        &format!("{path}/invitations"),
        1,
        json!({"invited": [{"unit": "utredning-1", "sex": "female", "count": 4}, {"unit": "utredning-1", "sex": "male", "count": 4}]}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);

    // Bad rows: every one named by its row, nothing written.
    let journal = t.journal_count();
    let bad =
        "enhet;kön;f1;f2;f3\nutredning-1;K;10;10;\nutredning-1;X;5;5;5\nutredning-2;M;1;1;1\nutredning-1;M;11;;\n";
    let r = act(&t, &ulf, &format!("{path}/responses-csv"), 2, json!({"file_name": "svar.csv", "csv": bad})).await;
    assert_eq!((r.status, r.json["field"].as_str()), (422, Some("csv")), "{}", r.body);
    let m = r.json["message"].as_str().unwrap();
    assert!(m.contains("Rad 3: kön") && m.contains("Rad 4: du kan inte") && m.contains("Rad 5, fråga 1"), "{m}");
    assert!(!m.contains("Rad 2"), "row 2 is good: {m}");
    assert_eq!(t.journal_count(), journal);

    let good = "enhet;kön;f1;f2;f3\nutredning-1;K;10;10;\nutredning-1;K;1;1;5\nutredning-1;M;7;;3\n";
    let r = act(&t, &ulf, &format!("{path}/responses-csv"), 2, json!({"file_name": "svar.csv", "csv": good})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let got = t.get(Some(&ulf), &path).await;
    let rows = got.json["survey_results"].as_array().unwrap();
    let girls = rows.iter().find(|x| x["unit"] == "utredning-1" && x["sex"] == "female").unwrap();
    assert_eq!(girls["responses"], 2);
    assert_eq!(girls["response_rate"], 0.5);
    assert_eq!(girls["nki"], 50.0, "(100 + 0) / 2");
    let boys = rows.iter().find(|x| x["unit"] == "utredning-1" && x["sex"] == "male").unwrap();
    assert_eq!(boys["nki"], Value::Null, "the boy skipped an NKI question");
    // A handler is not one who enters survey responses.
    let hanna = t.login("hanna").await;
    let r = act(&t, &hanna, &format!("{path}/responses-csv"), 3, json!({"file_name": "x.csv", "csv": good})).await;
    assert_eq!(r.status, 403);
}

// ------------------------------------------------------------------ need-to-know

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_not_involved_cannot_read_or_guess_a_deviation_and_the_auditor_gets_no_text() {
    let t = TestApp::spawn().await;
    QualityTargets::seed(&t).await;
    let hugo = t.login("hugo").await;
    let rut = t.login("rut").await;
    let tove = t.login("tove").await;
    let own = QualityTargets::deviation(Target::OwnUnit);

    // Another area's handler: the deviation answers exactly as an id that does not exist.
    let seen = t.get(Some(&hugo), &format!("/api/deviations/{own}")).await;
    let none = t.get(Some(&hugo), &format!("/api/deviations/{}", uuid::Uuid::new_v4())).await;
    assert_eq!((seen.status, none.status), (404, 404));
    assert_eq!(seen.json["message"], none.json["message"]);
    assert_eq!(seen.code(), none.code());
    let refused = t.security_log().iter().filter(|r| r.entry.detail.contains(&own.to_string())).count();
    assert_eq!(refused, 1, "the guess is in the security log");
    // … and acting on it too, whatever the body.
    let r = act(&t, &hugo, &format!("/api/deviations/{own}/notes"), 1, json!({"text": "x"})).await;
    assert_eq!(r.status, 404);
    // Not in his list either.
    let list = t.get(Some(&hugo), "/api/deviations").await;
    assert!(!list.body.contains(&own.to_string()));
    assert!(list.body.contains(&QualityTargets::deviation(Target::OtherUnit).to_string()), "his own report is");

    // The auditor: codes, dates and statuses, no text.
    let got = t.get(Some(&rut), &format!("/api/deviations/{own}")).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.json["view"], "pseudonymised");
    assert!(texts(&got.json).is_empty());
    assert!(got.json["timeline"][0]["data"].is_null());
    assert!(!got.body.contains("oskannad"), "{}", got.body);
    assert_eq!(got.json["timeline"][0]["title"], "Avvikelse rapporterad");
    // The auditor may not act, even on what she sees.
    let r = act(&t, &rut, &format!("/api/deviations/{own}/notes"), 1, json!({"text": "x"})).await;
    assert_eq!(r.status, 403);

    // The protected child's name is scrubbed from the text for a reader who may not see it.
    let p = QualityTargets::deviation(Target::Protected);
    let got = t.get(Some(&tove), &format!("/api/deviations/{p}")).await;
    assert_eq!(got.status, 200);
    assert!(!crate::matrix::leaks_protected(&got.body), "{}", got.body);
    assert!(got.body.contains("[skyddad uppgift]"));
    let log = t.access_log();
    let last = &log.last().unwrap().entry;
    assert_eq!((last.person, last.case), (NOAH, Some(Target::Protected.case())));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counts_and_trends_are_narrowed_to_the_callers_units() {
    let t = TestApp::spawn().await;
    QualityTargets::seed(&t).await;
    let ulf = t.login("ulf").await;
    let kim = t.login("kim").await;
    let hanna = t.login("hanna").await;
    let all = t.get(Some(&kim), "/api/quality/stats").await;
    assert_eq!(all.json["counts"]["deviations_reported"], 4, "{}", all.body);
    let mine = t.get(Some(&ulf), "/api/quality/stats").await;
    assert_eq!(mine.json["counts"]["deviations_reported"], 2, "utredning-1 only: {}", mine.body);
    assert_eq!(mine.json["counts"]["deviations_by_unit_category"]["utredning-1"]["registrering"], 2);
    assert_eq!(t.get(Some(&ulf), "/api/quality/stats?unit=utredning-2").await.status, 404);
    let one = t.get(Some(&kim), "/api/quality/stats?unit=utredning-2").await;
    assert_eq!(one.json["counts"]["deviations_reported"], 1);
    let trend = t.get(Some(&kim), "/api/quality/trend?from=2026-01-01&to=2026-03-31").await;
    let months = trend.json.as_array().unwrap();
    assert_eq!(months.len(), 3);
    assert_eq!(months[2]["month"], "2026-03");
    assert_eq!(months[2]["deviations"], 4);
    assert_eq!(months[2]["lex_sarah"], 4);
    assert_eq!(months[2]["complaints"], 4);
    let bad = t.get(Some(&kim), "/api/quality/stats?from=2026-03-01&to=2026-01-01").await;
    assert_eq!((bad.status, bad.json["field"].as_str()), (422, Some("from")));
    // Handlers do not get the aggregates.
    assert_eq!(t.get(Some(&hanna), "/api/quality/stats").await.status, 403);
}

// ------------------------------------------------------------------ the detection sweep

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_servers_sweep_opens_each_detection_once_and_logs_counts_only() {
    let t = TestApp::spawn().await;
    // Seventeen days: every open preliminary assessment is past its 14 days.
    t.clock.advance(chrono::Duration::days(17));
    let before = t.app.store.projections().matters().count();
    let task = skyndsam_web::quality::start_sweeps(t.app.clone(), std::time::Duration::from_millis(200));
    let mut opened = 0;
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        opened = t.app.store.projections().matters().count() - before;
        if opened >= 4 {
            break;
        }
    }
    // Let it sweep a few more times: nothing new.
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    task.abort();
    let detected: Vec<_> = {
        let p = t.app.store.projections();
        p.matters()
            .filter_map(|m| match m {
                skyndsam_domain::quality::Matter::Deviation(d) => d.detection,
                _ => None,
            })
            .collect()
    };
    assert_eq!(opened, 4, "one per open case");
    assert_eq!(detected.len(), 4);
    assert!(detected.iter().all(|d| *d == DetectionKind::PreliminaryLateWithoutReason));
    let logs = String::from_utf8_lossy(&captured_logs().lock().unwrap()).into_owned();
    assert!(logs.contains("detection sweep") && logs.contains("opened=4"), "the count is logged");
    assert!(!logs.contains(NOAH_NAME) && !logs.contains("Elsa"), "no personal data in the log");

    // The unit manager sees the detected deviations of his unit on his list.
    let ulf = t.login("ulf").await;
    let list = t.get(Some(&ulf), "/api/deviations").await;
    assert_eq!(
        list.json.as_array().unwrap().iter().filter(|x| x["detection"] == "preliminary_late_without_reason").count(),
        2
    );
}

/// The trend's self-inspection series (decision 0014) against `checks::inspect` run here,
/// case by case: March's cases, answered as of today, the record's questions only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_trends_self_inspection_is_the_checks_of_the_months_cases_per_unit() {
    use skyndsam_domain::checks::{inspect, Questionnaire, Reply};
    let t = TestApp::spawn().await;
    let kim = t.login("kim").await;
    let ulf = t.login("ulf").await;
    let today = skyndsam_domain::calendar::local_date(t.clock.now_utc());
    let expected = {
        let app = t.app.clone();
        tokio::task::spawn_blocking(move || {
            let q = Questionnaire::defaults().unwrap();
            let p = app.store.projections();
            let mut per_unit: std::collections::BTreeMap<String, (u32, u32, u32)> = Default::default();
            for c in p.all_cases() {
                let events = app.store.read_stream(&c.case.stream()).unwrap();
                let Some(i) = inspect(&events, p.rules(), &p.org, &q, today) else { continue };
                if i.received_on.format("%Y-%m").to_string() != "2026-03" {
                    continue;
                }
                let e = per_unit.entry(i.unit.to_string()).or_default();
                for a in i.answers.iter().filter(|a| a.auto) {
                    match a.answer {
                        Reply::Yes => e.0 += 1,
                        Reply::No => e.1 += 1,
                        Reply::NotApplicable => e.2 += 1,
                    }
                }
            }
            per_unit
        })
        .await
        .unwrap()
    };
    assert!(!expected.is_empty(), "the seed has cases received in March");
    let trend = t.get(Some(&kim), "/api/quality/trend?from=2026-02-01&to=2026-03-31").await;
    assert_eq!(trend.status, 200, "{}", trend.body);
    let months = trend.json.as_array().unwrap();
    // February has no cases: a zero total, no share, no units.
    assert_eq!(months[0]["self_inspection"]["yes"], 0);
    assert!(months[0]["self_inspection"]["share_yes"].is_null());
    let march = &months[1];
    let (mut yes, mut no) = (0, 0);
    for (unit, (y, n, na)) in &expected {
        let got = &march["self_inspection_by_unit"][unit];
        assert_eq!((got["yes"].as_u64(), got["no"].as_u64()), (Some(*y as u64), Some(*n as u64)), "{unit}");
        assert_eq!(got["not_applicable"].as_u64(), Some(*na as u64));
        if y + n > 0 {
            let share = got["share_yes"].as_f64().unwrap();
            assert!((share - f64::from(*y) / f64::from(y + n)).abs() < 1e-9);
        }
        yes += y;
        no += n;
    }
    assert_eq!(march["self_inspection_by_unit"].as_object().unwrap().len(), expected.len());
    assert_eq!(
        (march["self_inspection"]["yes"].as_u64(), march["self_inspection"]["no"].as_u64()),
        (Some(yes as u64), Some(no as u64))
    );
    assert!(no > 0, "the seed's cases have something to fix: {}", march);
    // Ulf sees his units only.
    let mine = t.get(Some(&ulf), "/api/quality/trend?from=2026-03-01&to=2026-03-31").await;
    let units: Vec<String> = mine.json[0]["self_inspection_by_unit"].as_object().unwrap().keys().cloned().collect();
    assert!(units.iter().all(|u| u.starts_with("utredning-1")), "{units:?}");
    assert!(!units.iter().any(|u| u.starts_with("mottagning") || u.starts_with("utredning-2")));

    // The page: the series as a table behind the months, in Swedish.
    let mut c = crate::ui::UiClient::new(&t);
    c.login("kim").await;
    let page = c.get("/trender?fran=2026-02-01&till=2026-03-31").await;
    assert_eq!(page.status, 200, "{}", page.body);
    for s in ["Egenkontroll: andel Ja", "Egenkontroll: antal Nej", "Egenkontroll per enhet och månad"] {
        assert!(page.body.contains(s), "{s}");
    }
    let share = format!(
        "{:.0} % Ja, {no_u} Nej",
        100.0 * f64::from(expected["utredning-1"].0) / f64::from(expected["utredning-1"].0 + expected["utredning-1"].1),
        no_u = expected["utredning-1"].1
    );
    assert!(page.body.contains(&share), "{share}: {}", page.body);
}
