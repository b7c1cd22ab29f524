//! The e-tjänst's submissions in the store: received into the queue, registered once (two
//! registrars at once: one wins), closed, kept across a restart and an export/import.

use crate::fixture::*;
use skyndsam_domain::commands::RegisterActualisation;
use skyndsam_domain::events::*;
use skyndsam_domain::ids::*;
use skyndsam_domain::org::Role;
use skyndsam_domain::submission::{SubmissionStatus, WebReport};
use skyndsam_store::StoreError;
use std::sync::Arc;

fn report() -> WebReport {
    WebReport {
        reporter: Reporter { category: ReporterCategory::Anonymous, name: None, organisation: None, contact: None },
        child_name: Some("Elsa".into()),
        child_id_number: None,
        child_details: Some("Nio år, bor på Storgatan".into()),
        other_children: None,
        text: "Jag hör ofta skrik från lägenheten.".into(),
    }
}

fn registration(store: &skyndsam_store::Store, id: SubmissionId, case: u128) -> RegisterActualisation {
    let sub = store.projections().submissions.get(&id).unwrap().clone();
    RegisterActualisation {
        actualisation: ActualisationId::from_u128(case + 1),
        children: vec![(CaseId::from_u128(case), ELSA)],
        kind: ActualisationKind::Report,
        received_at: sub.received_at,
        channel: Channel::EService,
        reporter: Reporter { category: ReporterCategory::Anonymous, name: None, organisation: None, contact: None },
        reasons: vec![Reason::WitnessedViolence],
        text: "Grannen hör skrik.".into(),
        unit: UnitId::parse("mottagning").unwrap(),
        receipt: Some(sub.receipt),
    }
}

#[test]
fn a_submission_waits_in_the_queue_until_registered_once_and_survives_restart_and_transfer() {
    let mottagning = UnitId::parse("mottagning").unwrap();
    for db in backends() {
        let store = Arc::new(open(&db));
        seed(&store);
        let received = at(2026, 3, 6, 22); // a Friday night
        let a = SubmissionId::from_u128(0xA1 << 120 | 9001);
        let b = SubmissionId::from_u128(0xB2 << 120 | 9002);
        let ra = store.submit_web_report(a, &mottagning, &report(), received).unwrap();
        store.submit_web_report(b, &mottagning, &report(), received).unwrap();
        let Payload::WebReportSubmitted(w) = &ra.payload else { panic!() };
        assert!(w.after_hours, "{}", db.label);
        // The same receipt twice is refused (the caller draws a new id).
        let again = store.submit_web_report(a, &mottagning, &report(), received).unwrap_err();
        assert_eq!(again.code(), "CONFLICT");
        assert!(!matches!(again, StoreError::Backend(_)));
        {
            let p = store.projections();
            let q = p.submissions.open_in(std::slice::from_ref(&mottagning));
            assert_eq!(q.iter().map(|s| s.id).collect::<Vec<_>>(), [a, b]);
            assert!(p.submissions.open_in(&[UnitId::parse("utredning").unwrap()]).is_empty());
        }

        // Two registrars register the same submission at once: one wins, nothing doubles.
        let elsa_cases = store.projections().cases_of_person(&ELSA).count();
        let rita = store.actor(&StaffId::parse("rita").unwrap(), Role::Registrar, at(2026, 3, 9, 8)).unwrap();
        let now = at(2026, 3, 9, 8);
        let (c1, c2) = (registration(&store, a, 7001), registration(&store, a, 7003));
        let (s1, s2) = (store.clone(), store.clone());
        let (r1, r2) = (rita.clone(), rita.clone());
        let h1 = std::thread::spawn(move || s1.register_from_submission(&c1, a, &r1, now));
        let h2 = std::thread::spawn(move || s2.register_from_submission(&c2, a, &r2, now));
        let results = [h1.join().unwrap(), h2.join().unwrap()];
        assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{}: {results:?}", db.label);
        let won = results.iter().find_map(|r| r.as_ref().ok()).unwrap();
        let case =
            won.iter().find(|e| e.stream.starts_with("case/")).map(|e| CaseId::parse(&e.stream).unwrap()).unwrap();
        {
            let p = store.projections();
            let c = p.case(&case).unwrap();
            assert_eq!((c.received_at, c.channel), (received, Channel::EService));
            assert!(c.after_hours);
            assert!(matches!(p.submissions.get(&a).unwrap().status, SubmissionStatus::Registered { .. }));
            assert_eq!(p.submissions.open_in(std::slice::from_ref(&mottagning)).len(), 1);
            assert_eq!(p.cases_of_person(&ELSA).count(), elsa_cases + 1, "one case, not two");
        }
        // Closed with a reason; a second close is refused.
        store.dismiss_submission(b, "Dubblett", &rita, now).unwrap();
        assert!(store.dismiss_submission(b, "Dubblett", &rita, now).is_err());
        assert!(store.projections().submissions.open_in(std::slice::from_ref(&mottagning)).is_empty());

        // A restart folds the same queue; an export imports into an empty database.
        drop(store);
        let store = open(&db);
        assert!(matches!(store.projections().submissions.get(&a).unwrap().status, SubmissionStatus::Registered { .. }));
        assert_eq!(store.projections().submissions.get(&b).unwrap().status, SubmissionStatus::Dismissed);
        let mut text = Vec::new();
        store.export(&mut text).unwrap();
        let target = open(&backends().remove(0));
        target.import(text.as_slice()).unwrap();
        assert_eq!(target.projections().submissions.len(), 2);
        assert!(target
            .projections()
            .submissions
            .receipt_taken(&store.projections().submissions.get(&a).unwrap().receipt));
    }
}
