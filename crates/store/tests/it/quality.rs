//! Quality matters through the Store on both backends: appended with optimistic
//! concurrency, folded into the projections, rebuilt from the journal, and the detection
//! sweep opening each system-found deviation exactly once.

use crate::fixture::*;
use skyndsam_domain::events::*;
use skyndsam_domain::ids::*;
use skyndsam_domain::org::Role;
use skyndsam_domain::quality::commands::{DeviationCommand, QualityCommand};
use skyndsam_domain::quality::{DeviationStatus, Matter, QualityDeadlineKind};
use skyndsam_store::{AppendRequest, StoreError};

fn add_unit_manager(store: &skyndsam_store::Store) {
    let meta = EventMeta {
        recorded_at: at(2025, 1, 1, 8),
        effective_on: date(2025, 1, 1),
        actor: StaffId::system(),
        role: Role::System,
        unit: None,
        delegation: None,
        corrects: None,
    };
    let ulla = StaffId::parse("ulla").unwrap();
    let ev = |payload| NewEvent { stream: ORG_STREAM.into(), meta: meta.clone(), payload };
    store
        .append(AppendRequest::new(vec![
            ev(Payload::StaffRegistered(StaffRegistered {
                staff: ulla.clone(),
                name: "Ulla Testberg".into(),
                title: "enhetschef".into(),
                qualified: true,
            })),
            ev(Payload::RoleGranted(RoleGranted {
                staff: ulla,
                role: Role::UnitManager,
                unit: UnitId::parse("mottagning").unwrap(),
                from: date(2025, 1, 1),
                to: None,
            })),
        ]))
        .unwrap();
}

#[test]
fn a_deviation_is_appended_with_its_version_folded_and_rebuilt_from_the_journal() {
    for db in backends() {
        let cases = {
            let store = open(&db);
            let cases = seed(&store);
            add_unit_manager(&store);
            let now = at(2026, 3, 9, 14);
            let rita = store.actor(&StaffId::parse("rita").unwrap(), Role::Registrar, now).unwrap();
            let ulla = store.actor(&StaffId::parse("ulla").unwrap(), Role::UnitManager, now).unwrap();
            let id = DeviationId::from_u128(500);
            let report = DeviationReported {
                deviation: id,
                unit: UnitId::parse("mottagning").unwrap(),
                assignee: None,
                occurred_on: date(2026, 3, 2),
                category: "registrering".into(),
                direction: DeviationDirection::Internal,
                external_body: None,
                case: Some(cases[1]),
                description: "Anmälan låg okopplad i sex dagar.".into(),
                immediate_action: None,
                source: DeviationSource::Staff,
                risk: None,
            };
            let out =
                store.execute_quality(&QualityCommand::ReportDeviation(report.clone()), None, &rita, now).unwrap();
            assert_eq!((out[0].stream.as_str(), out[0].version), (id.stream().as_str(), 1), "{}", db.label);
            // The same id again: refused, nothing written.
            let n = store.count().unwrap();
            assert!(store.execute_quality(&QualityCommand::ReportDeviation(report), None, &rita, now).is_err());
            assert_eq!(store.count().unwrap(), n);
            // A stale version is a conflict naming the current one.
            let investigate = QualityCommand::Deviation(
                id,
                DeviationCommand::Investigate(DeviationInvestigated {
                    what_happened: "a".into(),
                    failures: "b".into(),
                    causes: "c".into(),
                    measures: "d".into(),
                    recurrence_prevented: false,
                    risk: None,
                }),
            );
            match store.execute_quality(&investigate, Some(7), &ulla, now) {
                Err(StoreError::Conflict { actual, .. }) => assert_eq!(actual, 1, "{}", db.label),
                other => panic!("{}: expected a conflict, got {other:?}", db.label),
            }
            // A stale version is answered as such even when the command would be refused.
            let lock = QualityCommand::Deviation(id, DeviationCommand::Lock(MatterLocked { summary: String::new() }));
            match store.execute_quality(&lock, Some(7), &ulla, now) {
                Err(StoreError::Conflict { actual, .. }) => assert_eq!(actual, 1, "{}", db.label),
                other => panic!("{}: expected a conflict, got {other:?}", db.label),
            }
            store.execute_quality(&investigate, Some(1), &ulla, now).unwrap();
            // The 6-week clock is in the quality book, on the unit manager's list.
            let book = store.projections().quality_book(|d| d.owner.as_ref().is_some_and(|o| o.as_str() == "ulla"));
            assert_eq!(book.len(), 1, "{}", db.label);
            assert_eq!(
                (book[0].kind, book[0].last_day),
                (QualityDeadlineKind::DeviationInvestigation, date(2026, 4, 20))
            );
            store.close();
            cases
        };
        // Reopened: the projection is rebuilt from the journal alone.
        let store = open(&db);
        let p = store.projections();
        let Some(Matter::Deviation(d)) = p.matter(&DeviationId::from_u128(500).stream()) else {
            panic!("{}: the deviation was not rebuilt", db.label)
        };
        assert_eq!(
            (d.status(), d.handling.case, d.handling.version),
            (DeviationStatus::UnderInvestigation, Some(cases[1]), 2)
        );
        assert_eq!(d.handling.assignee.as_ref().map(|s| s.as_str()), Some("ulla"));
        drop(p);
        assert!(store.verify().unwrap().broken.is_none(), "{}", db.label);
    }
}

#[test]
fn the_detection_sweep_opens_each_finding_once_even_after_a_restart() {
    for db in backends() {
        {
            let store = open(&db);
            let cases = seed(&store);
            add_unit_manager(&store);
            // Noah's preliminary assessment (received 2 March) is pending past its 14 days.
            let now = at(2026, 3, 20, 8);
            let opened = store.sweep_detections(now).unwrap();
            assert_eq!(opened.len(), 1, "{}", db.label);
            let p = store.projections();
            let Some(Matter::Deviation(d)) = p.matter(&opened[0].stream()) else { panic!() };
            assert_eq!(d.handling.case, Some(cases[1]));
            assert_eq!(d.detection, Some(DetectionKind::PreliminaryLateWithoutReason));
            assert_eq!(d.handling.assignee.as_ref().map(|s| s.as_str()), Some("ulla"));
            assert_eq!(d.handling.reported_role, Role::System);
            drop(p);
            assert!(store.sweep_detections(at(2026, 3, 21, 8)).unwrap().is_empty(), "{}", db.label);
            store.close();
        }
        let store = open(&db);
        assert!(store.sweep_detections(at(2026, 3, 22, 8)).unwrap().is_empty(), "{}: after a restart", db.label);
        assert_eq!(store.projections().matters().count(), 1);
    }
}
