//! The web UI's authorisation matrix: every UI route of `ui::table()` × every role that
//! can log in × the four target cases, through the session cookie and with a valid CSRF
//! token (so what is judged is the gate and the scope, not the form's protection). The
//! expectations reuse the API matrix's independent rules (`reads`, `writes`); a UI route
//! without a rule here fails.

use crate::harness::*;
use crate::matrix::{leaks_protected, reads, writes, CASEWORKERS, READERS, SEE_PROTECTED};
use crate::quality_api::QualityTargets as Q;
use crate::ui::UiClient;
use skyndsam_domain::org::Role;
use skyndsam_web::ui::{table, PERSONS};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Exp {
    Allow,
    Forbidden,
    NotFound,
}

fn gate(role: Role, roles: &[Role], then: Exp) -> Exp {
    if roles.contains(&role) {
        then
    } else {
        Exp::Forbidden
    }
}

fn expect(name: &str, role: Role, t: Target) -> Exp {
    let allow_if = |b: bool| if b { Exp::Allow } else { Exp::NotFound };
    match name {
        "logout" => Exp::Allow,
        // Att göra for those who read cases; anyone else is sent on to their own start page.
        "todo" => Exp::Allow,
        "intake" | "register" => {
            gate(role, &[Role::Registrar, Role::Handler, Role::TeamLeader, Role::UnitManager], Exp::Allow)
        }
        "case" => gate(role, READERS, allow_if(reads(role, t))),
        "allocation" => gate(role, &[Role::TeamLeader, Role::UnitManager], Exp::Allow),
        "allocate" => gate(role, &[Role::TeamLeader, Role::UnitManager], allow_if(writes(role, t))),
        "protection_assessment"
        | "preliminary_assessment"
        | "first_contact"
        | "investigation_part"
        | "investigation_decision" => gate(role, CASEWORKERS, allow_if(writes(role, t))),
        // The e-tjänst's submission waits in the mottagning (the Intake target's unit): those
        // who act there see it; it does not exist for anyone else.
        "submission" | "submission_register" | "submission_dismiss" => gate(
            role,
            &[Role::Registrar, Role::Handler, Role::TeamLeader, Role::UnitManager],
            allow_if(writes(role, Target::Intake)),
        ),
        // Ärendegenomgång of the handler `hanna`: herself, her team leader, her unit manager.
        "review_index" | "review" => gate(role, &[Role::Handler, Role::TeamLeader, Role::UnitManager], Exp::Allow),
        "overview" => gate(role, &[Role::UnitManager, Role::AreaManager, Role::HeadOfAdministration], Exp::Allow),
        // A guessed id is no audit: answered as not found past the gate.
        "file_audits" => gate(
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
        // The questionnaire templates: read by everyone who may see audits, set by the quality
        // developer (an empty form: "Mallen måste ha minst en fråga", nothing written).
        "audit_templates" | "audit_template" => gate(
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
        "audit_template_set" => gate(role, &[Role::QualityDeveloper], Exp::Allow),
        // Only the quality developer opens an audit (an empty form: its errors, nothing drawn).
        "file_audit_open" => gate(role, &[Role::QualityDeveloper], Exp::Allow),
        "file_audit_answer" | "file_audit_upload" => {
            gate(role, &[Role::Handler, Role::TeamLeader, Role::UnitManager, Role::QualityDeveloper], Exp::NotFound)
        }
        "file_audit" | "file_audit_sheet" | "file_audit_act" | "file_audit_file" => gate(
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
        // Delegationsordningen: read by everyone who logs in, a new version by the administrator.
        "delegation_order" | "delegation_order_toml" => Exp::Allow,
        "delegation_order_version" | "delegation_order_upload" => gate(role, &[Role::SystemAdministrator], Exp::Allow),
        // Vidaredelegering: the förvaltningschef (the domain narrows to `[redelegation] roles`).
        "redelegations" | "redelegation_record" | "redelegation_revoke" => {
            gate(role, &[Role::HeadOfAdministration], Exp::Allow)
        }
        // Självinspektion per enhet: counts and case ids of the caller's scope only.
        "self_inspection" | "self_inspection_cases" => gate(
            role,
            &[
                Role::TeamLeader,
                Role::UnitManager,
                Role::AreaManager,
                Role::HeadOfAdministration,
                Role::QualityDeveloper,
                Role::Auditor,
            ],
            Exp::Allow,
        ),
        "board_list" | "board_list_csv" => gate(
            role,
            &[Role::Board, Role::Committee, Role::HeadOfAdministration, Role::QualityDeveloper, Role::Auditor],
            Exp::Allow,
        ),
        // Styrkort and Rapporter: aggregates of the caller's own units (tests/it/reports_ui.rs).
        "scorecard" => gate(
            role,
            &[
                Role::UnitManager,
                Role::AreaManager,
                Role::HeadOfAdministration,
                Role::QualityDeveloper,
                Role::Auditor,
                Role::Board,
                Role::Committee,
            ],
            Exp::Allow,
        ),
        // The cases behind a value: whoever reads cases (the scope narrows the list; without
        // a kpi the page says so, 422). Not the board: aggregates only.
        "indicator_cases" => gate(role, READERS, Exp::Allow),
        "reports" | "report_file" => gate(
            role,
            &[Role::UnitManager, Role::AreaManager, Role::HeadOfAdministration, Role::QualityDeveloper, Role::Auditor],
            Exp::Allow,
        ),
        "report_narrative" => gate(role, &[Role::QualityDeveloper], Exp::Allow),
        other => match expect_quality(other, role, t) {
            Some(e) => e,
            None => panic!("UI route {other} has no rule in the UI matrix: add one"),
        },
    }
}

/// The quality pages, by the same independent rules as the API matrix (`QualityTargets`).
fn expect_quality(name: &str, role: Role, t: Target) -> Option<Exp> {
    use Role::*;
    let allow_if = |b: bool| if b { Exp::Allow } else { Exp::NotFound };
    let staff = &[
        Registrar,
        Handler,
        TeamLeader,
        UnitManager,
        AreaManager,
        HeadOfAdministration,
        QualityDeveloper,
        SystemAdministrator,
    ];
    let readers = &[
        Registrar,
        Handler,
        TeamLeader,
        UnitManager,
        AreaManager,
        HeadOfAdministration,
        QualityDeveloper,
        SystemAdministrator,
        Auditor,
    ];
    let managers_and_quality = &[UnitManager, AreaManager, HeadOfAdministration, QualityDeveloper];
    Some(match name {
        "quality" | "deviations" | "lex_sarah_list" | "complaints" | "internal_control" | "surveys" => {
            gate(role, readers, Exp::Allow)
        }
        "deviation_form" | "lex_sarah_form" | "complaint_form" | "deviation_report" | "lex_sarah_report"
        | "complaint_receive" => gate(role, staff, Exp::Allow),
        "deviation" | "lex_sarah" | "complaint" => gate(role, readers, allow_if(Q::reads(role, t))),
        // The printable report to IVO has text only: not for a pseudonymised reader.
        "lex_sarah_ivo" => gate(
            role,
            readers,
            match (Q::reads(role, t), role) {
                (false, _) => Exp::NotFound,
                (true, Auditor) => Exp::Forbidden,
                (true, _) => Exp::Allow,
            },
        ),
        "deviation_act" => gate(role, staff, allow_if(Q::writes(role, t, "deviation"))),
        "lex_sarah_act" => gate(role, staff, allow_if(Q::writes(role, t, "lex_sarah"))),
        "complaint_act" => gate(role, staff, allow_if(Q::writes(role, t, "complaint"))),
        "risk_register" | "risk_act" => gate(role, managers_and_quality, Exp::Allow),
        "plan_adopt" => gate(role, &[HeadOfAdministration, QualityDeveloper], Exp::Allow),
        "risk" | "plan" | "survey" => gate(role, readers, allow_if(Q::reads_org(role))),
        "plan_act" => gate(role, staff, allow_if(Q::reads_org(role))),
        "survey_define" => gate(role, &[QualityDeveloper], Exp::Allow),
        "survey_act" => gate(role, &[UnitManager, QualityDeveloper], Exp::Allow),
        "trends" => {
            gate(role, &[UnitManager, AreaManager, HeadOfAdministration, QualityDeveloper, Auditor], Exp::Allow)
        }
        _ => return None,
    })
}

#[test]
fn every_ui_route_has_a_rule() {
    for r in table().iter().filter(|r| !r.public) {
        for role in PERSONS {
            let _ = expect(r.name, *role, Target::Intake);
        }
    }
    let public: Vec<&str> = table().iter().filter(|r| r.public).map(|r| r.name).collect();
    // The e-tjänst is public by design (issue 4): it looks nothing up and shows nothing but
    // the submitter's own receipt (tests/it/etjanst.rs).
    assert_eq!(
        public,
        ["htmx", "css", "login_form", "login", "etjanst_form", "etjanst_submit", "etjanst_receipt"],
        "a new public UI route needs a decision"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_ui_route_every_role_every_target() {
    let t = TestApp::spawn().await;
    Q::seed(&t).await;
    let mut routes: Vec<_> = table().iter().filter(|r| !r.public).cloned().collect();
    // Logging out ends the session: last.
    routes.sort_by_key(|r| r.name == "logout");
    let journal = t.journal_count();
    let mut failures = Vec::new();
    let mut checked = 0usize;
    // Routes about one record of their own kind (not a case): walked once per role.
    let once = |r: &skyndsam_web::ui::UiRoute| {
        r.name == "logout" || r.path.starts_with("/mottagning/e-tjanst/") || r.path.starts_with("/arendegenomgang/")
    };
    for role in PERSONS.iter().copied() {
        let mut c = UiClient::new(&t);
        c.login(user_of(role)).await;
        // The session's CSRF token, as its pages carry it (some roles have no page).
        let csrf = skyndsam_web::ui::session::csrf_of(&c.cookies["skyndsam_session"]);
        for r in &routes {
            for target in Target::ALL {
                if once(r) && target != Target::Intake {
                    continue;
                }
                let exp = expect(r.name, role, target);
                let id = if let Some(q) = Q::id_for(r.path, target) {
                    q
                } else if r.path.starts_with("/mottagning/e-tjanst/") {
                    SUBMISSION.to_string()
                } else if r.path.starts_with("/arendegenomgang/") {
                    "hanna".to_owned()
                } else {
                    target.case().to_string()
                };
                let path = r.path.replace("{id}", &id).replace("{function}", "investigation");
                let res = if r.method == reqwest::Method::GET {
                    c.get(&path).await
                } else {
                    // An empty form with a stale version: an allowed caller gets the form's
                    // errors back (422) and nothing is written.
                    c.post(&path, &[("_csrf", &csrf), ("expected_version", "999")]).await
                };
                let got = match res.status {
                    403 if res.body.contains("Du har inte behörighet") => Exp::Forbidden,
                    404 => Exp::NotFound,
                    200 | 303 | 422 => Exp::Allow,
                    s => panic!("{role:?} {} {path}: status {s}: {}", r.method, res.body),
                };
                if got != exp {
                    failures.push(format!("{role:?} {} {path} ({target:?}): expected {exp:?}, got {got:?}", r.method));
                }
                let sent_home = r.name == "todo"
                    && !READERS.contains(&role)
                    && res.location == skyndsam_web::ui::pages::home_of(role);
                if res.status == 303 && r.name != "logout" && !sent_home {
                    failures.push(format!("{role:?} {} {path}: redirected to {}", r.method, res.location));
                }
                if !SEE_PROTECTED.contains(&role) && leaks_protected(&res.body) {
                    failures.push(format!("{role:?} {} {path}: protected identity on the page", r.method));
                }
                if matches!(role, Role::QualityDeveloper | Role::Auditor)
                    && ["Dora Mottagsson", "Elsa Exempelsson", "Carl Annansson"].iter().any(|n| res.body.contains(n))
                {
                    failures.push(format!("{role:?} {} {path}: a name in a pseudonymised view", r.method));
                }
                checked += 1;
            }
        }
    }
    assert!(failures.is_empty(), "{} of {checked} checks failed:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(t.journal_count(), journal, "an empty form wrote to the journal");
    let onces = routes.iter().filter(|r| once(r)).count();
    assert_eq!(checked, (routes.len() * 4 - 3 * onces) * PERSONS.len());
}
