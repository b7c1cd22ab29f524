//! SCENARIOS 8, the annual file audit, end to end through the store and a real .xlsx file:
//! the demo municipality, a recorded stratified sample for one unit, the auditors' answers
//! (automatic ones pre-filled, one overridden with a comment), the unit's sheet exported to
//! .xlsx, edited (two corrections, as at the area meeting) and imported back, the analysis,
//! an improvement action that lands in its owner's to-do, and the audit closed.

use crate::crash::bin;
use chrono::{Datelike, TimeZone, Utc};
use skyndsam_domain::case::CaseState;
use skyndsam_domain::checks::{inspect, Questionnaire, Reply};
use skyndsam_domain::events::*;
use skyndsam_domain::ids::*;
use skyndsam_domain::org::{Role, UnitKind};
use skyndsam_domain::quality::commands::{FileAuditCommand as F, MatterCommand, QualityCommand as Q};
use skyndsam_domain::quality::{stats, Matter, QualityDeadlineKind};
use skyndsam_domain::rules::RuleTable;
use skyndsam_domain::sampler::{age_band, draw, Candidate};
use skyndsam_domain::ErrorCode;
use skyndsam_report::{file_audit, xlsx};
use skyndsam_store::{Store, StoreError};
use std::collections::HashMap;
use std::process::Command;
use std::sync::Arc;

fn refused_with(r: Result<Vec<RecordedEvent>, StoreError>) -> ErrorCode {
    match r {
        Err(StoreError::Domain(e)) => e.code,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn scenario_8_a_unit_file_audit_from_sample_to_improvement_action_with_an_xlsx_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("a.sqlite").display());
    let out = Command::new(bin())
        .args([
            "--database",
            &url,
            "demo",
            "--seed",
            "3",
            "--reports-per-year",
            "600",
            "--years",
            "2",
            "--year",
            "2025",
        ])
        .env("RUST_LOG", "error")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let rules = Arc::new(RuleTable::defaults().unwrap());
    let store = Store::open(&url, rules.clone()).unwrap();
    let questions = Questionnaire::defaults().unwrap();
    let now = Utc.with_ymd_and_hms(2026, 10, 5, 8, 0, 0).unwrap();
    let today = now.date_naive();
    let year = 2025;

    // The investigating unit with the most files received in the year.
    let (unit, candidates, quality_dev, manager, auditors) = {
        let p = store.projections();
        let enhet = |u: &UnitId| {
            p.org
                .ancestors(u)
                .into_iter()
                .find(|a| p.org.unit(a).is_some_and(|x| x.kind == UnitKind::Unit))
                .unwrap_or_else(|| u.clone())
        };
        let mut per_unit: HashMap<UnitId, Vec<&CaseState>> = HashMap::new();
        for c in p.all_cases().filter(|c| c.received_at.year() == year && c.investigation.is_some()) {
            per_unit.entry(enhet(&c.unit)).or_default().push(c);
        }
        let (unit, cases) = per_unit.into_iter().max_by_key(|(u, v)| (v.len(), u.clone())).unwrap();
        assert!(cases.len() >= 20, "the demo unit has enough files to sample");
        let candidates: Vec<Candidate> = cases
            .iter()
            .map(|c| {
                let person = p.person(&c.child);
                Candidate {
                    case: c.case,
                    sex: person.and_then(|x| x.sex),
                    age_band: age_band(person.and_then(|x| x.birth_date), c.received_at.date_naive()),
                    handler: c.handler.clone().or_else(|| c.preliminary.as_ref().map(|x| x.decided_by.clone())),
                    drop_out: None,
                }
            })
            .collect();
        let holder = |role: Role, u: Option<&UnitId>| -> Vec<StaffId> {
            let mut v: Vec<StaffId> = p
                .org
                .grants
                .iter()
                .filter(|g| g.role == role && u.is_none_or(|u| &g.unit == u) && g.active_on(today))
                .map(|g| g.staff.clone())
                .collect();
            v.sort();
            v
        };
        let quality_dev = holder(Role::QualityDeveloper, None)[0].clone();
        let manager = holder(Role::UnitManager, Some(&unit))[0].clone();
        // Three handlers from other units audit (none audits a file they handled).
        let handlers: Vec<StaffId> = p
            .org
            .grants
            .iter()
            .filter(|g| g.role == Role::Handler && enhet(&g.unit) != unit && g.active_on(today))
            .map(|g| g.staff.clone())
            .collect();
        (unit, candidates, quality_dev, manager, handlers.into_iter().take(3).collect::<Vec<_>>())
    };
    assert_eq!(auditors.len(), 3);
    let actor = |s: &StaffId, r: Role| store.actor(s, r, now).unwrap();
    let qd = actor(&quality_dev, Role::QualityDeveloper);
    let um = actor(&manager, Role::UnitManager);

    // One drawn file turns out to be transferred: a drop-out with its reason.
    let mut candidates = candidates;
    let first = draw(&unit, &candidates, 20, 2026);
    let gone = first.drawn[3].case;
    if let Some(c) = candidates.iter_mut().find(|c| c.case == gone) {
        c.drop_out = Some("Överflyttat till annan kommun".into());
    }
    let sample = draw(&unit, &candidates, 20, 2026);
    assert_eq!(sample.drawn.len(), 20);
    assert_eq!((sample.drop_outs.len(), sample.audited), (1, 19));
    let id = FileAuditId::from_u128(2026);
    let opened = FileAuditOpened {
        audit: id,
        unit: unit.clone(),
        year,
        seed: sample.seed,
        method: sample.method.clone(),
        population: sample.population as u32,
        files: sample
            .drawn
            .iter()
            .map(|d| AuditedFile { case: d.case, stratum: d.stratum.clone(), handler: d.handler.clone() })
            .collect(),
        drop_outs: sample.drop_outs.iter().map(|d| AuditDropOut { case: d.case, reason: d.reason.clone() }).collect(),
        questions: vec![],
    };
    // Only the quality developer opens the year's audit.
    assert_eq!(
        refused_with(store.execute_quality(&Q::OpenFileAudit(opened.clone()), None, &um, now)),
        ErrorCode::NotAuthorised
    );
    store.execute_quality(&Q::OpenFileAudit(opened), None, &qd, now).unwrap();
    let audit = |store: &Store| match store.projections().matter(&id.stream()) {
        Some(Matter::FileAudit(a)) => a.clone(),
        other => panic!("no audit: {other:?}"),
    };
    assert_eq!(audit(&store).handling.assignee.as_ref(), Some(&manager), "the analysis is the unit manager's");

    // The record's answers for every audited file.
    let inspections: HashMap<CaseId, _> = {
        let p = store.projections();
        audit(&store)
            .audited()
            .map(|f| {
                let events = store.read_stream(&f.case.stream()).unwrap();
                (f.case, inspect(&events, &rules, &p.org, &questions, today).unwrap())
            })
            .collect()
    };

    // The auditors answer in the app: the automatic answers stand, the judgement questions
    // get "Ja", and one automatic answer is overridden with a comment.
    let a = audit(&store);
    let mut answers = Vec::new();
    for f in a.audited() {
        for ans in &inspections[&f.case].answers {
            answers.push(AuditAnswer {
                case: f.case,
                section: ans.section,
                question: ans.question.clone(),
                reply: if ans.auto { ans.answer } else { Reply::Yes },
                automatic: Some(ans.answer),
                comment: (!ans.auto && ans.answer != Reply::Yes).then(|| "Bedömt vid läsning av akten.".to_owned()),
            });
        }
    }
    let flip = answers.iter().position(|x| x.automatic == Some(Reply::No)).expect("some automatic Nej in the demo");
    answers[flip].reply = Reply::Yes;
    // Without a comment the override is refused; nothing is written.
    let n = store.count().unwrap();
    let batch = |answers: Vec<AuditAnswer>| {
        Q::FileAudit(id, F::Answer(FileAuditAnswersRecorded { answers, source: "manuell".into() }))
    };
    let auditor = actor(&auditors[0], Role::Handler);
    assert_eq!(
        refused_with(store.execute_quality(&batch(answers.clone()), None, &auditor, now)),
        ErrorCode::InvalidInput
    );
    assert_eq!(store.count().unwrap(), n);
    answers[flip].comment = Some("Skälet finns i en inskannad handling.".into());
    store.execute_quality(&batch(answers.clone()), None, &auditor, now).unwrap();
    let before = stats::file_audit_results(&audit(&store));
    assert!(before.iter().map(|r| r.overridden).sum::<u32>() >= 1);

    // The unit's sheet to .xlsx and back: the same rows.
    let events = store.read_stream(&id.stream()).unwrap();
    let comments = file_audit::comments(&events);
    let rows = file_audit::sheet(&audit(&store), &questions, &inspections, &comments);
    assert_eq!(rows.len() - 1, answers.len(), "one row per audited file and applicable question");
    let bytes = xlsx::write("Aktgranskning", &rows, &file_audit::WIDTHS).unwrap();
    let path = dir.path().join("aktgranskning.xlsx");
    std::fs::write(&path, &bytes).unwrap();
    let mut back = xlsx::read(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(back, rows, "the sheet reads back cell for cell");
    // Nothing changed: nothing to import.
    let a = audit(&store);
    assert_eq!(file_audit::answers_from_sheet(&back, &a, &questions, &inspections, &comments).unwrap(), vec![]);

    // At the area meeting two answers are corrected (a judgement question to Nej with a
    // comment; a comment added to another) and one cell is mistyped, which is refused.
    let judgement = back
        .iter()
        .position(|r| questions.question.iter().any(|q| !q.auto && q.id == r[3]) && r[7] == "Ja" && r[5] == "Ja");
    let j = judgement.expect("a judgement question pre-filled Ja");
    back[j][7] = "Nej".into();
    back[j][8] = "Barnets inställning framgår inte.".into();
    let other = (1..back.len()).find(|i| *i != j && back[*i][8].is_empty()).unwrap();
    back[other][8] = "Kompletterad dokumentation 2026-10-02.".into();
    let mut typo = back.clone();
    typo[other + 1][7] = "Kanske".into();
    let errs = file_audit::answers_from_sheet(&typo, &a, &questions, &inspections, &comments).unwrap_err();
    assert_eq!(errs.len(), 1);
    assert!(errs[0].starts_with(&format!("Rad {}:", other + 2)), "{errs:?}");
    std::fs::write(&path, xlsx::write("Aktgranskning", &back, &file_audit::WIDTHS).unwrap()).unwrap();
    let edited = xlsx::read(&std::fs::read(&path).unwrap()).unwrap();
    let changes = file_audit::answers_from_sheet(&edited, &a, &questions, &inspections, &comments).unwrap();
    assert_eq!(changes.len(), 2, "exactly the two corrections");
    let version = audit(&store).handling.version;
    store
        .execute_quality(
            &Q::FileAudit(
                id,
                F::Answer(FileAuditAnswersRecorded { answers: changes, source: "aktgranskning.xlsx".into() }),
            ),
            Some(version),
            &actor(&auditors[1], Role::Handler),
            now,
        )
        .unwrap();
    let after = stats::file_audit_results(&audit(&store));
    let q = &edited[j][3];
    let was = before.iter().find(|r| &r.question == q).unwrap();
    let now_r = after.iter().find(|r| &r.question == q).unwrap();
    assert_eq!((now_r.yes, now_r.no), (was.yes - 1, was.no + 1), "the correction moved one answer");

    // Closing needs the analysis first.
    let close = Q::FileAudit(id, F::Close(MatterLocked { summary: "Granskningen klar.".into() }));
    assert_eq!(refused_with(store.execute_quality(&close, None, &um, now)), ErrorCode::Incomplete);
    store
        .execute_quality(
            &Q::FileAudit(
                id,
                F::Analyse(FileAuditAnalysed {
                    keep_doing: "Skyddsbedömningarna görs i tid; fortsätt med dagliga genomgångar.".into(),
                    improve: "Barnets inställning dokumenteras inte alltid.".into(),
                }),
            ),
            None,
            &um,
            now,
        )
        .unwrap();
    // An improvement action with an owner and a date: on the owner's to-do.
    let owner = auditors[2].clone();
    store
        .execute_quality(
            &Q::FileAudit(
                id,
                F::Matter(MatterCommand::DecideMeasure(MeasureDecided {
                    measure: 0,
                    description: "Mall för barnets inställning i förhandsbedömningen.".into(),
                    owner: owner.clone(),
                    due: today + chrono::Days::new(30),
                })),
            ),
            None,
            &um,
            now,
        )
        .unwrap();
    let todo = store.projections().quality_book(|d| d.owner.as_ref() == Some(&owner));
    assert_eq!(todo.len(), 1);
    assert_eq!((todo[0].kind, todo[0].stream.as_str()), (QualityDeadlineKind::Measure(1), id.stream().as_str()));
    store.execute_quality(&close, None, &um, now).unwrap();
    assert!(audit(&store).handling.locked_on.is_some());
    // Locked: no more answers.
    assert_eq!(refused_with(store.execute_quality(&batch(answers), None, &auditor, now)), ErrorCode::Locked);
    store.close();
}
