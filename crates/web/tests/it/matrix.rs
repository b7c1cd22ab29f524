//! The authorisation matrix: every route of the table × every role × four target records
//! (intake case, own unit's case, other area's case, protected child's case), with ids
//! guessed across scopes. The expectations below are written independently of the route
//! table; a route the table has and this file has no rule for fails the test.

use crate::harness::*;
use crate::quality_api::QualityTargets as Q;
use serde_json::{json, Value};
use skyndsam_domain::org::Role;
use skyndsam_web::routes::{table, ANYONE};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Exp {
    /// Passes the role gate and the scope (the handler or the domain judges the rest).
    Allow,
    /// Refused by the role gate (403 FORBIDDEN).
    Forbidden,
    /// Out of scope: answered exactly as if it did not exist (404 NOT_FOUND).
    NotFound,
    /// A collection: allowed, and the target case is (true) or is not (false) in it.
    Listed(bool),
}

/// Read access (full or pseudonymised) to the target's case, by the fixture's units.
pub fn reads(role: Role, t: Target) -> bool {
    use Target::*;
    match role {
        Role::Registrar => t == Intake,
        Role::Handler | Role::TeamLeader | Role::UnitManager => matches!(t, OwnUnit | Protected),
        Role::AreaManager => t != OtherUnit,
        Role::HeadOfAdministration | Role::QualityDeveloper | Role::Auditor => true,
        _ => false,
    }
}

/// Full access (may act in the case).
pub fn writes(role: Role, t: Target) -> bool {
    reads(role, t) && !matches!(role, Role::QualityDeveloper | Role::Auditor)
}

fn one_of(role: Role, roles: &[Role]) -> bool {
    roles.contains(&role)
}

pub const READERS: &[Role] = &[
    Role::Registrar,
    Role::Handler,
    Role::TeamLeader,
    Role::UnitManager,
    Role::AreaManager,
    Role::HeadOfAdministration,
    Role::QualityDeveloper,
    Role::Auditor,
];
pub const CASEWORKERS: &[Role] = &[
    Role::Registrar,
    Role::Handler,
    Role::TeamLeader,
    Role::UnitManager,
    Role::AreaManager,
    Role::HeadOfAdministration,
];
const REGISTRARS: &[Role] = &[Role::Registrar, Role::Handler, Role::TeamLeader, Role::UnitManager, Role::System];
const REVIEWERS: &[Role] = &[Role::UnitManager, Role::AreaManager, Role::HeadOfAdministration];
/// Roles that see a protected identity (the rule table's default).
pub const SEE_PROTECTED: &[Role] = &[Role::Registrar, Role::UnitManager];

fn gate(role: Role, roles: &[Role], then: Exp) -> Exp {
    if one_of(role, roles) {
        then
    } else {
        Exp::Forbidden
    }
}

fn expect(op: &str, role: Role, t: Target) -> Exp {
    let allow_if = |b: bool| if b { Exp::Allow } else { Exp::NotFound };
    match op {
        "me" | "list_tokens" | "logout" => Exp::Allow,
        "issue_token" | "security_log" => gate(role, &[Role::SystemAdministrator], Exp::Allow),
        // The target token belongs to the auditor; others do not see it exists.
        "revoke_token" => allow_if(matches!(role, Role::SystemAdministrator | Role::Auditor)),
        "register_person" | "register_actualisation" => gate(role, REGISTRARS, Exp::Allow),
        "search_person" => gate(role, CASEWORKERS, allow_if(t != Target::Protected || one_of(role, SEE_PROTECTED))),
        "get_case" | "get_person" | "get_self_inspection" => gate(role, READERS, allow_if(reads(role, t))),
        "grant_access" => gate(role, READERS, Exp::Allow),
        // Without a unit: refused as bad input past the gate.
        "self_inspection_summary" => gate(role, READERS, Exp::Allow),
        // Without a kpi: refused as bad input past the gate (the scope narrows the list:
        // tests/it/indicator_drill.rs).
        "indicator_cases" => gate(role, READERS, Exp::Allow),
        "list_cases" | "export_cases" | "deadline_book" => gate(role, READERS, Exp::Listed(reads(role, t))),
        "access_log" | "unusual_reads" | "access_grants" => gate(role, REVIEWERS, Exp::Allow),
        op if op == "correct" || op.starts_with("case_") => gate(role, CASEWORKERS, allow_if(writes(role, t))),
        // The file audit: only the quality developer opens one (without a body: refused as
        // bad input, after the gate); a guessed id is no audit (answered as not found).
        "open_file_audit" => gate(role, &[Role::QualityDeveloper], Exp::Allow),
        // The questionnaire templates hold no personal data: read by everyone who may see an
        // audit, set by the quality developer (without a body: refused past the gate).
        "file_audit_templates" | "file_audit_template" => gate(
            role,
            &[
                Role::Handler,
                Role::TeamLeader,
                Role::UnitManager,
                Role::AreaManager,
                Role::HeadOfAdministration,
                Role::QualityDeveloper,
            ],
            Exp::Allow,
        ),
        "set_file_audit_template" => gate(role, &[Role::QualityDeveloper], Exp::Allow),
        "get_file_audit" | "file_audit_files" | "file_audit_sheet" => gate(
            role,
            &[
                Role::Handler,
                Role::TeamLeader,
                Role::UnitManager,
                Role::AreaManager,
                Role::HeadOfAdministration,
                Role::QualityDeveloper,
            ],
            Exp::NotFound,
        ),
        "file_audit_answers" | "file_audit_import_sheet" => {
            gate(role, &[Role::Handler, Role::TeamLeader, Role::UnitManager, Role::QualityDeveloper], Exp::NotFound)
        }
        "file_audit_analysis" | "file_audit_measure" | "file_audit_close" => gate(role, REVIEWERS, Exp::NotFound),
        // An action's owner may be anyone who reads audits; the domain judges the ownership.
        "file_audit_measure_completion" => gate(
            role,
            &[
                Role::Handler,
                Role::TeamLeader,
                Role::UnitManager,
                Role::AreaManager,
                Role::HeadOfAdministration,
                Role::QualityDeveloper,
            ],
            Exp::NotFound,
        ),
        "file_audit_drop_out" => gate(
            role,
            &[Role::UnitManager, Role::AreaManager, Role::HeadOfAdministration, Role::QualityDeveloper],
            Exp::NotFound,
        ),
        // Without a body: refused as bad input past the gate.
        "record_redelegation" | "revoke_redelegation" => gate(role, &[Role::HeadOfAdministration], Exp::Allow),
        // The delegation order is the board's public rule: everyone who logs in reads it; only
        // the administrator enters a new version (without a body: refused past the gate).
        "delegation_order" | "delegation_order_toml" => gate(role, skyndsam_web::routes::PERSONS, Exp::Allow),
        "delegation_order_version" | "delegation_order_upload" => gate(role, &[Role::SystemAdministrator], Exp::Allow),
        // The board's list: case ids and deciders, for the board and those who report to it.
        "board_list" | "board_list_csv" => gate(
            role,
            &[Role::Board, Role::Committee, Role::HeadOfAdministration, Role::QualityDeveloper, Role::Auditor],
            Exp::Allow,
        ),
        other => match expect_quality(other, role, t) {
            Some(e) => e,
            None => panic!("route {other} has no rule in the authorisation matrix: add one"),
        },
    }
}

const QUALITY_STAFF: &[Role] = &[
    Role::Registrar,
    Role::Handler,
    Role::TeamLeader,
    Role::UnitManager,
    Role::AreaManager,
    Role::HeadOfAdministration,
    Role::QualityDeveloper,
    Role::SystemAdministrator,
];
const QUALITY_READERS: &[Role] = &[
    Role::Registrar,
    Role::Handler,
    Role::TeamLeader,
    Role::UnitManager,
    Role::AreaManager,
    Role::HeadOfAdministration,
    Role::QualityDeveloper,
    Role::SystemAdministrator,
    Role::Auditor,
];
const MANAGERS_AND_QUALITY: &[Role] =
    &[Role::UnitManager, Role::AreaManager, Role::HeadOfAdministration, Role::QualityDeveloper];

/// Quality matters (see `QualityTargets`): deviations, lex Sarah and complaints by who
/// reported them and the managers over their unit (quality staff and auditors
/// pseudonymised); risks, plans and surveys by managers, quality staff and auditors.
fn expect_quality(op: &str, role: Role, t: Target) -> Option<Exp> {
    let allow_if = |b: bool| if b { Exp::Allow } else { Exp::NotFound };
    let kinds = ["deviation", "lex_sarah", "complaint"];
    Some(match op {
        "report_deviation" | "report_lex_sarah" | "receive_complaint" => gate(role, QUALITY_STAFF, Exp::Allow),
        "register_risk" => gate(role, MANAGERS_AND_QUALITY, Exp::Allow),
        "adopt_control_plan" => gate(role, &[Role::HeadOfAdministration, Role::QualityDeveloper], Exp::Allow),
        "define_survey" => gate(role, &[Role::QualityDeveloper], Exp::Allow),
        "list_deviations" | "list_lex_sarah" | "list_complaints" | "quality_deadlines" => {
            gate(role, QUALITY_READERS, Exp::Listed(Q::reads(role, t)))
        }
        "list_risks" | "list_control_plans" | "list_surveys" => {
            gate(role, QUALITY_READERS, Exp::Listed(Q::reads_org(role)))
        }
        "get_risk" | "get_control_plan" | "get_survey" => gate(role, QUALITY_READERS, allow_if(Q::reads_org(role))),
        "quality_stats" | "quality_trend" => gate(
            role,
            &[Role::UnitManager, Role::AreaManager, Role::HeadOfAdministration, Role::QualityDeveloper, Role::Auditor],
            Exp::Allow,
        ),
        "risk_matrix" => gate(role, QUALITY_READERS, Exp::Allow),
        op if kinds.iter().any(|k| op == format!("get_{k}")) => {
            gate(role, QUALITY_READERS, allow_if(Q::reads(role, t)))
        }
        op if op.starts_with("risk_") => gate(role, MANAGERS_AND_QUALITY, Exp::Allow),
        "control_plan_moments" | "control_plan_measures" | "control_plan_report" => {
            gate(role, &[Role::HeadOfAdministration, Role::QualityDeveloper], Exp::Allow)
        }
        // Results and completed measures come from the owners: a member of staff who is
        // neither owner nor manager does not see the plan.
        op if op.starts_with("control_plan_") => gate(role, QUALITY_STAFF, allow_if(Q::reads_org(role))),
        op if op.starts_with("survey_") => gate(role, &[Role::UnitManager, Role::QualityDeveloper], Exp::Allow),
        op => {
            let stem = kinds.iter().find(|k| op.starts_with(&format!("{k}_")))?;
            gate(role, QUALITY_STAFF, allow_if(Q::writes(role, t, stem)))
        }
    })
}

/// A quality command answers an allowed caller with 409 (the matrix sends a stale version).
fn quality_command(op: &str) -> bool {
    ["deviation_", "lex_sarah_", "complaint_", "risk_", "control_plan_", "survey_"].iter().any(|p| op.starts_with(p))
        && op != "risk_matrix"
}

fn body_for(op: &str, t: Target, now: chrono::DateTime<chrono::Utc>) -> Option<Value> {
    Some(match op {
        "issue_token" => json!({
            "username": "rut", "role": "auditor", "unit": "forvaltning", "scopes": ["cases:read"],
            "name": "revisionens stickprov", "expires_at": now + chrono::Duration::days(10)
        }),
        "register_person" => json!({"name": "Ny Nysson"}),
        "search_person" => json!({"id_number": t.pnr().as_str()}),
        "grant_access" => json!({"reason": "beredskap", "hours": 2}),
        // Always about the intake child, so new cases do not widen anyone's view of the targets.
        "register_actualisation" => json!({
            "children": [DORA], "kind": "report", "received_at": now - chrono::Duration::hours(1),
            "channel": "phone", "reporter": {"category": "police", "name": "Polis", "organisation": "Polisen", "contact": null},
            "reasons": ["other"], "text": "Polisen ringde.", "unit": "mottagning", "receipt": null
        }),
        // A stale version: an allowed caller gets past access control and is refused
        // further in (nothing is written either way).
        "correct" => {
            json!({"expected_version": 999, "corrects": 1, "command": {"type": "write_entry", "data": {"heading": "x", "text": "y"}}})
        }
        op if op.starts_with("case_") => json!({"expected_version": 999, "data": {}}),
        op if quality_command(op) => json!({"expected_version": 999, "data": {}}),
        "report_deviation" | "report_lex_sarah" | "receive_complaint" | "register_risk" | "adopt_control_plan"
        | "define_survey" => json!({}),
        "file_audit_answers"
        | "file_audit_analysis"
        | "file_audit_measure"
        | "file_audit_close"
        | "file_audit_measure_completion"
        | "file_audit_drop_out" => {
            json!({"expected_version": 999, "data": {}})
        }
        _ => return None,
    })
}

/// Side effects last: grants change what a role sees; logout ends the session.
fn order(op: &str) -> u8 {
    match op {
        "logout" => 3,
        "grant_access" => 2,
        "register_person" | "register_actualisation" | "revoke_token" => 1,
        _ => 0,
    }
}

pub fn leaks_protected(body: &str) -> bool {
    let pnr = noah_pnr();
    let s = pnr.as_str();
    [NOAH_NAME, "Skyddadsson", s, &s.replace('-', ""), &s[2..]].iter().any(|w| body.contains(w))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_every_role_every_target() {
    let t = TestApp::spawn().await;
    Q::seed(&t).await;
    let now = t.clock.now_utc();
    // The auditor's integration token, the target of revoke_token.
    let sam = t.login("sam").await;
    let issued = t.post(Some(&sam), "/api/tokens", &body_for("issue_token", Target::Intake, now).unwrap()).await;
    assert_eq!(issued.status, 201, "{}", issued.body);
    let token_id = issued.json["id"].as_str().unwrap().to_owned();

    let mut routes: Vec<_> = table().into_iter().filter(|r| !r.public).collect();
    routes.sort_by_key(|r| order(&r.operation_id));
    let journal_before = t.journal_count();
    let mut checked = 0usize;
    let mut written = 0u64;
    let mut failures = Vec::new();
    for role in ANYONE.iter().copied() {
        let token = t.token_for(role).await;
        for r in &routes {
            for target in Target::ALL {
                // Logging out ends the session: once per role is the test.
                if r.operation_id == "logout" && target != Target::Intake {
                    continue;
                }
                let exp = expect(&r.operation_id, role, target);
                let quality = Q::id_for(r.path, target);
                let id = if let Some(q) = &quality {
                    q.clone()
                } else if r.path.starts_with("/api/persons/{id}") {
                    target.child().to_string()
                } else if r.path.starts_with("/api/tokens/{id}") {
                    token_id.clone()
                } else {
                    target.case().to_string()
                };
                let path = r.path.replace("{id}", &id).replace("{function}", "investigation");
                let body = body_for(&r.operation_id, target, now);
                let res = t.send(r.method.clone(), Some(&token), &path, body.as_ref()).await;
                if res.status == 201 && matches!(r.operation_id.as_str(), "register_person" | "register_actualisation")
                {
                    written += 1;
                }
                let got = match (res.status, res.code()) {
                    (403, "FORBIDDEN") => Exp::Forbidden,
                    (404, "NOT_FOUND") => Exp::NotFound,
                    (401, _) => panic!("{role:?} {} {path}: unauthenticated: {}", r.method, res.body),
                    (s, _) if s >= 500 => panic!("{role:?} {} {path}: server error: {}", r.method, res.body),
                    _ => match exp {
                        Exp::Listed(_) => {
                            assert_eq!(res.status, 200, "{role:?} {path}: {}", res.body);
                            let listed = quality.clone().unwrap_or_else(|| target.case().to_string());
                            Exp::Listed(res.body.contains(&listed))
                        }
                        _ => {
                            // A stale version: an allowed caller is told so, before the body is judged.
                            if quality_command(&r.operation_id) && res.status != 409 {
                                failures.push(format!(
                                    "{role:?} {} {path}: expected 409, got {}: {}",
                                    r.method, res.status, res.body
                                ));
                            }
                            Exp::Allow
                        }
                    },
                };
                if got != exp {
                    failures.push(format!(
                        "{role:?} {} {path} ({target:?}): expected {exp:?}, got {got:?}: {}",
                        r.method, res.body
                    ));
                }
                if !one_of(role, SEE_PROTECTED) && leaks_protected(&res.body) {
                    failures.push(format!("{role:?} {} {path}: protected identity in the response", r.method));
                }
                // Pseudonymised roles never see a child's name.
                if matches!(role, Role::QualityDeveloper | Role::Auditor)
                    && ["Dora Mottagsson", "Elsa Exempelsson", "Carl Annansson"].iter().any(|n| res.body.contains(n))
                    && r.operation_id != "grant_access"
                {
                    failures.push(format!("{role:?} {} {path}: a name in a pseudonymised view", r.method));
                }
                checked += 1;
            }
        }
    }
    assert!(failures.is_empty(), "{} of {checked} checks failed:\n{}", failures.len(), failures.join("\n"));
    // Only the accepted registrations wrote to the journal (one event each); every refused
    // or stale request wrote nothing.
    assert!(written > 0);
    assert_eq!(t.journal_count(), journal_before + written, "a refused or stale request wrote to the journal");
    assert_eq!(checked, (routes.len() * 4 - 3) * ANYONE.len());
}

/// The matrix's own rules cover every route: a new route without a rule fails here even
/// before the slow matrix runs.
#[test]
fn every_route_has_a_rule() {
    for r in table().into_iter().filter(|r| !r.public) {
        for role in ANYONE {
            let _ = expect(&r.operation_id, *role, Target::Intake);
        }
    }
    let public: Vec<String> = table().into_iter().filter(|r| r.public).map(|r| r.operation_id).collect();
    assert_eq!(public, ["health", "openapi", "login"], "a new public route needs a decision");
}
