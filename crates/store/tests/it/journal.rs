use crate::fixture::*;
use skyndsam_domain::clock::DeadlineKind;
use skyndsam_domain::commands::CaseCommand;
use skyndsam_domain::events::*;
use skyndsam_domain::ids::*;
use skyndsam_domain::journal::BrokenLink;
use skyndsam_domain::org::Role;
use skyndsam_store::{open_backend, AppendRequest, Expected, StoreError};

fn entry(stream: &str, text: &str) -> NewEvent {
    NewEvent {
        stream: stream.into(),
        meta: EventMeta {
            recorded_at: at(2026, 3, 2, 9),
            effective_on: date(2026, 3, 2),
            actor: StaffId::parse("amira").unwrap(),
            role: Role::Handler,
            unit: None,
            delegation: None,
            corrects: None,
        },
        payload: Payload::EntryWritten(EntryWritten { heading: "Anteckning".into(), text: text.into() }),
    }
}

#[test]
fn appends_are_chained_read_back_in_order_and_verify() {
    for db in backends() {
        let store = open(&db);
        let s = CaseId::from_u128(9).stream();
        for i in 0..5 {
            let req =
                AppendRequest::new(vec![entry(&s, &format!("anteckning {i}"))]).expect(s.clone(), Expected::Exactly(i));
            let out = store.append(req).unwrap();
            assert_eq!(out[0].version, i + 1, "{}", db.label);
        }
        let events = store.read_stream(&s).unwrap();
        assert_eq!(events.len(), 5);
        assert!(events.windows(2).all(|w| w[1].prev_hash == w[0].hash && w[1].seq == w[0].seq + 1));
        let r = store.verify().unwrap();
        assert_eq!((r.checked, r.broken.is_none()), (5, true), "{}", db.label);
        assert_eq!(r.head.as_deref(), Some(events[4].hash.as_str()));
    }
}

#[test]
fn two_users_on_the_same_case_at_once_the_second_gets_a_conflict_and_nothing_is_lost() {
    for db in backends() {
        let store = std::sync::Arc::new(open(&db));
        let s = CaseId::from_u128(10).stream();
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let store = store.clone();
                let s = s.clone();
                std::thread::spawn(move || {
                    store.append(
                        AppendRequest::new(vec![entry(&s, &format!("av användare {i}"))])
                            .expect(s.clone(), Expected::Exactly(0)),
                    )
                })
            })
            .collect();
        let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        let ok = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(ok, 1, "{}: exactly one writer wins", db.label);
        for r in results.iter().filter(|r| r.is_err()) {
            match r {
                Err(e @ StoreError::Conflict { actual, .. }) => {
                    assert_eq!(*actual, 1);
                    assert_eq!(e.code(), "CONFLICT");
                    assert!(e.to_string().contains("ändrats av någon annan"));
                }
                other => panic!("{}: expected a conflict, got {other:?}", db.label),
            }
        }
        assert_eq!(store.read_stream(&s).unwrap().len(), 1);
        assert!(store.verify().unwrap().broken.is_none());
    }
}

#[test]
fn a_conflicting_request_in_a_group_fails_alone() {
    for db in backends() {
        let mut b = open_backend(&db.url).unwrap();
        let a = CaseId::from_u128(1).stream();
        let c = CaseId::from_u128(2).stream();
        let good = AppendRequest::new(vec![entry(&a, "ok")]).expect(a.clone(), Expected::NoStream);
        let stale = AppendRequest::new(vec![entry(&c, "fel version")]).expect(c.clone(), Expected::Exactly(3));
        let also_good = AppendRequest::new(vec![entry(&a, "ok 2")]).expect(a.clone(), Expected::Exactly(1));
        let res = b.append_group(&[&good, &stale, &also_good]).unwrap();
        assert!(res[0].is_ok() && res[1].is_err() && res[2].is_ok(), "{}", db.label);
        assert_eq!(res[2].as_ref().unwrap()[0].seq, 2, "seq stays gap-free past the refused request");
        assert_eq!(b.count().unwrap(), 2);
        assert!(b.read_stream(&c).unwrap().is_empty());
    }
}

fn tamper(db: &Db, sql_sqlite: &str, sql_pg: &str) {
    if db.label == "sqlite" {
        let path = db.url.strip_prefix("sqlite:").unwrap();
        let conn = rusqlite::Connection::open(path).unwrap();
        conn.execute_batch("DROP TRIGGER events_no_update;").unwrap();
        conn.execute_batch(sql_sqlite).unwrap();
    } else {
        let mut b = skyndsam_store::postgres::PostgresBackend::open(&db.url).unwrap();
        b.client().batch_execute(&format!("ALTER TABLE events DISABLE TRIGGER events_no_update; {sql_pg}")).unwrap();
    }
}

#[test]
fn the_journal_refuses_updates_and_deletes() {
    for db in backends() {
        let store = open(&db);
        seed(&store);
        drop(store);
        if db.label == "sqlite" {
            let conn = rusqlite::Connection::open(db.url.strip_prefix("sqlite:").unwrap()).unwrap();
            assert!(conn
                .execute("UPDATE events SET body = 'x' WHERE seq = 3", [])
                .unwrap_err()
                .to_string()
                .contains("append-only"));
            assert!(conn.execute("DELETE FROM events WHERE seq = 3", []).is_err());
        } else {
            let mut b = skyndsam_store::postgres::PostgresBackend::open(&db.url).unwrap();
            assert!(b.client().execute("UPDATE events SET body = 'x' WHERE seq = 3", &[]).is_err());
            assert!(b.client().execute("DELETE FROM events WHERE seq = 3", &[]).is_err());
            assert!(b.client().execute("TRUNCATE events", &[]).is_err());
        }
    }
}

#[test]
fn a_tampered_event_is_found_by_verify() {
    for db in backends() {
        let store = open(&db);
        seed(&store);
        assert!(store.verify().unwrap().broken.is_none());
        drop(store);
        // Someone with database access edits a decision's text.
        tamper(
            &db,
            "UPDATE events SET body = replace(body, 'Våld mot barn.', 'Ingen oro.') WHERE type = 'preliminary_assessment_decided';",
            "UPDATE events SET body = replace(body, 'Våld mot barn.', 'Ingen oro.') WHERE type = 'preliminary_assessment_decided';",
        );
        let store = open(&db);
        let r = store.verify().unwrap();
        let broken = r.broken.expect("verify must find the edit");
        assert_eq!(broken.link, BrokenLink::HashMismatch, "{}", db.label);
        let seq: u64 = store
            .read_stream(&CaseId::from_u128(100).stream())
            .unwrap()
            .iter()
            .find(|e| e.payload.type_name() == "preliminary_assessment_decided")
            .unwrap()
            .seq;
        assert_eq!(broken.seq, seq);
        assert!(broken.message.contains("ändrad i efterhand"));
    }
}

#[test]
fn recomputing_the_hash_of_an_edited_event_breaks_the_next_link() {
    for db in backends() {
        let store = open(&db);
        seed(&store);
        let n = store.count().unwrap();
        drop(store);
        // Edit the last-but-one event and give it a correct hash of its own: the next event
        // still points at the old hash.
        let target = n - 1;
        let store = open(&db);
        let mut events = Vec::new();
        store.export(&mut events).unwrap();
        drop(store);
        let line = String::from_utf8(events).unwrap().lines().nth(target as usize - 1).unwrap().to_owned();
        let mut e: RecordedEvent = serde_json::from_str(&line).unwrap();
        e.meta.actor = StaffId::parse("someone.else").unwrap();
        let body = String::from_utf8(skyndsam_domain::journal::canonical_body(&e).unwrap()).unwrap();
        let hash = skyndsam_domain::journal::sha256_hex(body.as_bytes());
        let body_sql = body.replace('\'', "''");
        let sql = format!("UPDATE events SET body = '{body_sql}', hash = '{hash}' WHERE seq = {target};");
        tamper(&db, &sql, &sql);
        let r = open(&db).verify().unwrap();
        let b = r.broken.unwrap();
        assert_eq!((b.seq, b.link), (n, BrokenLink::PrevHashMismatch), "{}", db.label);
    }
}

#[test]
fn projections_rebuilt_at_start_equal_those_kept_current_on_append() {
    for db in backends() {
        let store = open(&db);
        let cases = seed(&store);
        let now = at(2026, 3, 10, 12);
        let units: Vec<UnitId> = store.projections().org.units.keys().cloned().collect();
        let before = store.projections().deadline_book(&units, now);
        let open_before = store.projections().open_case_count();
        drop(store);
        let store = open(&db);
        assert_eq!(store.projections().deadline_book(&units, now), before, "{}", db.label);
        assert_eq!(store.projections().open_case_count(), open_before);
        // Elsa's case: investigation open (4 months, first contact); Noah's: protection overdue.
        let kinds: Vec<(CaseId, DeadlineKind)> = before.iter().map(|r| (r.case, r.kind)).collect();
        assert!(kinds.contains(&(cases[0], DeadlineKind::Investigation)));
        assert!(kinds.contains(&(cases[1], DeadlineKind::ProtectionAssessment)));
        assert!(!kinds.contains(&(cases[0], DeadlineKind::PreliminaryAssessment)), "met deadlines leave the book");
    }
}

#[test]
fn the_person_index_finds_a_child_by_personnummer_with_earlier_knowledge() {
    for db in backends() {
        let store = open(&db);
        let cases = seed(&store);
        let p = store.projections();
        let elsa = p.person(&ELSA).unwrap();
        let pnr = elsa.id_number.clone().unwrap();
        assert_eq!(p.person_by_id_number(&pnr).unwrap().id, ELSA);
        assert_eq!(elsa.sex, pnr.sex());
        let k = p.earlier_knowledge(&ELSA, None);
        assert_eq!(k.len(), 1);
        assert_eq!((k[0].case, k[0].preliminary, k[0].investigated), (cases[0], Some("inleda utredning"), true));
        assert!(p.earlier_knowledge(&ELSA, Some(&cases[0])).is_empty());
        assert!(p.person(&NOAH).unwrap().protected_identity);
    }
}

#[test]
fn a_stale_version_from_the_client_is_refused_with_the_current_version() {
    for db in backends() {
        let store = open(&db);
        let cases = seed(&store);
        let karin = store.actor(&StaffId::parse("karin").unwrap(), Role::TeamLeader, at(2026, 3, 3, 9)).unwrap();
        let v = store.projections().case(&cases[0]).unwrap().version;
        let cmd = CaseCommand::SetTriage(TriageSet { colour: Triage::Red });
        let err = store.execute(cases[0], Some(v - 1), &cmd, &karin, at(2026, 3, 3, 9)).unwrap_err();
        assert!(matches!(err, StoreError::Conflict { actual, .. } if actual == v), "{}", db.label);
        assert_eq!(store.projections().case(&cases[0]).unwrap().version, v, "nothing written");
        store.execute(cases[0], Some(v), &cmd, &karin, at(2026, 3, 3, 9)).unwrap();
    }
}

#[test]
fn a_correction_is_a_new_event_and_the_projection_follows_it() {
    for db in backends() {
        let store = open(&db);
        let cases = seed(&store);
        let amira = store.actor(&StaffId::parse("amira").unwrap(), Role::Handler, at(2026, 3, 2, 10)).unwrap();
        let events = store.read_stream(&cases[0].stream()).unwrap();
        let target = events.iter().find(|e| e.payload.type_name() == "protection_assessment_recorded").unwrap().seq;
        let fixed = CaseCommand::RecordProtectionAssessment(ProtectionAssessmentRecorded {
            assessed_at: at(2026, 3, 2, 9),
            assessor_name: "Amira Testberg".into(),
            assessor_title: "socialsekreterare".into(),
            facts: "Styvpappan är bortrest till fredag.".into(),
            immediate_need: false,
            protection_plan: None,
        });
        let out = store.correct(cases[0], target, &fixed, &amira, at(2026, 3, 3, 9)).unwrap();
        assert_eq!(out[0].meta.corrects, Some(target));
        assert_eq!(
            store.projections().case(&cases[0]).unwrap().protection.as_ref().unwrap().assessed_at,
            at(2026, 3, 2, 9),
            "{}",
            db.label
        );
        assert_eq!(store.read_stream(&cases[0].stream()).unwrap().len(), events.len() + 1);
        drop(store);
        let store = open(&db);
        assert_eq!(
            store.projections().case(&cases[0]).unwrap().protection.as_ref().unwrap().assessed_at,
            at(2026, 3, 2, 9)
        );
        assert!(store.verify().unwrap().broken.is_none());
    }
}
