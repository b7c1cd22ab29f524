//! Identity and the logs (`skyndsam_store::security`), on every backend.

use crate::fixture::*;
use chrono::{DateTime, Duration, Utc};
use skyndsam_domain::ids::*;
use skyndsam_domain::org::Role;
use skyndsam_store::security::*;
use skyndsam_store::StoreError;
use std::collections::BTreeSet;
use std::sync::Arc;

fn sec(db: &Db) -> Box<dyn SecurityBackend> {
    open_security_backend(&db.url).unwrap()
}

fn staff(s: &str) -> StaffId {
    StaffId::parse(s).unwrap()
}
fn unit(s: &str) -> UnitId {
    UnitId::parse(s).unwrap()
}

/// A raw statement, as someone with direct database access would run it.
fn raw(db: &Db, sql: &str) -> Result<(), String> {
    if db.label == "sqlite" {
        let path = skyndsam_store::sqlite::security_path(db.url.strip_prefix("sqlite:").unwrap());
        let b = skyndsam_store::sqlite::SqliteBackend::open_security(&path).unwrap();
        b.connection().execute_batch(sql).map_err(|e| e.to_string())
    } else {
        // The backend's own connection: same URL, search_path set to the test's schema.
        let mut b = skyndsam_store::postgres::PostgresBackend::open(&db.url).unwrap();
        b.client()
            .batch_execute(sql)
            .map_err(|e| e.as_db_error().map_or_else(|| e.to_string(), |d| d.message().to_owned()))
    }
}

fn account(username: &str, staff_id: &str, created_at: DateTime<Utc>) -> Account {
    Account {
        username: username.into(),
        staff: staff(staff_id),
        password_hash: Some(format!("$argon2id$v=19$m=19456,t=2,p=1${username}")),
        external_subject: None,
        created_at,
        disabled_at: None,
    }
}

fn token(n: u128, username: &str, kind: TokenKind, created_at: DateTime<Utc>) -> Token {
    Token {
        id: uuid::Uuid::from_u128(n),
        hash: format!("{n:064x}"),
        kind,
        username: username.into(),
        role: Role::Handler,
        unit: unit("mottagning"),
        scopes: if kind == TokenKind::Session {
            vec!["*".into()]
        } else {
            vec!["cases:read".into(), "cases:write".into()]
        },
        name: format!("token {n}"),
        created_at,
        expires_at: created_at + Duration::hours(8),
        revoked_at: None,
    }
}

fn grant(n: u128, unit_id: Option<&str>, granted_at: DateTime<Utc>, until: DateTime<Utc>) -> AccessGrant {
    AccessGrant {
        id: uuid::Uuid::from_u128(n),
        staff: staff("lina"),
        role: Role::Handler,
        unit: unit_id.map(unit),
        person: ELSA,
        reason: format!("Behov av uppgifter i utredning {n}"),
        granted_at,
        until,
    }
}

fn read(
    at: DateTime<Utc>,
    staff_id: &str,
    unit_id: Option<&str>,
    person: PersonId,
    case: Option<CaseId>,
    correlation: &str,
) -> AccessEntry {
    AccessEntry {
        at,
        staff: staff(staff_id),
        role: Role::Handler,
        unit: unit_id.map(unit),
        person,
        case,
        action: if case.is_some() { AccessAction::ReadCase } else { AccessAction::ReadPerson },
        basis: if unit_id.is_some() { AccessBasis::OwnUnit } else { AccessBasis::Grant },
        reason: unit_id.is_none().then(|| "Beviljad utökad åtkomst".to_owned()),
        correlation: correlation.into(),
    }
}

fn event(at: DateTime<Utc>, kind: SecurityKind, username: Option<&str>, correlation: &str) -> SecurityEntry {
    SecurityEntry {
        at,
        kind,
        username: username.map(str::to_owned),
        address: Some("192.0.2.7".into()),
        detail: format!("{} (test)", kind.as_str()),
        correlation: correlation.into(),
    }
}

fn entries(records: &[AccessRecord]) -> Vec<AccessEntry> {
    records.iter().map(|r| r.entry.clone()).collect()
}

#[test]
fn accounts_and_tokens_round_trip_and_an_upsert_replaces() {
    for db in backends() {
        let l = db.label;
        let mut b = sec(&db);
        // Microseconds survive the round trip.
        let t0 = at(2026, 3, 2, 8) + Duration::microseconds(123_456);
        let mut amira = account("amira", "amira", t0);
        let sso = Account {
            password_hash: None,
            external_subject: Some("idp|4711".into()),
            ..account("lina.l", "lina", t0 + Duration::minutes(1))
        };
        b.upsert_account(&sso).unwrap();
        b.upsert_account(&amira).unwrap();
        assert_eq!(b.accounts().unwrap(), vec![amira.clone(), sso.clone()], "{l}: ordered by username");

        amira.password_hash = Some("$argon2id$v=19$changed".into());
        amira.disabled_at = Some(at(2026, 3, 3, 17));
        b.upsert_account(&amira).unwrap();
        assert_eq!(b.accounts().unwrap(), vec![amira.clone(), sso.clone()], "{l}: replaced, not added");

        // The identity provider's subject belongs to one account only.
        let thief = Account { external_subject: Some("idp|4711".into()), ..account("other", "karin", t0) };
        assert!(matches!(b.upsert_account(&thief), Err(StoreError::Backend(_))), "{l}");
        assert_eq!(b.accounts().unwrap().len(), 2, "{l}");

        let session = token(1, "amira", TokenKind::Session, t0);
        let integration = token(2, "amira", TokenKind::Integration, t0 + Duration::hours(1));
        let other = token(3, "lina.l", TokenKind::Session, t0);
        for t in [&session, &integration, &other] {
            b.upsert_token(t).unwrap();
        }
        assert_eq!(b.token_by_hash(&integration.hash).unwrap(), Some(integration.clone()), "{l}");
        assert_eq!(b.token_by_hash(&format!("{:064x}", 99)).unwrap(), None, "{l}");
        assert_eq!(b.tokens_of("amira").unwrap(), vec![integration.clone(), session.clone()], "{l}: newest first");
        assert_eq!(b.tokens_of("nobody").unwrap(), vec![], "{l}");

        let revoked = Token { revoked_at: Some(t0 + Duration::hours(2)), ..session.clone() };
        b.upsert_token(&revoked).unwrap();
        assert_eq!(b.token_by_hash(&session.hash).unwrap(), Some(revoked.clone()), "{l}: revocation persisted");
        assert_eq!(b.tokens_of("amira").unwrap().len(), 2, "{l}");

        // Another token may not reuse a hash.
        let clash = Token { id: uuid::Uuid::from_u128(4), ..integration.clone() };
        assert!(matches!(b.upsert_token(&clash), Err(StoreError::Backend(_))), "{l}");

        // Everything is still there through a new connection.
        drop(b);
        let mut b = sec(&db);
        assert_eq!(b.accounts().unwrap(), vec![amira, sso], "{l}");
        assert_eq!(b.token_by_hash(&session.hash).unwrap(), Some(revoked), "{l}");
    }
}

#[test]
fn grants_in_force_and_grants_given_are_filtered_by_time_and_unit() {
    for db in backends() {
        let l = db.label;
        let mut b = sec(&db);
        let g1 = grant(1, Some("mottagning"), at(2026, 3, 2, 8), at(2026, 3, 2, 12));
        let g2 = grant(2, Some("utredning"), at(2026, 3, 2, 10), at(2026, 3, 2, 11));
        let g3 = grant(3, None, at(2026, 3, 3, 9), at(2026, 3, 4, 9));
        for g in [&g3, &g1, &g2] {
            b.insert_grant(g).unwrap();
        }
        assert!(b.insert_grant(&g1).is_err(), "{l}: a grant's id is unique");

        let ids = |v: Vec<AccessGrant>| v.into_iter().map(|g| g.id.as_u128()).collect::<Vec<_>>();
        assert_eq!(ids(b.grants_active(at(2026, 3, 2, 7)).unwrap()), Vec::<u128>::new(), "{l}");
        assert_eq!(ids(b.grants_active(at(2026, 3, 2, 8)).unwrap()), vec![1], "{l}: from granted_at");
        assert_eq!(ids(b.grants_active(at(2026, 3, 2, 10)).unwrap()), vec![1, 2], "{l}");
        assert_eq!(ids(b.grants_active(at(2026, 3, 2, 11)).unwrap()), vec![1], "{l}: until is exclusive");
        assert_eq!(ids(b.grants_active(at(2026, 3, 2, 12)).unwrap()), Vec::<u128>::new(), "{l}");
        assert_eq!(b.grants_active(at(2026, 3, 3, 12)).unwrap(), vec![g3.clone()], "{l}: round trip");

        let (d2, d3, d5) = (at(2026, 3, 2, 0), at(2026, 3, 3, 0), at(2026, 3, 5, 0));
        assert_eq!(b.grants_given(d2, d5, None).unwrap(), vec![g1.clone(), g2.clone(), g3.clone()], "{l}");
        assert_eq!(ids(b.grants_given(d2, d3, None).unwrap()), vec![1, 2], "{l}");
        assert_eq!(
            ids(b.grants_given(at(2026, 3, 2, 8), at(2026, 3, 2, 10), None).unwrap()),
            vec![1],
            "{l}: [from, to)"
        );
        assert_eq!(ids(b.grants_given(d2, d5, Some(&[unit("utredning")])).unwrap()), vec![2], "{l}");
        assert_eq!(
            ids(b.grants_given(d2, d5, Some(&[unit("mottagning"), unit("utredning")])).unwrap()),
            vec![1, 2],
            "{l}: a grant without a unit is in no unit"
        );
        assert_eq!(ids(b.grants_given(d2, d5, Some(&[])).unwrap()), Vec::<u128>::new(), "{l}");
    }
}

#[test]
fn the_access_log_is_filtered_by_reader_person_period_unit_and_limit() {
    for db in backends() {
        let l = db.label;
        let mut b = sec(&db);
        let case = Some(CaseId::from_u128(100));
        let h = |hour| at(2026, 3, 2, hour);
        let lines = vec![
            read(h(8), "amira", Some("mottagning"), ELSA, case, "c1"),
            read(h(9), "amira", Some("mottagning"), NOAH, None, "c2"),
            read(h(10) + Duration::microseconds(1), "lina", Some("utredning"), ELSA, case, "c3"),
            read(h(11), "lina", None, NOAH, None, "c4"),
            read(h(12), "amira", Some("utredning"), ELSA, None, "c5"),
        ];
        b.append_logs(&lines[..2], &[]).unwrap();
        b.append_logs(&lines[2..], &[event(h(9), SecurityKind::LoginSucceeded, Some("lina"), "c0")]).unwrap();

        let all = b.access_log(&AccessQuery::default()).unwrap();
        assert_eq!(entries(&all), lines, "{l}: everything, oldest first, as written");
        assert!(all.windows(2).all(|w| w[0].seq < w[1].seq), "{l}");

        let q = |f: &dyn Fn(&mut AccessQuery)| {
            let mut q = AccessQuery::default();
            f(&mut q);
            q
        };
        let corr = |b: &mut Box<dyn SecurityBackend>, q: AccessQuery| -> Vec<String> {
            b.access_log(&q).unwrap().into_iter().map(|r| r.entry.correlation).collect()
        };
        assert_eq!(corr(&mut b, q(&|q| q.staff = Some(staff("amira")))), ["c1", "c2", "c5"], "{l}");
        assert_eq!(corr(&mut b, q(&|q| q.person = Some(NOAH))), ["c2", "c4"], "{l}");
        assert_eq!(corr(&mut b, q(&|q| q.from = Some(h(9)))), ["c2", "c3", "c4", "c5"], "{l}: from inclusive");
        assert_eq!(corr(&mut b, q(&|q| q.to = Some(h(11)))), ["c1", "c2", "c3"], "{l}: to exclusive");
        let just_after = h(10) + Duration::microseconds(1);
        assert_eq!(corr(&mut b, q(&|q| q.from = Some(just_after))), ["c3", "c4", "c5"], "{l}: to the microsecond");
        assert_eq!(corr(&mut b, q(&|q| q.to = Some(just_after))), ["c1", "c2"], "{l}: to the microsecond");
        let later = just_after + Duration::microseconds(1);
        assert_eq!(corr(&mut b, q(&|q| q.from = Some(later))), ["c4", "c5"], "{l}: to the microsecond");
        assert_eq!(corr(&mut b, q(&|q| q.units = Some(vec![unit("utredning")]))), ["c3", "c5"], "{l}");
        assert_eq!(
            corr(&mut b, q(&|q| q.units = Some(vec![unit("utredning"), unit("mottagning")]))),
            ["c1", "c2", "c3", "c5"],
            "{l}: a line without a unit is in no unit"
        );
        assert_eq!(corr(&mut b, q(&|q| q.units = Some(vec![]))), Vec::<String>::new(), "{l}");
        assert_eq!(corr(&mut b, q(&|q| q.limit = 2)), ["c1", "c2"], "{l}");
        assert_eq!(
            corr(
                &mut b,
                q(&|q| {
                    q.staff = Some(staff("amira"));
                    q.person = Some(ELSA);
                    q.from = Some(h(8));
                    q.to = Some(h(13));
                    q.units = Some(vec![unit("utredning")]);
                    q.limit = 10;
                })
            ),
            ["c5"],
            "{l}: every filter narrows"
        );
    }
}

#[test]
fn the_security_log_is_read_by_period() {
    for db in backends() {
        let l = db.label;
        let mut b = sec(&db);
        let h = |hour| at(2026, 3, 2, hour);
        let lines = vec![
            event(h(8), SecurityKind::LoginFailed, Some("amira"), "s1"),
            event(h(9), SecurityKind::AccountLocked, Some("amira"), "s2"),
            SecurityEntry { address: None, ..event(h(10), SecurityKind::TokenRefused, None, "s3") },
        ];
        b.append_logs(&[], &lines).unwrap();
        let got = b.security_log(h(8), h(11)).unwrap();
        assert_eq!(got.iter().map(|r| r.entry.clone()).collect::<Vec<_>>(), lines, "{l}");
        assert!(got.windows(2).all(|w| w[0].seq < w[1].seq), "{l}");
        let corr = |v: Vec<SecurityRecord>| v.into_iter().map(|r| r.entry.correlation).collect::<Vec<_>>();
        assert_eq!(corr(b.security_log(h(9), h(10)).unwrap()), ["s2"], "{l}: [from, to)");
        assert_eq!(corr(b.security_log(h(11), h(12)).unwrap()), Vec::<String>::new(), "{l}");
        assert_eq!(b.access_log(&AccessQuery::default()).unwrap(), vec![], "{l}");
    }
}

#[test]
fn append_logs_writes_both_kinds_or_nothing() {
    for db in backends() {
        let l = db.label;
        let mut b = sec(&db);
        // Make the database refuse one particular security line.
        let refuse = if l == "sqlite" {
            "CREATE TRIGGER refuse_boom BEFORE INSERT ON security_log WHEN NEW.detail = 'boom'
             BEGIN SELECT RAISE(ABORT, 'boom'); END;"
        } else {
            "CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN IF NEW.detail = 'boom' THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END $$;
             CREATE TRIGGER refuse_boom BEFORE INSERT ON security_log
                 FOR EACH ROW EXECUTE FUNCTION refuse_boom();"
        };
        raw(&db, refuse).unwrap();
        let now = at(2026, 3, 2, 9);
        let access = vec![read(now, "amira", Some("mottagning"), ELSA, None, "a1")];
        let fine = event(now, SecurityKind::Logout, Some("amira"), "a1");
        let boom = SecurityEntry { detail: "boom".into(), ..fine.clone() };
        let res = b.append_logs(&access, &[fine.clone(), boom]);
        assert!(matches!(res, Err(StoreError::Backend(_))), "{l}: {res:?}");
        assert_eq!(b.access_log(&AccessQuery::default()).unwrap(), vec![], "{l}: nothing written");
        assert_eq!(b.security_log(now, now + Duration::hours(1)).unwrap(), vec![], "{l}");

        b.append_logs(&access, &[fine]).unwrap();
        assert_eq!(b.access_log(&AccessQuery::default()).unwrap().len(), 1, "{l}");
        assert_eq!(b.security_log(now, now + Duration::hours(1)).unwrap().len(), 1, "{l}");
    }
}

#[test]
fn a_named_secret_is_created_once_and_kept() {
    for db in backends() {
        let l = db.label;
        let first = sec(&db).secret("session-key").unwrap();
        assert_eq!(first.len(), 32, "{l}");
        let mut b = sec(&db);
        assert_eq!(b.secret("session-key").unwrap(), first, "{l}: across reopening");
        assert_eq!(b.secret("session-key").unwrap(), first, "{l}: across calls");
        let other = b.secret("csrf-key").unwrap();
        assert_eq!(other.len(), 32, "{l}");
        assert_ne!(other, first, "{l}: each name its own secret");

        // Many connections asking for a new name at once all get the same bytes.
        let url = db.url.clone();
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let url = url.clone();
                std::thread::spawn(move || open_security_backend(&url).unwrap().secret("raced").unwrap())
            })
            .collect();
        let got: BTreeSet<Vec<u8>> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        assert_eq!(got.len(), 1, "{l}");
        assert_eq!(got.into_iter().next(), Some(b.secret("raced").unwrap()), "{l}");
    }
}

#[test]
fn the_logs_and_grants_refuse_update_and_delete_in_the_database() {
    for db in backends() {
        let l = db.label;
        let mut b = sec(&db);
        let now = at(2026, 3, 2, 9);
        b.append_logs(
            &[read(now, "amira", Some("mottagning"), ELSA, None, "x1")],
            &[event(now, SecurityKind::LoginSucceeded, Some("amira"), "x1")],
        )
        .unwrap();
        b.insert_grant(&grant(1, Some("utredning"), now, now + Duration::hours(1))).unwrap();

        let mut attacks = vec![
            "UPDATE access_log SET staff = 'someone-else'",
            "DELETE FROM access_log",
            "UPDATE security_log SET detail = 'nothing happened'",
            "DELETE FROM security_log",
            "UPDATE access_grants SET reason = 'a better reason'",
            "DELETE FROM access_grants",
        ];
        if l == "postgres" {
            attacks.extend(["TRUNCATE access_log", "TRUNCATE security_log", "TRUNCATE access_grants"]);
        }
        for sql in attacks {
            let err = raw(&db, sql).expect_err(sql);
            assert!(err.contains("append-only"), "{l}: {sql}: {err}");
        }

        assert_eq!(entries(&b.access_log(&AccessQuery::default()).unwrap()).len(), 1, "{l}");
        let sec_log = b.security_log(now, now + Duration::hours(1)).unwrap();
        assert_eq!(sec_log.len(), 1, "{l}");
        assert_eq!(sec_log[0].entry.detail, "login_succeeded (test)", "{l}");
        let grants = b.grants_active(now).unwrap();
        assert_eq!(grants.len(), 1, "{l}");
        assert_eq!(grants[0].reason, "Behov av uppgifter i utredning 1", "{l}");
        assert_eq!(b.access_log(&AccessQuery::default()).unwrap()[0].entry.staff, staff("amira"), "{l}");
    }
}

#[test]
fn concurrent_readers_each_get_their_lines_written() {
    const THREADS: usize = 8;
    const PER_THREAD: usize = 40;
    for db in backends() {
        let l = db.label;
        let store = Arc::new(SecurityStore::open(&db.url).unwrap());
        let start = at(2026, 3, 2, 9);
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let store = store.clone();
                std::thread::spawn(move || {
                    for i in 0..PER_THREAD {
                        let when = start + Duration::milliseconds((t * PER_THREAD + i) as i64);
                        let c = format!("t{t}-{i}");
                        let security =
                            if i % 4 == 0 { vec![event(when, SecurityKind::RequestRefused, None, &c)] } else { vec![] };
                        store.log(vec![read(when, "amira", Some("mottagning"), ELSA, None, &c)], security).unwrap();
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        store.log(vec![], vec![]).unwrap();
        let log = store.with(|b| b.access_log(&AccessQuery::default())).unwrap();
        assert_eq!(log.len(), THREADS * PER_THREAD, "{l}");
        let distinct: BTreeSet<&str> = log.iter().map(|r| r.entry.correlation.as_str()).collect();
        assert_eq!(distinct.len(), THREADS * PER_THREAD, "{l}: every line once");
        assert!(log.windows(2).all(|w| w[0].seq < w[1].seq), "{l}");
        let security = store.with(|b| b.security_log(start, start + Duration::hours(1))).unwrap();
        assert_eq!(security.len(), THREADS * PER_THREAD / 4, "{l}");
        store.log_security(event(start, SecurityKind::Logout, Some("amira"), "last")).unwrap();
        assert_eq!(store.with(|b| b.security_log(start, start + Duration::hours(1))).unwrap().len(), 81, "{l}");
    }
}

/// What a scan of the whole log answers to `q`.
fn scan(all: &[AccessRecord], q: &AccessQuery) -> Vec<AccessRecord> {
    let hits = all.iter().filter(|r| {
        let e = &r.entry;
        q.staff.as_ref().is_none_or(|s| &e.staff == s)
            && q.person.is_none_or(|p| e.person == p)
            && q.from.is_none_or(|f| e.at >= f)
            && q.to.is_none_or(|t| e.at < t)
            && q.units.as_ref().is_none_or(|us| e.unit.as_ref().is_some_and(|u| us.contains(u)))
    });
    hits.take(if q.limit == 0 { usize::MAX } else { q.limit }).cloned().collect()
}

/// SQLite seals the log in blocks with filters of readers and persons (no index on either);
/// a lookup must find exactly what a scan finds: in sealed blocks, in a full block a long
/// append left unsealed, in the tail, and (SQLite) past a block whose filter is unreadable
/// or gone. PostgreSQL answers the same from its indexes.
#[test]
fn lookups_by_reader_and_person_find_every_line_in_sealed_blocks_and_the_tail() {
    use skyndsam_store::access_blocks::{BLOCK_ROWS, MAX_SEALS_PER_APPEND};
    let readers = ["amira", "lina", "omar", "sara", "erik"];
    let person = |n: usize| PersonId(uuid::Uuid::from_u128(1000 + n as u128));
    let rare = PersonId(uuid::Uuid::from_u128(77));
    let late = PersonId(uuid::Uuid::from_u128(78));
    let start = at(2026, 3, 2, 8);
    let line = |i: usize| {
        let (who, p) = match i {
            _ if i == 2 * BLOCK_ROWS + 17 => ("rare-reader", rare),
            _ => (readers[i % readers.len()], person(i * 7919 % 300)),
        };
        let unit_id = match i % 13 {
            0 => None,
            n if n % 2 == 0 => Some("mottagning"),
            _ => Some("utredning"),
        };
        read(start + Duration::seconds(i as i64), who, unit_id, p, None, &format!("l{i}"))
    };
    let first_append = (MAX_SEALS_PER_APPEND + 1) * BLOCK_ROWS;
    let queries = || {
        let mid = start + Duration::seconds(first_append as i64 / 2);
        let mut qs = Vec::new();
        for who in readers.iter().chain(&["rare-reader", "nobody"]) {
            qs.push(AccessQuery { staff: Some(staff(who)), ..Default::default() });
            qs.push(AccessQuery { staff: Some(staff(who)), from: Some(mid), limit: 5, ..Default::default() });
        }
        for p in [rare, late, person(0), person(299), PersonId(uuid::Uuid::from_u128(5))] {
            qs.push(AccessQuery { person: Some(p), ..Default::default() });
            qs.push(AccessQuery { person: Some(p), to: Some(mid), ..Default::default() });
            qs.push(AccessQuery { person: Some(p), staff: Some(staff("amira")), ..Default::default() });
            qs.push(AccessQuery {
                person: Some(p),
                units: Some(vec![unit("utredning")]),
                limit: 3,
                ..Default::default()
            });
        }
        qs.push(AccessQuery { from: Some(mid), to: Some(mid + Duration::seconds(10)), ..Default::default() });
        qs
    };
    for db in backends() {
        let l = db.label;
        let mut b = sec(&db);
        let blocks = || -> i64 {
            let path = skyndsam_store::sqlite::security_path(db.url.strip_prefix("sqlite:").unwrap());
            let s = skyndsam_store::sqlite::SqliteBackend::open_security(&path).unwrap();
            s.connection().query_row("SELECT count(*) FROM access_log_blocks", [], |r| r.get(0)).unwrap()
        };
        let check = |b: &mut Box<dyn SecurityBackend>, when: &str| {
            let all = b.access_log(&AccessQuery::default()).unwrap();
            for q in queries() {
                let (got, want) = (b.access_log(&q).unwrap(), scan(&all, &q));
                let seqs = |v: &[AccessRecord]| v.iter().map(|r| r.seq).collect::<Vec<_>>();
                assert_eq!(seqs(&got), seqs(&want), "{l} {when}: {q:?}");
                assert_eq!(got, want, "{l} {when}: {q:?}");
            }
            all.len()
        };

        // One long append: it seals at most MAX_SEALS_PER_APPEND blocks, so a full block
        // stays unsealed and is scanned.
        let lines: Vec<AccessEntry> = (0..first_append).map(line).collect();
        b.append_logs(&lines, &[]).unwrap();
        if l == "sqlite" {
            assert_eq!(blocks(), MAX_SEALS_PER_APPEND as i64, "{l}");
        }
        assert_eq!(check(&mut b, "one block unsealed"), first_append);
        assert_eq!(b.access_log(&AccessQuery { person: Some(rare), ..Default::default() }).unwrap().len(), 1, "{l}");

        // The next appends seal it; the newest lines are in the tail.
        for chunk in (first_append..first_append + 100).collect::<Vec<_>>().chunks(30) {
            b.append_logs(&chunk.iter().map(|&i| line(i)).collect::<Vec<_>>(), &[]).unwrap();
        }
        let last = read(start + Duration::days(1), "amira", Some("utredning"), late, None, "late");
        b.append_logs(std::slice::from_ref(&last), &[]).unwrap();
        if l == "sqlite" {
            assert_eq!(blocks(), MAX_SEALS_PER_APPEND as i64 + 1, "{l}");
        }
        assert_eq!(check(&mut b, "all sealed but the tail"), first_append + 101);
        let found = b.access_log(&AccessQuery { person: Some(late), ..Default::default() }).unwrap();
        assert_eq!(entries(&found), vec![last.clone()], "{l}");

        if l == "sqlite" {
            // The filters narrow: the one line of the rare person is sought in its own block
            // and the tail only.
            let path = skyndsam_store::sqlite::security_path(db.url.strip_prefix("sqlite:").unwrap());
            let s = skyndsam_store::sqlite::SqliteBackend::open_security(&path).unwrap();
            let q = AccessQuery { person: Some(rare), ..Default::default() };
            let n = BLOCK_ROWS as i64;
            let ranges = skyndsam_store::access_blocks::candidate_ranges(s.connection(), &q).unwrap();
            assert_eq!(ranges, vec![(2 * n + 1, 3 * n), (5 * n + 1, i64::MAX)], "{l}");

            // Someone with the file garbles one block's filters and removes another's:
            // their lines are scanned, not lost.
            raw(
                &db,
                "DROP TRIGGER access_log_blocks_no_update; DROP TRIGGER access_log_blocks_no_delete;
                 UPDATE access_log_blocks SET staff = x'00', persons = x'ff' WHERE block = 3;
                 DELETE FROM access_log_blocks WHERE block = 1;",
            )
            .unwrap();
            assert_eq!(check(&mut b, "a block garbled, one gone"), first_append + 101);
            let found = b.access_log(&AccessQuery { person: Some(rare), ..Default::default() }).unwrap();
            assert_eq!(found.len(), 1, "{l}: the line in the garbled block");
        }
    }
}
